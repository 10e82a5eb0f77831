// Package families holds each function family's method table: which
// account method answers which uni-id-co method name, under which access
// rule (uni-id's config/permission.js). The Lambda functions, the dev server
// and the tests all serve these same tables.
package families

import (
	"maps"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
)

// Family builds one family's table from the service.
type Family func(s *account.Service) cloudobj.Table

// ByName maps each implemented family to its table builder.
func ByName() map[string]Family {
	return map[string]Family{
		"register":    Register,
		"login":       Login,
		"reset":       Reset,
		"captcha":     Captcha,
		"login-types": LoginTypes,
		"account":     Account,
		"bind":        Bind,
		"realname":    Realname,

		"send-sms-code":   SendSmsCode,
		"send-email-code": SendEmailCode,
		"uni-captcha-co":  UniCaptchaCo,
	}
}

// Register is the register function's table.
func Register(s *account.Service) cloudobj.Table {
	return cloudobj.Table{
		"registerAdmin": cloudobj.Bind(cloudobj.Anyone, s.RegisterAdmin),
		"registerUser":  cloudobj.Bind(cloudobj.Anyone, s.RegisterUser),

		"registerUserByEmail": cloudobj.Bind(cloudobj.Anyone, s.RegisterUserByEmail),
		"hasAdmin":            cloudobj.Bind(cloudobj.Anyone, s.HasAdmin),
	}
}

// Login is the login function's table.
func Login(s *account.Service) cloudobj.Table {
	return cloudobj.Table{
		"login":            cloudobj.Bind(cloudobj.Anyone, s.Login),
		"loginBySms":       cloudobj.Bind(cloudobj.Anyone, s.LoginBySms),
		"loginByEmailCode": cloudobj.Bind(cloudobj.Anyone, s.LoginByEmailCode),

		"loginByWeixin":       cloudobj.Bind(cloudobj.Anyone, s.LoginByWeixin),
		"loginByWeixinMobile": cloudobj.Bind(cloudobj.Anyone, s.LoginByWeixinMobile),
		"loginByQQ":           cloudobj.Bind(cloudobj.Anyone, s.LoginByQQ),
		"loginByAlipay":       cloudobj.Bind(cloudobj.Anyone, s.LoginByAlipay),
		"loginByApple":        cloudobj.Bind(cloudobj.Anyone, s.LoginByApple),
		"loginByUniverify":    cloudobj.Bind(cloudobj.Anyone, s.LoginByUniverify),
	}
}

// Reset is the reset function's table.
func Reset(s *account.Service) cloudobj.Table {
	return cloudobj.Table{
		"updatePwd":       cloudobj.Bind(cloudobj.LoggedIn, s.UpdatePwd),
		"setPwd":          cloudobj.Bind(cloudobj.LoggedIn, s.SetPwd),
		"resetPwdBySms":   cloudobj.Bind(cloudobj.Anyone, s.ResetPwdBySms),
		"resetPwdByEmail": cloudobj.Bind(cloudobj.Anyone, s.ResetPwdByEmail),
	}
}

// Captcha is the captcha function's table.
func Captcha(s *account.Service) cloudobj.Table {
	return cloudobj.Table{
		"createCaptcha":  cloudobj.Bind(cloudobj.Anyone, s.CreateCaptcha),
		"refreshCaptcha": cloudobj.Bind(cloudobj.Anyone, s.RefreshCaptcha),
	}
}

// LoginTypes is the login-types function's table.
func LoginTypes(s *account.Service) cloudobj.Table {
	return cloudobj.Table{
		"getSupportedLoginType": cloudobj.Bind(cloudobj.Anyone, s.GetSupportedLoginType),
	}
}

// Account is the account function's table.
func Account(s *account.Service) cloudobj.Table {
	return cloudobj.Table{
		"logout":         cloudobj.Bind(cloudobj.Access{Login: true, NoRefresh: true}, s.Logout),
		"refreshToken":   cloudobj.Bind(cloudobj.Anyone, s.RefreshToken),
		"getAccountInfo": cloudobj.Bind(cloudobj.LoggedIn, s.GetAccountInfo),
		"closeAccount":   cloudobj.Bind(cloudobj.LoggedIn, s.CloseAccount),

		"setPushCid":      cloudobj.Bind(cloudobj.LoggedIn, s.SetPushCid),
		"listDevices":     cloudobj.Bind(cloudobj.LoggedIn, s.ListDevices),
		"getRealNameInfo": cloudobj.Bind(cloudobj.LoggedIn, s.GetRealNameInfo),
		"getProfile":      cloudobj.Bind(cloudobj.LoggedIn, s.GetProfile),
		"updateProfile":   cloudobj.Bind(cloudobj.LoggedIn, s.UpdateProfile),
	}
}

// Bind is the bind function's table.
func Bind(s *account.Service) cloudobj.Table {
	return cloudobj.Table{
		"bindMobileBySms": cloudobj.Bind(cloudobj.LoggedIn, s.BindMobileBySms),
		"bindEmailByCode": cloudobj.Bind(cloudobj.LoggedIn, s.BindEmailByCode),

		"bindMobileByUniverify": cloudobj.Bind(cloudobj.LoggedIn, s.BindMobileByUniverify),
		"bindMobileByMpWeixin":  cloudobj.Bind(cloudobj.LoggedIn, s.BindMobileByMpWeixin),
		"bindWeixin":            cloudobj.Bind(cloudobj.LoggedIn, s.BindWeixin),
		"bindQQ":                cloudobj.Bind(cloudobj.LoggedIn, s.BindQQ),
		"bindAlipay":            cloudobj.Bind(cloudobj.LoggedIn, s.BindAlipay),
		"bindApple":             cloudobj.Bind(cloudobj.LoggedIn, s.BindApple),
		"unbindWeixin":          cloudobj.Bind(cloudobj.LoggedIn, s.UnbindWeixin),
		"unbindQQ":              cloudobj.Bind(cloudobj.LoggedIn, s.UnbindQQ),
		"unbindAlipay":          cloudobj.Bind(cloudobj.LoggedIn, s.UnbindAlipay),
		"unbindApple":           cloudobj.Bind(cloudobj.LoggedIn, s.UnbindApple),
	}
}

// Realname is the realname function's table: face verification, the one
// family that handles ID numbers.
func Realname(s *account.Service) cloudobj.Table {
	return cloudobj.Table{
		"getFrvCertifyId":  cloudobj.Bind(cloudobj.LoggedIn, s.GetFrvCertifyID),
		"getFrvAuthResult": cloudobj.Bind(cloudobj.LoggedIn, s.GetFrvAuthResult),
	}
}

// SendSmsCode is the send-sms-code function's table.
func SendSmsCode(s *account.Service) cloudobj.Table {
	return cloudobj.Table{"sendSmsCode": cloudobj.Bind(cloudobj.Anyone, s.SendSmsCode)}
}

// SendEmailCode is the send-email-code function's table.
func SendEmailCode(s *account.Service) cloudobj.Table {
	return cloudobj.Table{"sendEmailCode": cloudobj.Bind(cloudobj.Anyone, s.SendEmailCode)}
}

// UniCaptchaCo is uni-captcha's own cloud object, uni-captcha-co: every
// captcha picture uni-id-pages shows comes from its getImageCaptcha.
func UniCaptchaCo(s *account.Service) cloudobj.Table {
	return cloudobj.Table{"getImageCaptcha": cloudobj.Bind(cloudobj.Anyone, s.GetImageCaptcha)}
}

// All merges the tables of every family of the uni-id-co cloud object, for
// the dev server's /uni-id-co route that serves any of its methods from one
// URL. uni-captcha-co keeps its own route.
func All(s *account.Service) cloudobj.Table {
	all := cloudobj.Table{}
	for name, f := range ByName() {
		if cloudobj.ObjectOf(name) == cloudobj.UniIDCo {
			maps.Copy(all, f(s))
		}
	}
	return all
}
