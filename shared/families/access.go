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

// tableGrants lists each implemented family's DynamoDB grants. The store
// calls behind them (shared/dynamo):
//
//	users      GetItem  Users.Get (every token check, the account read)
//	           PutItem  Users.Save, and the user Put of Users.Create
//	keys       GetItem  Users.Owner (login by username/mobile/email, admin check)
//	           PutItem  a key claimed by Users.Create or Users.Save
//	           DeleteItem  a key released by Users.Save (a rebind)
//	ephemeral  UpdateItem  Counters.Hit, Codes.Attempt, the counters of Codes.Issue/Withdraw
//	           BatchGetItem  Counters.Counts
//	           DeleteItem  Captchas.Take, Counters.Reset, Codes.Consume/Withdraw, Cache.CacheTake
//	           PutItem  Captchas.Put, the code of Codes.Issue, Cache.CacheSet
//	           GetItem  Cache.CacheGet, the cooldown read after a refused Codes.Issue
//
// Senders get their delivery grant here too when their adapters land
// (ses:SendEmail on the sending identity; sms-voice:SendTextMessage or
// sns:Publish), and so does register (registerUserByEmail's welcome email);
// no other family gets one.
var tableGrants = map[string][]Grant{
	// registerUser takes the captcha; registerUserByEmail checks the code
	// (failure counters, tries, consume) and may redeem a bind ticket; both
	// create the user and claim its keys in one transaction. registerAdmin
	// reads the admin sentinel and record.
	"register": {
		{Resource: tableUsers, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableKeys, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableEphemeral, Actions: []string{"dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"}},
	},
	// login, loginBySms, loginByEmailCode: failure counters, captcha and
	// code checks; the key's owner and record read; the user saved with its
	// session, or created (unified login); a bind ticket's identity attached,
	// which may claim and release identity keys.
	"login": {
		{Resource: tableUsers, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableKeys, Actions: []string{"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableEphemeral, Actions: []string{"dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"}},
	},
	// updatePwd and setPwd save the caller; resetPwdBySms/ByEmail check the
	// code, find the account by its key and save it. No key changes.
	"reset": {
		{Resource: tableUsers, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableKeys, Actions: []string{"dynamodb:GetItem"}},
		{Resource: tableEphemeral, Actions: []string{"dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"}},
	},
	// createCaptcha/refreshCaptcha: the per-IP counter, the old captcha
	// taken, the new one stored.
	"captcha": {
		{Resource: tableEphemeral, Actions: []string{"dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}},
	},
	// getSupportedLoginType answers from the config alone.
	"login-types": {},
	// logout, refreshToken, getAccountInfo, closeAccount: the caller read
	// and saved (sessions and status only; keys stay reserved).
	"account": {
		{Resource: tableUsers, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
	},
	// bindMobileBySms, bindEmailByCode: code checks, then the caller saved
	// claiming the new key and releasing the old one in one transaction.
	"bind": {
		{Resource: tableUsers, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableKeys, Actions: []string{"dynamodb:DeleteItem", "dynamodb:PutItem"}},
		{Resource: tableEphemeral, Actions: []string{"dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"}},
	},
	// sendSmsCode: the captcha taken, then cooldown, limits and code in one
	// transaction (the cooldown read when it refuses), given back if the
	// delivery fails.
	"send-sms-code": {
		{Resource: tableEphemeral, Actions: []string{"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}},
	},
	// sendEmailCode: as sendSmsCode.
	"send-email-code": {
		{Resource: tableEphemeral, Actions: []string{"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}},
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
