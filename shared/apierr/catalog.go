package apierr

// Codes used by name in the code base. Every code, named here or not, has a
// catalogue entry below.
const (
	AccountExists          = "uni-id-account-exists"
	AccountNotExists       = "uni-id-account-not-exists"
	AccountNotInApp        = "uni-id-account-not-exists-in-current-app"
	AccountConflict        = "uni-id-account-conflict"
	AccountBanned          = "uni-id-account-banned"
	AccountAuditing        = "uni-id-account-auditing"
	AccountAuditFailed     = "uni-id-account-audit-failed"
	AccountClosed          = "uni-id-account-closed"
	CaptchaRequired        = "uni-id-captcha-required"
	PasswordError          = "uni-id-password-error"
	PasswordExceedLimit    = "uni-id-password-error-exceed-limit"
	InvalidUsername        = "uni-id-invalid-username"
	InvalidPassword        = "uni-id-invalid-password"
	InvalidMobile          = "uni-id-invalid-mobile"
	InvalidEmail           = "uni-id-invalid-email"
	InvalidNickname        = "uni-id-invalid-nickname"
	InvalidParam           = "uni-id-invalid-param"
	ParamRequired          = "uni-id-param-required"
	AdminExists            = "uni-id-admin-exists"
	AdminExistsInOtherApps = "uni-id-admin-exist-in-other-apps"
	AdminSetupRequired     = "uni-id-admin-setup-required"
	RoleNotFound           = "uni-id-role-not-found"
	RoleExists             = "uni-id-role-exists"
	PermissionNotFound     = "uni-id-permission-not-found"
	PermissionExists       = "uni-id-permission-exists"
	PermissionError        = "uni-id-permission-error"
	SystemError            = "uni-id-system-error"
	InvalidInviteCode      = "uni-id-invalid-invite-code"
	ChangeInviterForbidden = "uni-id-change-inviter-forbidden"
	SetInviteCodeFailed    = "uni-id-set-invite-code-failed"
	UnsupportedRequest     = "uni-id-unsupported-request"
	IllegalRequest         = "uni-id-illegal-request"
	ConfigFieldRequired    = "uni-id-config-field-required"
	ConfigFieldInvalid     = "uni-id-config-field-invalid"
	TokenExpired           = "uni-id-token-expired"
	CheckTokenFailed       = "uni-id-check-token-failed"

	MethodNotFound       = "uni-id-method-not-found"
	WrongFunction        = "uni-id-wrong-function"
	PayloadTooLarge      = "uni-id-payload-too-large"
	RetryLater           = "uni-id-retry-later"
	RateLimited          = "uni-id-rate-limited"
	AppNotConfigured     = "uni-id-app-not-configured"
	RecentLoginRequired  = "uni-id-recent-login-required"
	ChannelTooNew        = "uni-id-channel-too-new"
	RegistrationDisabled = "uni-id-registration-disabled"
	LoginTypeDisabled    = "uni-id-login-type-disabled"
	MobileRegionRefused  = "uni-id-mobile-region-not-supported"
	SendTooFrequent      = "uni-id-send-too-frequent"
	SendBudgetSpent      = "uni-id-send-budget-spent"
	SendFailed           = "uni-id-send-failed"
	MobileCodeError      = "uni-id-mobile-verify-code-error"
	EmailCodeError       = "uni-id-email-verify-code-error"
	BindConflict         = "uni-id-bind-conflict"
	SMSTestMode          = "uni-id-invalid-sms-template-id"
	MobileNotBound       = "uni-id-mobile-not-bound"
	UnbindFailed         = "uni-id-unbind-failed"
	UnbindLast           = "uni-id-unbind-mobile-not-exists"
	ThirdPartyFailed     = "uni-id-get-third-party-account-failed"
	BindRequired         = "uni-id-bind-required"
	BindTicketInvalid    = "uni-id-bind-ticket-invalid"
	// The open platform's (shared/oidc and the open authorisation methods).
	OAuthClientNotFound = "uni-id-oauth-client-not-found"
	OAuthInvalidClient  = "uni-id-oauth-invalid-client"
	OAuthInvalidGrant   = "uni-id-oauth-invalid-grant"
	OAuthInvalidScope   = "uni-id-oauth-invalid-scope"
	OAuthInvalidURI     = "uni-id-oauth-invalid-redirect-uri"
	OAuthRequestExpired = "uni-id-oauth-request-expired"
	// QR-code login's (the oauth family's *QrLogin methods).
	QRTicketInvalid    = "uni-id-qr-ticket-invalid"
	QRTicketTaken      = "uni-id-qr-ticket-taken"
	QRTicketNotScanned = "uni-id-qr-ticket-not-scanned"
	QRTicketDone       = "uni-id-qr-ticket-done"
	QRPollDenied       = "uni-id-qr-poll-denied"

	FrvFail                  = "uni-id-frv-fail"
	FrvProcessing            = "uni-id-frv-processing"
	RealNameVerified         = "uni-id-realname-verified"
	IDCardExists             = "uni-id-idcard-exists"
	InvalidIDCard            = "uni-id-invalid-idcard"
	InvalidRealName          = "uni-id-invalid-realname"
	RealNameVerifyUpperLimit = "uni-id-realname-verify-upper-limit"
	FrvCertifyIDInvalid      = "uni-id-frv-certify-id-invalid"

	CaptchaCreateFail     = "uni-captcha-create-fail"
	CaptchaVerifyFail     = "uni-captcha-verify-fail"
	CaptchaVerifyOverdue  = "uni-captcha-verify-overdue"
	CaptchaRefreshFail    = "uni-captcha-refresh-fail"
	CaptchaDeviceRequired = "uni-captcha-deviceId-required"
	CaptchaTextRequired   = "uni-captcha-text-required"
)

// Entry is one catalogue line: the HTTP status of the code's class and its
// messages.
type Entry struct {
	Status int
	ZhHans string
	En     string
}

// Catalog maps every errCode idco can send to its entry. uni-id's codes keep
// uni-id's messages (reference section 2); idco's own follow them.
var Catalog = map[string]Entry{
	// uni-id-co common/error.js, lang/zh-hans.js, lang/en.js
	AccountExists:                             {409, "此账号已注册", "Account exists"},
	AccountNotExists:                          {404, "此账号未注册", "Account does not exists"},
	AccountNotInApp:                           {404, "此账号未在该应用注册", "Account does not exists in current app"},
	AccountConflict:                           {409, "用户账号冲突", "User account conflict"},
	AccountBanned:                             {403, "此账号已封禁", "Account has been banned"},
	AccountAuditing:                           {403, "此账号正在审核中", "Account audit in progress"},
	AccountAuditFailed:                        {403, "此账号审核失败", "Account audit failed"},
	AccountClosed:                             {403, "此账号已注销", "Account has been closed"},
	CaptchaRequired:                           {400, "请输入图形验证码", "Captcha required"},
	PasswordError:                             {400, "密码错误", "Password error"},
	PasswordExceedLimit:                       {429, "密码错误次数过多，请稍后再试", "The number of password errors is excessive"},
	InvalidUsername:                           {400, "用户名不合法", "Invalid username"},
	InvalidPassword:                           {400, "密码不合法", "invalid password"},
	"uni-id-invalid-password-super":           {400, "密码必须包含大小写字母、数字和特殊符号，长度8-16位", "Passwords must have 8-16 characters and contain uppercase letters, lowercase letters, numbers, and symbols."},
	"uni-id-invalid-password-strong":          {400, "密码必须包含字母、数字和特殊符号，长度8-16位不合法", "Passwords must have 8-16 characters and contain letters, numbers and symbols."},
	"uni-id-invalid-password-medium":          {400, "密码必须为字母、数字和特殊符号任意两种的组合，长度8-16位", "Passwords must have 8-16 characters and contain at least two of the following: letters, numbers, and symbols."},
	"uni-id-invalid-password-weak":            {400, "密码必须包含字母和数字，长度6-16位", "Passwords must have 6-16 characters and contain letters and numbers."},
	InvalidMobile:                             {400, "手机号码不合法", "Invalid mobile phone number"},
	InvalidEmail:                              {400, "邮箱不合法", "Invalid email address"},
	InvalidNickname:                           {400, "昵称不合法", "Invalid nickname"},
	InvalidParam:                              {400, "参数错误", "Invalid parameter"},
	ParamRequired:                             {400, "缺少参数: {param}", "Parameter required: {param}"},
	"uni-id-get-third-party-account-failed":   {502, "获取第三方账号失败", "Get third party account failed"},
	"uni-id-get-third-party-user-info-failed": {502, "获取用户信息失败", "Get third party user info failed"},
	"uni-id-mobile-verify-code-error":         {400, "手机验证码错误或已过期", "Verify code error or expired"},
	"uni-id-email-verify-code-error":          {400, "邮箱验证码错误或已过期", "Verify code error or expired"},
	AdminExists:                               {409, "超级管理员已存在", "Administrator exists"},
	AdminExistsInOtherApps:                    {409, "超级管理员已在其他控制台注册", "Administrator is registered in other consoles"},
	RoleNotFound:                              {404, "角色不存在: {role}", "Role not found: {role}"},
	RoleExists:                                {409, "角色已存在", "Role exists"},
	PermissionNotFound:                        {404, "权限不存在: {permission}", "Permission not found: {permission}"},
	PermissionExists:                          {409, "权限已存在", "Permission exists"},
	AdminSetupRequired:                        {403, "创建超级管理员需要初始化密钥 idco.admin.setupSecret，或使用管理命令行", "Creating the first administrator needs the setup secret (idco.admin.setupSecret) or the admin command line"},
	PermissionError:                           {403, "权限错误", "Permission denied"},
	SystemError:                               {500, "系统错误", "System error"},
	SetInviteCodeFailed:                       {500, "设置邀请码失败", "Set invite code failed"},
	InvalidInviteCode:                         {400, "邀请码不可用", "Invalid invite code"},
	ChangeInviterForbidden:                    {403, "禁止修改邀请人", "Change inviter is not allowed"},
	"uni-id-bind-conflict":                    {409, "此账号已被绑定", "This account has been bound"},
	"uni-id-unbind-failed":                    {400, "请先绑定后再解绑", "Please bind first and then unbind"},
	"uni-id-unbind-not-supported":             {400, "不支持解绑", "Unbinding is not supported"},
	"uni-id-unbind-unique-login":              {400, "这是当前唯一登录方式，无法解绑", "This is the only way to log in, it cannot be unbound"},
	"uni-id-unbind-password-not-exists":       {400, "请先设置密码在尝试解绑", "Please set a password first"},
	"uni-id-unbind-mobile-not-exists":         {400, "这是当前唯一登录方式，请绑定手机号后再尝试解绑", "This is the only way to login at the moment, please bind your phone number and then try to unbind"},
	UnsupportedRequest:                        {415, "不支持的请求方式", "Unsupported request"},
	IllegalRequest:                            {403, "非法请求", "Illegal request"},
	ConfigFieldRequired:                       {500, "缺少配置项: {field}", "Config field required: {field}"},
	ConfigFieldInvalid:                        {500, "配置项: {field}无效", "Config field: {field} is invalid"},
	FrvFail:                                   {400, "实名认证失败", "Real name certify failed"},
	FrvProcessing:                             {400, "等待人脸识别", "Waiting for face recognition"},
	RealNameVerified:                          {409, "该账号已实名认证", "This account has been verified"},
	IDCardExists:                              {409, "该证件号码已绑定账号", "The ID number has been bound to the account"},
	InvalidIDCard:                             {400, "身份证号码不合法", "ID number is invalid"},
	InvalidRealName:                           {400, "姓名只能是汉字", "The name can only be Chinese characters"},
	"uni-id-unknown-error":                    {500, "未知错误", "unknown error"},
	RealNameVerifyUpperLimit:                  {429, "当日实名认证次数已达上限", "The number of real-name certify on the day has reached the upper limit"},

	// uni-id-common
	TokenExpired:     {401, "登录状态失效，token已过期", "The login status is invalid, token has expired"},
	CheckTokenFailed: {401, "token校验未通过", "Check token failed"},

	// uni-captcha
	CaptchaCreateFail:           {500, "验证码生成失败", "Failed to create captcha"},
	CaptchaVerifyFail:           {400, "验证码错误", "Captcha verify failed"},
	CaptchaVerifyOverdue:        {400, "验证码已失效", "Captcha expired"},
	CaptchaRefreshFail:          {400, "验证码刷新失败", "Failed to refresh captcha"},
	CaptchaDeviceRequired:       {400, "缺少设备ID", "deviceId required"},
	CaptchaTextRequired:         {400, "请输入验证码", "Captcha text required"},
	"uni-captcha-interior-fail": {500, "验证码内部错误", "Captcha internal error"},

	// idco
	MethodNotFound:       {404, "方法不存在: {method}", "Method not found: {method}"},
	WrongFunction:        {404, "方法 {method} 由云函数 {function} 提供", "Method {method} is served by function {function}"},
	PayloadTooLarge:      {413, "请求体过大", "Request body too large"},
	RetryLater:           {503, "服务繁忙，请稍后重试", "Service busy, please try again later"},
	RateLimited:          {429, "操作过于频繁，请稍后再试", "Too many requests, please try again later"},
	AppNotConfigured:     {403, "此应用未在服务端配置", "This app is not configured on the server"},
	RecentLoginRequired:  {401, "为了账号安全，请重新登录后再操作", "For your security, please log in again first"},
	ChannelTooNew:        {403, "新绑定的手机号或邮箱{hours}小时内不能用于重置密码", "A newly bound mobile or email cannot reset the password for {hours} hours"},
	RegistrationDisabled: {403, "系统已关闭注册", "Registration is disabled"},
	LoginTypeDisabled:    {403, "不支持此登录方式", "This login method is disabled"},
	MobileRegionRefused:  {400, "不支持该地区的手机号", "Phone numbers of this region are not supported"},
	SendTooFrequent:      {429, "发送过于频繁，请{seconds}秒后再试", "Sent too often, please try again in {seconds} seconds"},
	SendBudgetSpent:      {503, "今日验证码发送量已达上限，请稍后再试", "Today's sending budget is spent, please try again later"},
	SendFailed:           {503, "验证码发送失败，请稍后再试", "The code could not be sent, please try again later"},
	MobileNotBound:       {400, "请先绑定手机号", "Please bind a mobile number first"},
	BindTicketInvalid:    {400, "绑定凭证无效或已过期", "The bind ticket is invalid or expired"},
	BindRequired:         {403, "此账号尚未绑定，请先登录或注册后绑定", "This identity is not bound yet: log in or register to bind it"},
	FrvCertifyIDInvalid:  {400, "认证ID无效或已过期，请重新认证", "The certifyId is invalid or expired, please verify again"},
	OAuthClientNotFound:  {404, "应用不存在: {client}", "App not found: {client}"},
	OAuthInvalidClient:   {401, "应用认证失败", "App authentication failed"},
	OAuthInvalidGrant:    {400, "授权码无效、已使用或已过期", "The authorization code is invalid, used or expired"},
	OAuthInvalidScope:    {400, "应用无权申请此范围: {scope}", "The app may not ask for this scope: {scope}"},
	OAuthInvalidURI:      {400, "回调地址无效: {uri}", "Invalid redirect URI: {uri}"},
	OAuthRequestExpired:  {400, "此登录请求已过期或已使用，请返回应用重新登录", "This login request has expired or was already used: go back to the app and start again"},
	QRTicketInvalid:      {400, "二维码已失效，请刷新后重新扫码", "The QR code has expired or was used: refresh it and scan again"},
	QRTicketTaken:        {409, "此二维码已被其他用户扫描", "Another user has scanned this QR code"},
	QRTicketNotScanned:   {409, "请先扫描二维码", "Scan the QR code first"},
	QRTicketDone:         {409, "此二维码已确认或已取消", "This QR code was already confirmed or cancelled"},
	QRPollDenied:         {403, "此页面无权查询该二维码", "This page may not wait on this QR code"},
	SMSTestMode:          {400, "未找到短信模版templateId，已启动测试模式，直接使用：123456作为短信验证码即可", "No SMS templateId found: test mode, use 123456 as the code"},
}

// Lookup returns the message for code in locale: English for "en" and its
// variants, Simplified Chinese otherwise (uni-id's fallback).
func Lookup(code, locale string) string {
	e, ok := Catalog[code]
	if !ok {
		e = Catalog[SystemError]
	}
	if IsEnglish(locale) {
		return e.En
	}
	return e.ZhHans
}

// IsEnglish reports whether locale selects the English catalogue.
func IsEnglish(locale string) bool {
	return locale == "en" || len(locale) > 2 && locale[:3] == "en-" || len(locale) > 2 && locale[:3] == "en_"
}

// Status returns the HTTP status of code's class; unknown codes are 500.
func Status(code string) int {
	if e, ok := Catalog[code]; ok {
		return e.Status
	}
	return 500
}
