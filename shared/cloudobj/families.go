package cloudobj

// Families lists every function family and the methods it serves (DESIGN
// section 3). It holds names only, so a function can tell a caller which
// function serves a method without linking that function's code.
var Families = map[string][]string{
	"register":        {"registerAdmin", "registerUser", "registerUserByEmail"},
	"login":           {"login", "loginBySms", "loginByEmailCode", "loginByWeixin", "loginByWeixinMobile", "loginByQQ", "loginByAlipay", "loginByApple", "loginByUniverify"},
	"bind":            {"bindMobileBySms", "bindEmailByCode", "bindMobileByUniverify", "bindMobileByMpWeixin", "bindWeixin", "bindQQ", "bindAlipay", "bindApple", "unbindWeixin", "unbindQQ", "unbindAlipay", "unbindApple"},
	"reset":           {"resetPwdBySms", "resetPwdByEmail", "updatePwd", "setPwd"},
	"captcha":         {"createCaptcha", "refreshCaptcha"},
	"send-sms-code":   {"sendSmsCode"},
	"send-email-code": {"sendEmailCode"},
	"login-types":     {"getSupportedLoginType"},
	"account":         {"logout", "refreshToken", "getAccountInfo", "closeAccount", "acceptInvite", "getInvitedUser", "setPushCid"},
	"admin":           {"addUser", "updateUser", "authorizeAppLogin", "removeAuthorizedApp", "setAuthorizedApp"},
}

// FamilyOf returns the family that serves method, or "".
func FamilyOf(method string) string {
	for f, ms := range Families {
		for _, m := range ms {
			if m == method {
				return f
			}
		}
	}
	return ""
}
