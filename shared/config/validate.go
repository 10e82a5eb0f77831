package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/internal/httpcall"
	"github.com/idco-dev/idco/shared/internal/lazyre"
)

// MinTokenSecret is the shortest tokenSecret accepted: HS256 needs a key of
// at least 256 bits (RFC 8725 section 3.5).
const MinTokenSecret = 32

// PasswordSecret is one entry of uni-id's passwordSecret.
type PasswordSecret struct {
	Type    string `json:"type"`
	Value   string `json:"value"`
	Version int    `json:"version"`
}

// PasswordSecrets is uni-id's passwordSecret: a string (one hmac-sha1 secret
// without a version) or an array of versioned secrets, kept oldest first.
type PasswordSecrets []PasswordSecret

// UnmarshalJSON accepts both of uni-id's forms.
func (p *PasswordSecrets) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*p = PasswordSecrets{{Type: "hmac-sha1", Value: s}}
		return nil
	}
	var list []PasswordSecret
	if err := json.Unmarshal(b, &list); err != nil {
		return errors.New("want a string or an array of {type, value, version}")
	}
	for i := range list {
		if list[i].Type == "" {
			list[i].Type = "hmac-sha1"
		}
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].Version < list[j].Version })
	*p = list
	return nil
}

var strengthLevels = map[string]bool{"": true, "super": true, "strong": true, "medium": true, "weak": true}

// validate lists every problem of an effective config.
func validate(c *Config, where string) Problems {
	checks := []struct {
		bad bool
		msg string
	}{
		{c.TokenSecret == "", "tokenSecret: required"},
		{c.TokenSecret != "" && len(c.TokenSecret) < MinTokenSecret,
			fmt.Sprintf("tokenSecret: must be at least %d bytes (use 32+ random bytes)", MinTokenSecret)},
		{c.TokenExpiresIn <= 0, "tokenExpiresIn: must be a positive number of seconds"},
		{c.TokenExpiresThreshold < 0, "tokenExpiresThreshold: must not be negative"},
		{c.TokenExpiresIn > 0 && c.TokenExpiresThreshold >= c.TokenExpiresIn,
			"tokenExpiresThreshold: must be less than tokenExpiresIn"},
		{c.MaxTokenLength < 1, "maxTokenLength: must be at least 1"},
		{c.PasswordErrorLimit < 1, "passwordErrorLimit: must be at least 1"},
		{c.PasswordErrorRetryTime < 1, "passwordErrorRetryTime: must be at least 1 second"},
		{!strengthLevels[c.PasswordStrength], "passwordStrength: must be one of super, strong, medium, weak"},
		{c.Idco.Registration != "open" && c.Idco.Registration != "disabled",
			`idco.registration: must be "open" or "disabled"`},
		{c.Idco.ThirdPartyRegistration != "open" && c.Idco.ThirdPartyRegistration != "bind-first",
			`idco.thirdPartyRegistration: must be "open" or "bind-first"`},
		{slices.Contains(c.Idco.ThirdPartyDefaultRole, "admin"),
			"idco.thirdPartyDefaultRole: must not include admin (anyone with an account at the provider would be one)"},
		{slices.Contains(c.Idco.ThirdPartyDefaultRole, ""), "idco.thirdPartyDefaultRole: a role id is empty"},
		{c.Idco.LoginCaptchaAfter < 1, "idco.loginCaptchaAfter: must be at least 1"},
		{c.Idco.RecentLoginSeconds < 60 || c.Idco.RecentLoginSeconds > 86400, "idco.recentLoginSeconds: must be 60 to 86400"},
		{*c.Idco.NewChannelResetDelayHours < 0 || *c.Idco.NewChannelResetDelayHours > 720, "idco.newChannelResetDelayHours: must be 0 to 720"},
		{c.Idco.RefreshGraceSeconds < 1 || c.Idco.RefreshGraceSeconds > 60,
			"idco.refreshGraceSeconds: must be 1 to 60"},
		{c.Idco.Captcha.ExpiresIn < 10 || c.Idco.Captcha.ExpiresIn > 600, "idco.captcha.expiresIn: must be 10 to 600"},
		{c.Idco.Captcha.Length < 4 || c.Idco.Captcha.Length > 8, "idco.captcha.length: must be 4 to 8"},
		{c.Idco.Captcha.PerIPPerMinute < 1, "idco.captcha.perIpPerMinute: must be at least 1"},
		{c.Idco.Argon2.MemoryKiB < 8192, "idco.argon2.memoryKiB: must be at least 8192"},
		{c.Idco.Argon2.MemoryKiB > 1<<20, "idco.argon2.memoryKiB: must be at most 1048576"},
		{c.Idco.Argon2.Time < 1 || c.Idco.Argon2.Time > 10, "idco.argon2.time: must be 1 to 10"},
		{c.Idco.Argon2.Threads > 16, "idco.argon2.threads: must be 1 to 16"},
		{c.SensitiveInfoEncryptSecret != "" && len(c.SensitiveInfoEncryptSecret) != 32,
			"sensitiveInfoEncryptSecret: must be exactly 32 bytes"},
		{c.IDCardCertifyLimit < 0 || c.IDCardCertifyLimit > 100,
			"idCardCertifyLimit: must be 0 to 100 (each account of a number is one key item to read and claim)"},
		{c.RealNameCertifyLimit < 0, "realNameCertifyLimit: must not be negative"},
		{*c.Idco.Audit.RetentionDays < 0 || *c.Idco.Audit.RetentionDays > 3650, "idco.audit.retentionDays: must be 0 to 3650"},
		{c.Idco.Admin.SetupSecret != "" && len(c.Idco.Admin.SetupSecret) < MinTokenSecret,
			fmt.Sprintf("idco.admin.setupSecret: must be at least %d characters (use 32+ random bytes)", MinTokenSecret)},
	}
	var probs Problems
	for _, ch := range checks {
		if ch.bad {
			probs = append(probs, where+ch.msg)
		}
	}
	probs = append(probs, validateCodes(c, where)...)
	probs = append(probs, validateQRLogin(c, where)...)
	for _, m := range slices.Sorted(maps.Keys(c.Idco.Access)) {
		r := c.Idco.Access[m]
		switch {
		case cloudobj.FamilyOf(m) == "":
			probs = append(probs, where+"idco.access."+m+": no such method")
		case r.Role != nil && len(r.Role) == 0, r.Permission != nil && len(r.Permission) == 0:
			probs = append(probs, where+"idco.access."+m+": an empty role or permission list is not supported (leave it out)")
		case !r.Auth && r.Role == nil && r.Permission == nil:
			probs = append(probs, where+"idco.access."+m+": says nothing (set auth, role or permission)")
		}
	}
	seen := map[int]bool{}
	for i, s := range c.PasswordSecret {
		if s.Type != "hmac-sha1" && s.Type != "hmac-sha256" {
			probs = append(probs, fmt.Sprintf("%spasswordSecret[%d].type: must be hmac-sha1 or hmac-sha256", where, i))
		}
		if s.Type == "hmac-sha1" && s.Value == "" {
			probs = append(probs, fmt.Sprintf("%spasswordSecret[%d].value: required for hmac-sha1", where, i))
		}
		if seen[s.Version] {
			probs = append(probs, fmt.Sprintf("%spasswordSecret[%d].version: %d appears twice", where, i, s.Version))
		}
		seen[s.Version] = true
	}
	return probs
}

var regionRE = lazyre.New(`^\+[1-9][0-9]{0,3}$`)

// validateCodes checks the SMS, email and limit keys.
func validateCodes(c *Config, where string) Problems {
	var probs Problems
	add := func(bad bool, msg string) {
		if bad {
			probs = append(probs, where+msg)
		}
	}
	if s := c.Service.SMS; s != nil {
		add(s.CodeExpiresIn < 0 || s.CodeExpiresIn > 600, "service.sms.codeExpiresIn: must be at most 600 seconds")
		for name, sc := range s.Scene {
			add(!SMSScenes[name], fmt.Sprintf("service.sms.scene.%s: not an SMS scene", name))
			add(sc.CodeExpiresIn < 0 || sc.CodeExpiresIn > 600, fmt.Sprintf("service.sms.scene.%s.codeExpiresIn: must be at most 600 seconds", name))
		}
	}
	if s := c.Idco.SMS; s != nil {
		for i, r := range s.AllowedRegions {
			add(!regionRE.MatchString(r), fmt.Sprintf("idco.sms.allowedRegions[%d]: want a calling code such as \"+86\"", i))
		}
	}
	if e := c.Idco.Email; e != nil {
		add(e.From == "" || !strings.Contains(e.From, "@"), "idco.email.from: required, the sender address (a verified SES identity, or a DirectMail sender address)")
		add(e.CodeExpiresIn < 60 || e.CodeExpiresIn > 600, "idco.email.codeExpiresIn: must be 60 to 600 seconds")
	}
	if u := c.Idco.Univerify; u != nil {
		switch u.Provider {
		case "", "unicloud":
			add(!strings.HasPrefix(u.URL, "https://") && !strings.HasPrefix(u.URL, "http://"), "idco.univerify.url: required, the uniCloud proxy's URL")
			add(len(u.Secret) < 32, "idco.univerify.secret: required, 32 or more characters")
		case "aliyun":
			add(u.AccessKeyID == "" || u.AccessKeySecret == "", "idco.univerify: aliyun needs accessKeyId and accessKeySecret")
		default:
			add(true, `idco.univerify.provider: must be "unicloud" or "aliyun"`)
		}
	}
	probs = append(probs, validateFrv(c, where)...)
	l := c.Limits()
	for name, v := range map[string]int{"cooldownSeconds": l.CooldownSeconds, "perDestinationPerHour": l.PerDestinationPerHour,
		"perDestinationPerDay": l.PerDestinationPerDay, "destinationPerDay": l.DestinationPerDay, "perIpPerHour": l.PerIPPerHour,
		"perIpPerDay": l.PerIPPerDay, "perPrefixPerDay": l.PerPrefixPerDay, "smsDailyBudget": l.SMSDailyBudget,
		"emailDailyBudget": l.EmailDailyBudget, "codeMaxTries": l.CodeMaxTries, "verifyFailures": l.VerifyFailures,
		"verifyWindowSeconds": l.VerifyWindowSeconds, "verifyCaptchaAfter": l.VerifyCaptchaAfter,
		"passwordSourceCaptchaAfter": l.PasswordSourceCaptchaAfter, "passwordSourcePerHour": l.PasswordSourcePerHour,
		"passwordNetworkPerHour": l.PasswordNetworkPerHour} {
		add(v < 1, "idco.limits."+name+": must be at least 1")
	}
	// A six-digit code guessed at codeMaxTries tries has that many chances
	// in a million.
	add(l.CodeMaxTries > 100, "idco.limits.codeMaxTries: must be at most 100")
	return probs
}

// SMSScenes are uni-id's SMS_SCENE values.
var SMSScenes = map[string]bool{"login-by-sms": true, "reset-pwd-by-sms": true, "bind-mobile-by-sms": true, "set-pwd-by-sms": true}

// EmailScenes are uni-id's EMAIL_SCENE values.
var EmailScenes = map[string]bool{"register": true, "login-by-email": true, "reset-pwd-by-email": true, "bind-email": true}

var frvModelRE = lazyre.New(`^[A-Z][A-Z_]{0,31}$`)

// validateFrv checks idco.frv, naming every missing key.
func validateFrv(c *Config, where string) Problems {
	f := c.Idco.Frv
	if f == nil {
		return nil
	}
	var probs Problems
	add := func(bad bool, msg string) {
		if bad {
			probs = append(probs, where+msg)
		}
	}
	add(f.Provider != "" && f.Provider != "aliyun", `idco.frv.provider: must be "aliyun"`)
	add(f.AccessKeyID == "", "idco.frv.accessKeyId: required")
	add(f.AccessKeySecret == "", "idco.frv.accessKeySecret: required")
	add(f.SceneID <= 0, "idco.frv.sceneId: required, the scene id of the Cloudauth console")
	add(f.Model != "" && !frvModelRE.MatchString(f.Model), "idco.frv.model: want a model name such as LIVENESS")
	add(c.SensitiveInfoEncryptSecret == "", "sensitiveInfoEncryptSecret: required by idco.frv (32 bytes)")
	if f.Endpoint != "" {
		u, err := httpcall.BaseURL(f.Endpoint, "")
		switch {
		case err != nil:
			add(true, "idco.frv.endpoint: "+err.Error())
		case u.Scheme == "http" && !loopback(u.Hostname()):
			// Names and ID numbers travel in the request.
			add(true, "idco.frv.endpoint: must be https (http only to 127.0.0.1 or localhost)")
		}
	}
	return probs
}

// qrPageRE is a mini-program page path as WeChat takes it: no leading
// slash, no query (the scene carries the ticket).
var qrPageRE = lazyre.New(`^[A-Za-z0-9_-][A-Za-z0-9_./-]{0,127}$`)

// validateQRLogin checks idco.qrLogin.
func validateQRLogin(c *Config, where string) Problems {
	q := c.Idco.QRLogin
	var probs Problems
	add := func(bad bool, msg string) {
		if bad {
			probs = append(probs, where+msg)
		}
	}
	add(q.Page != "" && !qrPageRE.MatchString(q.Page), `idco.qrLogin.page: want a page path such as "pages/qr/confirm" (no leading slash, no query)`)
	add(q.EnvVersion != "release" && q.EnvVersion != "trial" && q.EnvVersion != "develop", `idco.qrLogin.envVersion: must be "release", "trial" or "develop"`)
	add(q.PerIPPerHour < 1, "idco.qrLogin.perIpPerHour: must be at least 1")
	add(q.PerDevicePerHour < 1, "idco.qrLogin.perDevicePerHour: must be at least 1")
	if q.URL != "" {
		u, err := url.Parse(q.URL)
		switch {
		case err != nil || !u.IsAbs() || u.Host == "" || u.User != nil || u.Fragment != "" || len(q.URL) > 200:
			add(true, "idco.qrLogin.url: want an absolute URL of at most 200 bytes, without user info or fragment")
		case u.Scheme == "http" && !loopback(u.Hostname()), u.Scheme != "http" && u.Scheme != "https":
			add(true, "idco.qrLogin.url: must be https (http only to 127.0.0.1 or localhost)")
		}
	}
	return probs
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
