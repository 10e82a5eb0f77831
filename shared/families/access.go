package families

// Grant is one thing a family's function may do in AWS: Actions (IAM action
// names) on one Resource. Resource is a DynamoDB table's logical name (a
// dynamo.Table Name: "users", "keys", "ephemeral") or one of the Resource*
// kinds below. template.yaml gives each function exactly its family's grants,
// one policy statement per grant (a grant on an optional resource is a
// statement under the template condition its parameter sets); infra/deploy's
// test fails when the two differ, and the Lambda smoke test (infra/smoke)
// refuses every DynamoDB call a function makes outside its grants.
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

	// ResourceSESIdentity is the verified SES identity (domain or address)
	// emails are sent from (template parameter SesIdentityName; no grant
	// when it is empty). SES v2 SendEmail authorizes ses:SendEmail against
	// the identity of the From address: the address when it is verified on
	// its own, else its domain.
	ResourceSESIdentity = "ses-identity"
	// ResourceSESConfigurationSet is the SES configuration set emails are
	// sent with (template parameter SesConfigurationSetName), whether named
	// in idco.email.configurationSet or set as the identity's default: SES
	// then authorizes ses:SendEmail against it too.
	ResourceSESConfigurationSet = "ses-configuration-set"
	// ResourceSMSOriginationIdentity is the AWS End User Messaging SMS
	// phone number, sender ID or pool texts are sent from (template
	// parameters SmsProvider aws-eum and SmsOriginationIdentityArn), the
	// resource sms-voice:SendTextMessage is authorized against.
	ResourceSMSOriginationIdentity = "sms-origination-identity"
	// ResourceSMSConfigurationSet is the End User Messaging configuration
	// set texts are sent with, when there is one (template parameter
	// SmsConfigurationSetArn).
	ResourceSMSConfigurationSet = "sms-configuration-set"
	// ResourceSMSPhoneNumbers is the destination of an SNS Publish to a
	// phone number (template parameter SmsProvider sns). Such a publish has
	// no resource ARN (IAM sees the phone number itself), so the template
	// can only grant sns:Publish on "*": the one wildcard resource idco
	// grants.
	ResourceSMSPhoneNumbers = "sms-phone-numbers"
	// ResourceOIDCKeysParameter is the SSM SecureString parameter holding
	// the open platform's signing keys (template parameter
	// OidcKeysParameterName, environment variable
	// IDCO_OIDC_KEYS_PARAMETER).
	ResourceOIDCKeysParameter = "oidc-keys-parameter"
)

// Table logical names, as in shared/dynamo (a test checks they match).
const (
	Users     = "users"
	Keys      = "keys"
	Ephemeral = "ephemeral"
	Audit     = "audit"
	Invites   = "invites"
)

// ConfigGrants are every function's: it loads the config at cold start.
var ConfigGrants = []Grant{
	{Resource: ResourceConfigParameter, Actions: []string{"ssm:GetParameter"}},
	{Resource: ResourceConfigKey, Actions: []string{"kms:Decrypt"}},
}

// NoticeGrants let a function send people email and SMS (the security
// notices of bind and reset), whichever providers the template names.
var NoticeGrants = []Grant{
	{Resource: ResourceSESIdentity, Actions: []string{SESSendEmail}},
	{Resource: ResourceSESConfigurationSet, Actions: []string{SESSendEmail}},
	{Resource: ResourceSMSOriginationIdentity, Actions: []string{SMSSendText}},
	{Resource: ResourceSMSConfigurationSet, Actions: []string{SMSSendText}},
	{Resource: ResourceSMSPhoneNumbers, Actions: []string{SNSPublish}},
}

// The delivery actions. SES v2 SendEmail (shared/senders/emailsender) is
// authorized against the sending identity and the configuration set. The
// AWS SMS providers of shared/senders/smssender need End User Messaging
// SendTextMessage or SNS Publish, whichever the template's SmsProvider
// names; Aliyun and Tencent are called over HTTPS with their own keys from
// the config and need no IAM grant.
const (
	SESSendEmail = "ses:SendEmail"
	SMSSendText  = "sms-voice:SendTextMessage"
	SNSPublish   = "sns:Publish"
)

// Table grants follow the store calls behind them (shared/dynamo):
//
//	users      GetItem  Users.Get (every token check, the account read)
//	           PutItem  Users.Save, and the user Put of Users.Create
//	           DeleteItem  the user Delete of Users.Delete
//	           Scan  Users.List (an administrator's listing only)
//	keys       GetItem  Users.Owner (login by username/mobile/email, admin check),
//	                    Roles.Catalog (a token for a user with a role)
//	           PutItem  a key claimed by Users.Create or Users.Save, Roles.SaveCatalog
//	           DeleteItem  a key released by Users.Save (a rebind)
//	ephemeral  UpdateItem  Counters.Hit, Codes.Attempt, the counters of Codes.Issue/Withdraw
//	           BatchGetItem  Counters.Counts
//	           DeleteItem  Captchas.Take, Counters.Reset/Unhit, Codes.Consume/Withdraw, Cache.CacheTake
//	           PutItem  Captchas.Put, the code of Codes.Issue, Cache.CacheSet
//	           GetItem  Cache.CacheGet, the cooldown read after a refused Codes.Issue
const (
	GetItem      = "dynamodb:GetItem"
	PutItem      = "dynamodb:PutItem"
	DeleteItem   = "dynamodb:DeleteItem"
	UpdateItem   = "dynamodb:UpdateItem"
	BatchGetItem = "dynamodb:BatchGetItem"
	Scan         = "dynamodb:Scan"
	Query        = "dynamodb:Query"
)
