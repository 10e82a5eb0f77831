package families

// Grant is one thing a family's function may do in AWS: Actions (IAM action
// names) on one Resource. Resource is a DynamoDB table's logical name (a
// dynamo.Table Name: "users", "keys", "ephemeral") or one of the Resource*
// kinds below. template.yaml gives each function exactly its family's grants,
// one policy statement per grant; infra/deploy's test fails when the two
// differ, and the Lambda smoke test (infra/smoke) refuses every DynamoDB call
// a function makes outside its grants.
//
// DynamoDB actions follow the store (shared/dynamo): a TransactWriteItems
// needs no action of its own, only the action of each item (Put: PutItem,
// Delete: DeleteItem, Update: UpdateItem, ConditionCheck:
// ConditionCheckItem) on that item's table; a BatchGetItem needs
// dynamodb:BatchGetItem on each table it reads.
type Grant struct {
	Resource string
	Actions  []string
}

// Resources other than tables.
const (
	// ResourceConfigParameter is the SSM SecureString parameter holding the
	// config document (template parameter ConfigParameterName, environment
	// variable IDCO_CONFIG_PARAMETER), read once per cold start.
	ResourceConfigParameter = "config-parameter"
	// ResourceConfigKey is the customer managed KMS key that encrypts the
	// config parameter, when there is one (template parameter
	// ConfigKmsKeyArn); it may be used only through SSM. With the default
	// aws/ssm key no IAM grant is needed: that key's policy already lets
	// principals of the account decrypt through SSM.
	ResourceConfigKey = "config-key"
)

// Table logical names, as in shared/dynamo (a test checks they match).
const (
	tableUsers     = "users"
	tableKeys      = "keys"
	tableEphemeral = "ephemeral"
)

// configGrants are every function's: it loads the config at cold start.
var configGrants = []Grant{
	{Resource: ResourceConfigParameter, Actions: []string{"ssm:GetParameter"}},
	{Resource: ResourceConfigKey, Actions: []string{"kms:Decrypt"}},
}

// tableGrants lists each implemented family's DynamoDB grants, with the
// store calls that need them. The sender families, when they come, add
// their delivery grants here too (ses:SendEmail on the sending identity,
// sms-voice:SendTextMessage or sns:Publish); no other family gets them.
var tableGrants = map[string][]Grant{
	// registerUser: the captcha is taken (DeleteItem), then one
	// TransactWriteItems puts the user and claims its keys (PutItem on both).
	// registerAdmin: the admin sentinel's owner and record are read (GetItem).
	"register": {
		{Resource: tableUsers, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableKeys, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableEphemeral, Actions: []string{"dynamodb:DeleteItem"}},
	},
	// login: failure counters are read (BatchGetItem), bumped (UpdateItem)
	// and cleared (DeleteItem), a required captcha is taken (DeleteItem); the
	// key's owner and the user are read (GetItem) and the user saved with its
	// new session (PutItem; no key changes).
	"login": {
		{Resource: tableUsers, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableKeys, Actions: []string{"dynamodb:GetItem"}},
		{Resource: tableEphemeral, Actions: []string{"dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"}},
	},
	// updatePwd: the caller's user is read to authenticate (GetItem) and
	// saved with the new hash (PutItem).
	"reset": {
		{Resource: tableUsers, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
	},
	// createCaptcha/refreshCaptcha: the per-IP counter (UpdateItem), the
	// old captcha taken (DeleteItem), the new one stored (PutItem).
	"captcha": {
		{Resource: tableEphemeral, Actions: []string{"dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}},
	},
	// getSupportedLoginType answers from the config alone.
	"login-types": {},
	// logout, refreshToken, getAccountInfo, closeAccount: the caller's user
	// is read (GetItem) and saved (PutItem; sessions and status only).
	"account": {
		{Resource: tableUsers, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
	},
}

// Access returns the grants of family's function, and false for a family
// with no function yet.
func Access(family string) ([]Grant, bool) {
	tables, ok := tableGrants[family]
	if !ok {
		return nil, false
	}
	out := make([]Grant, 0, len(tables)+len(configGrants))
	out = append(out, tables...)
	return append(out, configGrants...), true
}
