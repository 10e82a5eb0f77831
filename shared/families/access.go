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
var tableGrants = map[string][]Grant{
	// registerUser takes the captcha; registerUserByEmail checks the code
	// (failure counters, tries, consume) and may redeem a bind ticket; both
	// create the user and claim its keys in one transaction. registerAdmin
	// and hasAdmin read the admin sentinel and record.
	"register": {
		{Resource: tableUsers, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableKeys, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableEphemeral, Actions: []string{"dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"}},
	},
	// login, loginBySms, loginByEmailCode, loginByWeixin/QQ/Alipay/Apple,
	// loginByWeixinMobile, loginByUniverify: failure counters, captcha and
	// code checks; the key's owner and record read; the user saved with its
	// session, or created (unified login); a bind ticket issued or redeemed,
	// whose identity may claim and release identity keys; a provider's
	// session_key and the WeChat access token kept in the cache.
	"login": {
		{Resource: tableUsers, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableKeys, Actions: []string{"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableEphemeral, Actions: []string{"dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}},
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
	// uni-captcha-co's getImageCaptcha: as createCaptcha.
	"uni-captcha-co": {
		{Resource: tableEphemeral, Actions: []string{"dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}},
	},
	// getSupportedLoginType answers from the config alone.
	"login-types": {},
	// logout, refreshToken, getAccountInfo, closeAccount, setPushCid,
	// listDevices, getRealNameInfo, getProfile, updateProfile: the caller
	// read and saved (sessions, status and profile fields only; keys stay
	// reserved).
	"account": {
		{Resource: tableUsers, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
	},
	// bindMobileBySms, bindEmailByCode, bindMobileByUniverify/ByMpWeixin,
	// bind*/unbind* of third parties: code checks, the session_key and the
	// WeChat access token in the cache, then the caller saved claiming the
	// new key and releasing the old one in one transaction.
	"bind": {
		{Resource: tableUsers, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableKeys, Actions: []string{"dynamodb:DeleteItem", "dynamodb:PutItem"}},
		{Resource: tableEphemeral, Actions: []string{"dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}},
	},
	// getFrvCertifyId: the ID number's slot keys read, the daily count read
	// then hit, the started verification put in the cache.
	// getFrvAuthResult: that record read, rewritten as failed or taken
	// once realname_auth is saved with the ID number's slot key claimed in
	// the same transaction (nothing is released).
	"realname": {
		{Resource: tableUsers, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableKeys, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: tableEphemeral, Actions: []string{"dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}},
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

// emailGrants send through SES v2 SendEmail (shared/senders/emailsender).
var emailGrants = []Grant{
	{Resource: ResourceSESIdentity, Actions: []string{"ses:SendEmail"}},
	{Resource: ResourceSESConfigurationSet, Actions: []string{"ses:SendEmail"}},
}

// smsGrants send through the AWS providers of shared/senders/smssender: End
// User Messaging SendTextMessage or SNS Publish, whichever the template's
// SmsProvider names. Aliyun and Tencent are called over HTTPS with their
// own keys from the config, and need no IAM grant.
var smsGrants = []Grant{
	{Resource: ResourceSMSOriginationIdentity, Actions: []string{"sms-voice:SendTextMessage"}},
	{Resource: ResourceSMSConfigurationSet, Actions: []string{"sms-voice:SendTextMessage"}},
	{Resource: ResourceSMSPhoneNumbers, Actions: []string{"sns:Publish"}},
}

// deliveryGrants lists the families that deliver to people: the code
// senders, and register for registerUserByEmail's welcome email. No other
// family may link a delivery client (infra/deploy's link test).
var deliveryGrants = map[string][]Grant{
	"register":        emailGrants,
	"send-email-code": emailGrants,
	"send-sms-code":   smsGrants,
}

// Access returns the grants of family's function, and false for a family
// this file does not list.
func Access(family string) ([]Grant, bool) {
	tables, ok := tableGrants[family]
	if !ok {
		return nil, false
	}
	delivery := deliveryGrants[family]
	out := make([]Grant, 0, len(tables)+len(delivery)+len(configGrants))
	out = append(out, tables...)
	out = append(out, delivery...)
	return append(out, configGrants...), true
}
