// Package config owns idco's configuration: uni-id's config.json shape (one
// object, or per-app configs chosen by dcloudAppid, each with per-platform
// blocks) plus idco's own keys under "idco". It parses and validates the whole
// document at once and hands out the effective config for an (app, platform).
package config

import (
	"bytes"
	"encoding/json"
	"time"
)

// Config is the effective configuration for one app on one platform: the
// defaults, overlaid by the app's config, overlaid by its platform block, as
// uni-id's Object.assign does.
type Config struct {
	DcloudAppid             string          `json:"dcloudAppid"`
	IsDefaultConfig         bool            `json:"isDefaultConfig"`
	PasswordSecret          PasswordSecrets `json:"passwordSecret"`
	PasswordStrength        string          `json:"passwordStrength"`
	TokenSecret             string          `json:"tokenSecret"`
	TokenExpiresIn          int             `json:"tokenExpiresIn"`
	TokenExpiresThreshold   int             `json:"tokenExpiresThreshold"`
	MaxTokenLength          int             `json:"maxTokenLength"`
	PasswordErrorLimit      int             `json:"passwordErrorLimit"`
	PasswordErrorRetryTime  int             `json:"passwordErrorRetryTime"`
	AutoSetInviteCode       bool            `json:"autoSetInviteCode"`
	ForceInviteCode         bool            `json:"forceInviteCode"`
	UserRegisterDefaultRole []string        `json:"userRegisterDefaultRole"`
	// RequestAuthSecret signs the calls of external systems (externalRegister,
	// externalLogin, updateUserInfoByExternal), as uni-id's URL-call signature.
	RequestAuthSecret string `json:"requestAuthSecret"`
	// SensitiveInfoEncryptSecret (32 bytes) encrypts real names and ID
	// numbers at rest; real-name methods need it.
	SensitiveInfoEncryptSecret string `json:"sensitiveInfoEncryptSecret"`
	// IDCardCertifyLimit is how many accounts one ID number may verify
	// (uni-id default 1); RealNameCertifyLimit how many verifications an
	// account may start a day (default 5); FrvNeedAlivePhoto asks the
	// provider to keep the face picture (idco never fetches it).
	IDCardCertifyLimit   int              `json:"idCardCertifyLimit"`
	RealNameCertifyLimit int              `json:"realNameCertifyLimit"`
	FrvNeedAlivePhoto    bool             `json:"frvNeedAlivePhoto"`
	OAuth                map[string]OAuth `json:"oauth"`
	Service              Service          `json:"service"`
	Idco                 Idco             `json:"idco"`
}

// OAuth is one provider's block under <platform>.oauth, kept as raw keys: each
// provider checks the keys it needs.
type OAuth map[string]any

// Service holds uni-id's service block.
type Service struct {
	SMS *UniSMS `json:"sms"`
}

// UniSMS is uni-id's service.sms: the app name in messages, the code
// lifetime, and a template per scene. smsKey and smsSecret are DCloud's own
// SMS service keys, which idco does not use (its provider is idco.sms).
type UniSMS struct {
	Name          string              `json:"name"`
	CodeExpiresIn int                 `json:"codeExpiresIn"`
	SmsKey        string              `json:"smsKey"`
	SmsSecret     string              `json:"smsSecret"`
	Scene         map[string]SMSScene `json:"scene"`
}

// SMSScene is one scene's SMS template and optional code lifetime.
type SMSScene struct {
	TemplateID    string `json:"templateId"`
	CodeExpiresIn int    `json:"codeExpiresIn"`
}

// Idco holds idco's own keys. Unknown keys here are errors, since no uni-id
// file has them.
type Idco struct {
	// Registration is "open" (default) or "disabled": disabled refuses every
	// register method.
	Registration string `json:"registration"`
	// ThirdPartyRegistration is "open" (default: an unknown third-party
	// identity registers, as uni-id) or "bind-first" (it gets a bind ticket
	// to redeem by logging in or registering another way).
	ThirdPartyRegistration string `json:"thirdPartyRegistration"`
	// ThirdPartyDefaultRole, when set, is the roles of an account a
	// third-party login creates, in place of userRegisterDefaultRole (the
	// seed's oauth2.role); never admin.
	ThirdPartyDefaultRole []string `json:"thirdPartyDefaultRole"`
	// PasswordLogin, when false, refuses the login method.
	PasswordLogin *bool `json:"passwordLogin"`
	// ThirdPartyOnly is the seed's "禁用系统账号登录": no password, SMS or
	// email login or registration; third-party logins (WeChat, QQ, Alipay,
	// Apple, one-click) only. Binding a mobile or email stays.
	ThirdPartyOnly bool `json:"thirdPartyOnly"`
	// EnumerationProtection hides whether an account exists (default true).
	EnumerationProtection *bool `json:"enumerationProtection"`
	// CodeLoginEndsSessions makes a login by SMS or email code end the
	// account's other sessions (default true).
	CodeLoginEndsSessions *bool `json:"codeLoginEndsSessions"`
	// LoginCaptchaAfter is the number of failed password logins from one IP
	// for one account within two hours after which a captcha is required.
	LoginCaptchaAfter int `json:"loginCaptchaAfter"`
	// RefreshGraceSeconds is how long a just-rotated token still refreshes or
	// authenticates, so concurrent refreshes both succeed.
	RefreshGraceSeconds int `json:"refreshGraceSeconds"`
	// RecentLoginSeconds is how long after a real login (password, code,
	// third party; a refresh does not count) a session may bind or unbind
	// a login method or close the account (default 600).
	RecentLoginSeconds int `json:"recentLoginSeconds"`
	// NewChannelResetDelayHours is how long a newly bound mobile or email
	// cannot reset the password (default 24; 0 for no delay).
	NewChannelResetDelayHours *int          `json:"newChannelResetDelayHours"`
	Captcha                   CaptchaConfig `json:"captcha"`
	Argon2                    Argon2        `json:"argon2"`
	// SMS names the SMS provider and the phone regions codes may go to.
	SMS *SMSConfig `json:"sms"`
	// Email configures SES and the email texts.
	Email  *EmailConfig `json:"email"`
	Limits Limits       `json:"limits"`
	// Univerify names the one-click login phone-number provider.
	Univerify *UniverifyConfig `json:"univerify"`
	// Frv configures face verification (实人认证); the realname methods
	// refuse to run without it.
	Frv *FrvConfig `json:"frv"`
	// Admin configures administration.
	Admin AdminConfig `json:"admin"`
	// Audit configures the audit log.
	Audit AuditConfig `json:"audit"`
	// Access changes methods' access rules, as uni-id-co's
	// config/permission.js: method name -> rule.
	Access map[string]AccessRule `json:"access"`
	// QRLogin configures QR-code login: a web page signed in by the
	// user's confirmation in the WeChat mini program.
	QRLogin QRLoginConfig `json:"qrLogin"`
}

// QRLoginConfig is idco.qrLogin.
type QRLoginConfig struct {
	// Page is the mini-program page a scan opens ("pages/qr/confirm": no
	// leading slash, no query). With it and the mp-weixin block's weixin
	// appid and appsecret, a ticket's picture is a mini-program code
	// (wxacode.getUnlimited) whose scene is the ticket; without, a QR
	// code of URL?t=<ticket> drawn by idco.
	Page string `json:"page"`
	// EnvVersion is the mini program's version a code opens: "release"
	// (default), "trial" or "develop".
	EnvVersion string `json:"envVersion"`
	// CheckPath false lets a code name a page not yet released (WeChat's
	// check_path; default true).
	CheckPath *bool `json:"checkPath"`
	// URL is the address a drawn QR code carries, with ?t=<ticket>
	// added: default <issuer>/qr. Register it as the mini program's
	// "scan an ordinary link" (扫普通链接二维码打开小程序) prefix so that
	// WeChat's scanner opens the mini program.
	URL string `json:"url"`
	// PerIPPerHour and PerDevicePerHour cap the tickets one source and
	// one web device create (defaults 120 and 30: a page left open makes
	// one every 3 minutes).
	PerIPPerHour     int `json:"perIpPerHour"`
	PerDevicePerHour int `json:"perDevicePerHour"`
}

// QRCheckPath reports whether a mini-program code must name a released page.
func (c *Config) QRCheckPath() bool {
	return c.Idco.QRLogin.CheckPath == nil || *c.Idco.QRLogin.CheckPath
}

// AccessRule is one method's rule in idco.access. A rule with Role or
// Permission replaces the method's own lists, as permission.js does (one
// listed role and one listed permission are needed; the admin role passes
// all); Auth adds a login requirement and keeps the method's lists. No rule
// makes a method that needs a login or a role open to less.
type AccessRule struct {
	Auth       bool     `json:"auth"`
	Role       []string `json:"role"`
	Permission []string `json:"permission"`
}

// AuditConfig is idco.audit.
type AuditConfig struct {
	// RetentionDays is how long audit events are kept (default 180; 0
	// records none).
	RetentionDays *int `json:"retentionDays"`
}

// AdminConfig is idco.admin.
type AdminConfig struct {
	// SetupSecret lets a network caller create the first administrator
	// with registerAdmin, passing it as the setupSecret param along with a
	// captcha (scene register). Unset, only a trusted call can: a direct
	// Lambda invocation or the admin command line. 32+ characters.
	SetupSecret string `json:"setupSecret"`
}

// FrvConfig is idco.frv: uni-id-co's face verification runs inside uniCloud,
// so idco calls Aliyun's real-person verification (Cloudauth) with the
// operator's own AccessKey and scene, whose certifyId the app's face SDK
// scans with.
type FrvConfig struct {
	Provider        string `json:"provider"` // "aliyun", the default and only one
	AccessKeyID     string `json:"accessKeyId"`
	AccessKeySecret string `json:"accessKeySecret"`
	SceneID         int64  `json:"sceneId"`  // the scene made in the Cloudauth console
	Endpoint        string `json:"endpoint"` // host or base URL; default cloudauth.aliyuncs.com
	Model           string `json:"model"`    // optional liveness model, such as LIVENESS
}

// UniverifyConfig is idco.univerify: uni-app's one-click login only works
// inside uniCloud, so idco asks either a uniCloud URL-function proxy (signed
// with a shared secret) or Aliyun's number-verification API.
type UniverifyConfig struct {
	Provider        string `json:"provider"` // "unicloud" (default) or "aliyun"
	URL             string `json:"url"`      // the proxy's URL
	Secret          string `json:"secret"`   // shared with the proxy, 32+ characters
	AccessKeyID     string `json:"accessKeyId"`
	AccessKeySecret string `json:"accessKeySecret"`
}

// AppleAudiences are the bundle and service ids Apple tokens may be issued
// for: uni-id's app.oauth.apple.bundleId plus idco's optional audiences.
func (c *Config) AppleAudiences() []string {
	var out []string
	if b := c.OAuthString("apple", "bundleId"); b != "" {
		out = append(out, b)
	}
	if list, ok := c.OAuth["apple"]["audiences"].([]any); ok {
		for _, a := range list {
			if s, ok := a.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// OAuthString returns a string key of a provider's oauth block, or "".
func (c *Config) OAuthString(provider, key string) string {
	v, _ := c.OAuth[provider][key].(string)
	return v
}

// SMSConfig is idco.sms. The provider's own block (aliyun, tencent, awsEum,
// sns) is kept raw in Raw and checked by the SMS sender at start, so this
// package does not link any provider client.
type SMSConfig struct {
	Provider       string          `json:"provider"`
	AllowedRegions []string        `json:"allowedRegions"` // calling codes, default ["+86"]
	TestMode       bool            `json:"testMode"`       // dev server only: every SMS code is 123456
	TemplateParams []string        `json:"templateParams"` // template variables in order, default code, expMinute
	Raw            json.RawMessage `json:"-"`
}

// UnmarshalJSON keeps the whole block for the sender.
func (s *SMSConfig) UnmarshalJSON(b []byte) error {
	type plain SMSConfig
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*s = SMSConfig(p)
	s.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// EmailConfig is idco.email. The provider's own block (aliyun) is kept raw,
// and the whole block in Raw, for the email sender to decode and check at
// start (shared/email), so this package does not link any provider client.
type EmailConfig struct {
	Provider         string          `json:"provider"`         // "ses" (default) or "aliyun" (DirectMail)
	From             string          `json:"from"`             // the sender: a verified SES identity, or a DirectMail sender address
	ConfigurationSet string          `json:"configurationSet"` // SES only, optional
	Region           string          `json:"region"`           // SES only: its region, default the function's
	Aliyun           json.RawMessage `json:"aliyun"`           // DirectMail's block, idco.email.aliyun
	AppName          string          `json:"appName"`          // shown in messages; default service.sms.name
	CodeExpiresIn    int             `json:"codeExpiresIn"`    // seconds, default 300, at most 600
	Welcome          bool            `json:"welcome"`          // send a welcome email after registration
	Templates        json.RawMessage `json:"templates"`        // per scene and locale overrides
	Raw              json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes idco.email strictly, as every idco key is (a
// misspelt key is an error), and keeps the whole block for the sender.
func (e *EmailConfig) UnmarshalJSON(b []byte) error {
	type plain EmailConfig
	var p plain
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return err
	}
	*e = EmailConfig(p)
	e.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// Limits are the abuse limits on codes and password checks. A source is
// a client address: an IPv4 address or an IPv6 /64. Limits that a stranger
// could spend for someone else count per source; the few counted per
// destination across sources escalate (a captcha, the owner only) rather
// than refuse everyone.
type Limits struct {
	CooldownSeconds       int `json:"cooldownSeconds"`       // between sends to one destination and scene
	PerDestinationPerHour int `json:"perDestinationPerHour"` // sends from one source to one destination
	PerDestinationPerDay  int `json:"perDestinationPerDay"`
	// DestinationPerDay is sends to one destination from all sources, after
	// which only its owner's requests get a code: a token of the account
	// that holds it, or a source that has proved it with a code before.
	DestinationPerDay int `json:"destinationPerDay"`
	PerIPPerHour      int `json:"perIpPerHour"` // sends from one source
	PerIPPerDay       int `json:"perIpPerDay"`
	// PerPrefixPerDay is SMS sends to numbers that differ only in their
	// last four digits (SMS pumping walks a number range).
	PerPrefixPerDay  int `json:"perPrefixPerDay"`
	SMSDailyBudget   int `json:"smsDailyBudget"` // sends per day for the deployment
	EmailDailyBudget int `json:"emailDailyBudget"`
	// CodeMaxTries is the wrong tries, from all sources, that burn a code;
	// a source is stopped by VerifyFailures long before.
	CodeMaxTries int `json:"codeMaxTries"`
	// VerifyFailures is the failed checks from one source on one
	// destination within VerifyWindowSeconds after which that source's
	// checks and sends for it are refused.
	VerifyFailures      int `json:"verifyFailures"`
	VerifyWindowSeconds int `json:"verifyWindowSeconds"`
	// VerifyCaptchaAfter is the failed checks on one destination from all
	// sources within the window after which every check needs a captcha.
	VerifyCaptchaAfter int `json:"verifyCaptchaAfter"`
	// PasswordSourceCaptchaAfter is the failed password checks from one
	// source, whatever the accounts, within an hour after which its
	// password checks need a captcha; PasswordSourcePerHour refuses them,
	// and PasswordNetworkPerHour refuses an IPv6 /48's.
	PasswordSourceCaptchaAfter int `json:"passwordSourceCaptchaAfter"`
	PasswordSourcePerHour      int `json:"passwordSourcePerHour"`
	PasswordNetworkPerHour     int `json:"passwordNetworkPerHour"`
}

// CaptchaConfig tunes the image captcha.
type CaptchaConfig struct {
	ExpiresIn      int `json:"expiresIn"`      // seconds, default 180 (uni-captcha)
	Length         int `json:"length"`         // symbols, default 4
	PerIPPerMinute int `json:"perIpPerMinute"` // issuance cap, default 30
}

// Argon2 tunes password hashing.
type Argon2 struct {
	MemoryKiB uint32 `json:"memoryKiB"`
	Time      uint32 `json:"time"`
	Threads   uint8  `json:"threads"`
}

// PasswordLoginEnabled reports whether the login method is allowed.
func (c *Config) PasswordLoginEnabled() bool {
	return !c.Idco.ThirdPartyOnly && (c.Idco.PasswordLogin == nil || *c.Idco.PasswordLogin)
}

// SystemAccounts reports whether idco's own accounts (a username, mobile
// or email with a password or a code) may log in and register: not with
// idco.thirdPartyOnly.
func (c *Config) SystemAccounts() bool { return !c.Idco.ThirdPartyOnly }

// EnumerationProtected reports whether answers must hide account existence.
func (c *Config) EnumerationProtected() bool {
	return c.Idco.EnumerationProtection == nil || *c.Idco.EnumerationProtection
}

// CodeLoginEndsOthers reports whether a code login ends other sessions.
func (c *Config) CodeLoginEndsOthers() bool {
	return c.Idco.CodeLoginEndsSessions == nil || *c.Idco.CodeLoginEndsSessions
}

// RegistrationOpen reports whether register methods may create accounts.
func (c *Config) RegistrationOpen() bool { return c.Idco.Registration != "disabled" }

// TokenTTL is the lifetime of a token.
func (c *Config) TokenTTL() time.Duration { return time.Duration(c.TokenExpiresIn) * time.Second }

// TokenThreshold is the remaining lifetime under which a call gets a newToken.
func (c *Config) TokenThreshold() time.Duration {
	return time.Duration(c.TokenExpiresThreshold) * time.Second
}

// RefreshGrace is how long a rotated token stays usable.
func (c *Config) RefreshGrace() time.Duration {
	return time.Duration(c.Idco.RefreshGraceSeconds) * time.Second
}

// RecentLogin is how recent a real login must be for the methods that
// need one.
func (c *Config) RecentLogin() time.Duration {
	return time.Duration(c.Idco.RecentLoginSeconds) * time.Second
}

// NewChannelResetDelay is how long a newly bound mobile or email cannot
// reset the password.
func (c *Config) NewChannelResetDelay() time.Duration {
	return time.Duration(*c.Idco.NewChannelResetDelayHours) * time.Hour
}

// CaptchaTTL is a captcha's lifetime.
func (c *Config) CaptchaTTL() time.Duration {
	return time.Duration(c.Idco.Captcha.ExpiresIn) * time.Second
}

// PasswordErrorWindow is how long failed password attempts count.
func (c *Config) PasswordErrorWindow() time.Duration {
	return time.Duration(c.PasswordErrorRetryTime) * time.Second
}

// defaults are uni-id's code defaults plus idco's.
func defaults() map[string]any {
	return map[string]any{
		"tokenExpiresIn":         7200,
		"tokenExpiresThreshold":  1200,
		"maxTokenLength":         10,
		"passwordErrorLimit":     6,
		"passwordErrorRetryTime": 3600,
		"idCardCertifyLimit":     1,
		"realNameCertifyLimit":   5,
	}
}

// fillIdcoDefaults sets idco's defaults for keys left zero.
func fillIdcoDefaults(d *Idco) {
	if d.Registration == "" {
		d.Registration = "open"
	}
	if d.ThirdPartyRegistration == "" {
		d.ThirdPartyRegistration = "open"
	}
	if d.LoginCaptchaAfter == 0 {
		d.LoginCaptchaAfter = 3
	}
	if d.RefreshGraceSeconds == 0 {
		d.RefreshGraceSeconds = 10
	}
	if d.RecentLoginSeconds == 0 {
		d.RecentLoginSeconds = 600
	}
	if d.NewChannelResetDelayHours == nil {
		h := 24
		d.NewChannelResetDelayHours = &h
	}
	if d.Audit.RetentionDays == nil {
		days := 180
		d.Audit.RetentionDays = &days
	}
	if d.Captcha.ExpiresIn == 0 {
		d.Captcha.ExpiresIn = 180
	}
	if d.Captcha.Length == 0 {
		d.Captcha.Length = 4
	}
	if d.Captcha.PerIPPerMinute == 0 {
		d.Captcha.PerIPPerMinute = 30
	}
	if d.Argon2.MemoryKiB == 0 {
		d.Argon2.MemoryKiB = 19456
	}
	if d.Argon2.Time == 0 {
		d.Argon2.Time = 2
	}
	if d.Argon2.Threads == 0 {
		d.Argon2.Threads = 1
	}
	if d.SMS != nil && len(d.SMS.AllowedRegions) == 0 {
		d.SMS.AllowedRegions = []string{"+86"}
	}
	if d.Email != nil && d.Email.CodeExpiresIn == 0 {
		d.Email.CodeExpiresIn = 300
	}
	if d.QRLogin.EnvVersion == "" {
		d.QRLogin.EnvVersion = "release"
	}
	if d.QRLogin.PerIPPerHour == 0 {
		d.QRLogin.PerIPPerHour = 120
	}
	if d.QRLogin.PerDevicePerHour == 0 {
		d.QRLogin.PerDevicePerHour = 30
	}
	fillLimitDefaults(&d.Limits)
}

// fillLimitDefaults sets the default send and attempt limits (the security
// bar's figures; the README's "SMS and email codes" lists them) for limits
// left zero.
func fillLimitDefaults(l *Limits) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.CooldownSeconds, 60)
	def(&l.PerDestinationPerHour, 5)
	def(&l.PerDestinationPerDay, 10)
	def(&l.DestinationPerDay, 30)
	def(&l.PerIPPerHour, 20)
	def(&l.PerIPPerDay, 50)
	def(&l.PerPrefixPerDay, 100)
	def(&l.SMSDailyBudget, 1000)
	def(&l.EmailDailyBudget, 10000)
	def(&l.CodeMaxTries, 50)
	def(&l.VerifyFailures, 5)
	def(&l.VerifyWindowSeconds, 600)
	def(&l.VerifyCaptchaAfter, 10)
	def(&l.PasswordSourceCaptchaAfter, 5)
	def(&l.PasswordSourcePerHour, 30)
	def(&l.PasswordNetworkPerHour, 100)
}

// Limits returns the abuse limits.
func (c *Config) Limits() Limits { return c.Idco.Limits }

// AllowedRegions are the calling codes SMS may go to.
func (c *Config) AllowedRegions() []string {
	if c.Idco.SMS == nil {
		return []string{"+86"}
	}
	return c.Idco.SMS.AllowedRegions
}

// SMSCodeTTL is the lifetime of an SMS code for scene: the scene's
// codeExpiresIn, else service.sms.codeExpiresIn, else 180 s (uni-id).
func (c *Config) SMSCodeTTL(scene string) time.Duration {
	secs := 180
	if s := c.Service.SMS; s != nil {
		if s.CodeExpiresIn > 0 {
			secs = s.CodeExpiresIn
		}
		if sc, ok := s.Scene[scene]; ok && sc.CodeExpiresIn > 0 {
			secs = sc.CodeExpiresIn
		}
	}
	return time.Duration(secs) * time.Second
}

// EmailCodeTTL is the lifetime of an email code.
func (c *Config) EmailCodeTTL() time.Duration {
	if c.Idco.Email == nil {
		return 300 * time.Second
	}
	return time.Duration(c.Idco.Email.CodeExpiresIn) * time.Second
}

// AppName is the name messages are signed with.
func (c *Config) AppName() string {
	if c.Idco.Email != nil && c.Idco.Email.AppName != "" {
		return c.Idco.Email.AppName
	}
	if c.Service.SMS != nil {
		return c.Service.SMS.Name
	}
	return ""
}
