package cloudobj

import "slices"

// Families lists every function family and the methods it serves: exactly
// the methods of shared/families' tables, which a test checks, so
// uni-id-wrong-function names only a function that exists and serves the
// method. It holds names only, so a function can tell a caller
// which function serves a method without linking that function's code.
var Families = map[string][]string{
	"register":        {"registerAdmin", "registerUser", "registerUserByEmail", "hasAdmin"},
	"login":           {"login", "loginBySms", "loginByEmailCode", "loginByWeixin", "loginByWeixinMobile", "loginByQQ", "loginByAlipay", "loginByApple", "loginByUniverify"},
	"bind":            {"bindMobileBySms", "bindEmailByCode", "bindMobileByUniverify", "bindMobileByMpWeixin", "bindWeixin", "bindQQ", "bindAlipay", "bindApple", "unbindWeixin", "unbindQQ", "unbindAlipay", "unbindApple"},
	"reset":           {"resetPwdBySms", "resetPwdByEmail", "updatePwd", "setPwd"},
	"captcha":         {"createCaptcha", "refreshCaptcha"},
	"send-sms-code":   {"sendSmsCode"},
	"send-email-code": {"sendEmailCode"},
	"login-types":     {"getSupportedLoginType"},
	"account":         {"logout", "refreshToken", "getAccountInfo", "closeAccount", "setPushCid", "listDevices", "getRealNameInfo", "getProfile", "updateProfile"},
	"uni-captcha-co":  {"getImageCaptcha"},
	"realname":        {"getFrvCertifyId", "getFrvAuthResult"},
}

// The cloud objects idco serves: a uni-app client imports these by name,
// and a client adapter with one base URL reaches their methods as
// <base>/<object>/<method>.
const (
	UniIDCo      = "uni-id-co"
	UniCaptchaCo = "uni-captcha-co"
)

// ObjectOf returns the cloud object whose methods family serves.
func ObjectOf(family string) string {
	if family == UniCaptchaCo {
		return UniCaptchaCo
	}
	return UniIDCo
}

// FamilyOf returns the family that serves method, or "".
func FamilyOf(method string) string {
	for f, ms := range Families {
		if slices.Contains(ms, method) {
			return f
		}
	}
	return ""
}
