package account_test

import (
	"fmt"

	"github.com/idco-dev/idco/shared/account"
)

// codeBenches are the methods of SMS and email codes. Each op's code is
// sent in its pause, after the earlier ops' counters and cooldowns are
// forgotten.
func codeBenches() []methodBench {
	return []methodBench{
		{name: "sendSmsCode", row: "`sendSmsCode`",
			what: "DeleteItem (take the captcha), BatchGetItem (this source's failed checks of the number: none is sent while they lock it), TransactWriteItems (the cooldown; 7 counters: source and number per hour and per day, source per hour and per day, number prefix per day, number per day, the SMS budget; the code), BatchGetItem (the budget, for its metric), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				return func(_ int, pause func(func())) {
					var answer string
					pause(func() { x.forget(); answer = x.Captcha(x.tb, c, "send-sms-code") })
					x.call(c, "send-sms-code", "sendSmsCode", map[string]any{"mobile": phone, "scene": "login-by-sms", "captcha": answer}, "0")
				}
			}},
		{name: "sendSmsCode/delivery-fails", row: "`sendSmsCode`, the delivery fails",
			what: "DeleteItem (take the captcha), BatchGetItem (this source's failed checks of the number), TransactWriteItems (the cooldown, the counters and the code), TransactWriteItems (all of them given back), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				x.Sent.Fail(account.ErrDeliveryRetryable)
				return func(_ int, pause func(func())) {
					var answer string
					pause(func() { x.forget(); answer = x.Captcha(x.tb, c, "send-sms-code") })
					x.call(c, "send-sms-code", "sendSmsCode", map[string]any{"mobile": phone, "scene": "login-by-sms", "captcha": answer}, "uni-id-send-failed")
				}
			}},
		{name: "sendEmailCode", row: "`sendEmailCode`",
			what: "DeleteItem (take the captcha), BatchGetItem (this source's failed checks of the address), TransactWriteItems (the cooldown; 6 counters: source and address per hour and per day, source per hour and per day, address per day, the email budget; the code), BatchGetItem (the budget, for its metric), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				return func(_ int, pause func(func())) {
					var answer string
					pause(func() { x.forget(); answer = x.Captcha(x.tb, c, "send-email-code") })
					x.call(c, "send-email-code", "sendEmailCode", map[string]any{"email": "bob@example.com", "scene": "login-by-email", "captcha": answer}, "0")
				}
			}},
		{name: "loginBySms", row: "`loginBySms`",
			what: "the code check, GetItem (the mobile key), GetItem (the user), PutItem (the user with the new session), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				x.call(c, "login", "loginBySms", map[string]any{"mobile": phone, "code": x.smsCode(c, phone, "login-by-sms")}, "0")
				return func(_ int, pause func(func())) {
					var code string
					pause(func() { code = x.smsCode(c, phone, "login-by-sms") })
					x.call(signedOut(c), "login", "loginBySms", map[string]any{"mobile": phone, "code": code}, "0")
				}
			}},
		{name: "loginBySms/new-account", row: "`loginBySms`, a new account",
			what: "the code check, GetItem (the mobile key: none), TransactWriteItems (the user, its first session in it, and the mobile key), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				return func(i int, pause func(func())) {
					var code string
					pause(func() { code = x.smsCode(c, benchMobile(i), "login-by-sms") })
					x.call(signedOut(c), "login", "loginBySms", map[string]any{"mobile": benchMobile(i), "code": code}, "0")
				}
			}},
		{name: "loginBySms/wrong-code", row: "`loginBySms`, wrong code",
			what: "UpdateItem (reserve this source's check of the number), BatchGetItem (every source's failures on it: a captcha past the threshold), UpdateItem (count a try of the code: wrong), UpdateItem (count a failure on the number), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				return func(_ int, pause func(func())) {
					wrong := "000000"
					pause(func() {
						if x.smsCode(c, phone, "login-by-sms") == wrong {
							wrong = "111111"
						}
					})
					x.call(c, "login", "loginBySms", map[string]any{"mobile": phone, "code": wrong}, "uni-id-mobile-verify-code-error")
				}
			}},
		{name: "loginByEmailCode", row: "`loginByEmailCode`",
			what: "the code check, GetItem (the email key), GetItem (the user), PutItem (the user with the new session), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				const email = "bob@example.com"
				x.call(c, "login", "loginByEmailCode", map[string]any{"email": email, "code": x.emailCode(c, email, "login-by-email")}, "0")
				return func(_ int, pause func(func())) {
					var code string
					pause(func() { code = x.emailCode(c, email, "login-by-email") })
					x.call(signedOut(c), "login", "loginByEmailCode", map[string]any{"email": email, "code": code}, "0")
				}
			}},
		{name: "registerUserByEmail", row: "`registerUserByEmail`",
			what: "the code check, TransactWriteItems (the user, its first session in it, and the email key), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				return func(i int, pause func(func())) {
					email := fmt.Sprintf("user%d@example.com", i)
					var code string
					pause(func() { code = x.emailCode(c, email, "register") })
					x.call(signedOut(c), "register", "registerUserByEmail", map[string]any{"email": email, "password": benchPassword, "code": code}, "0")
				}
			}},
		{name: "resetPwdBySms", row: "`resetPwdBySms`",
			what: "the code check, GetItem (the mobile key), GetItem (the user), PutItem (the new hash, every session ended), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				x.call(c, "login", "loginBySms", map[string]any{"mobile": phone, "code": x.smsCode(c, phone, "login-by-sms")}, "0")
				return func(i int, pause func(func())) {
					var code string
					pause(func() { code = x.smsCode(c, phone, "reset-pwd-by-sms") })
					x.call(c, "reset", "resetPwdBySms", map[string]any{"mobile": phone, "code": code, "password": fmt.Sprintf("password number %d", i)}, "0")
				}
			}},
		{name: "resetPwdByEmail", row: "`resetPwdByEmail`",
			what: "the code check, GetItem (the email key), GetItem (the user), PutItem (the new hash, every session ended), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				const email = "bob@example.com"
				x.call(c, "login", "loginByEmailCode", map[string]any{"email": email, "code": x.emailCode(c, email, "login-by-email")}, "0")
				return func(i int, pause func(func())) {
					var code string
					pause(func() { code = x.emailCode(c, email, "reset-pwd-by-email") })
					x.call(c, "reset", "resetPwdByEmail", map[string]any{"email": email, "code": code, "password": fmt.Sprintf("password number %d", i)}, "0")
				}
			}},
		{name: "setPwd", row: "`setPwd`",
			what: "GetItem (the caller), the code check, PutItem (the new hash, the caller's session moved, the others ended), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				x.call(c, "login", "loginBySms", map[string]any{"mobile": phone, "code": x.smsCode(c, phone, "login-by-sms")}, "0")
				return func(i int, pause func(func())) {
					var code string
					pause(func() { code = x.smsCode(c, phone, "set-pwd-by-sms") })
					x.call(c, "reset", "setPwd", map[string]any{"password": fmt.Sprintf("password number %d", i), "code": code}, "0")
				}
			}},
		{name: "bindMobileBySms", row: "`bindMobileBySms`, replacing a mobile",
			what: "GetItem (the caller), the code check, TransactWriteItems (the user, the new mobile key claimed, the old one released), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.user("web", "alice_1")
				x.call(c, "bind", "bindMobileBySms", map[string]any{"mobile": phone, "code": x.smsCode(c, phone, "bind-mobile-by-sms")}, "0")
				return func(i int, pause func(func())) {
					var code string
					pause(func() { code = x.smsCode(c, benchMobile(i), "bind-mobile-by-sms") })
					x.call(c, "bind", "bindMobileBySms", map[string]any{"mobile": benchMobile(i), "code": code}, "0")
				}
			}},
		{name: "bindEmailByCode", row: "`bindEmailByCode`, replacing an email",
			what: "GetItem (the caller), the code check, TransactWriteItems (the user, the new email key claimed, the old one released), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.user("web", "alice_1")
				x.call(c, "bind", "bindEmailByCode", map[string]any{"email": "bob@example.com", "code": x.emailCode(c, "bob@example.com", "bind-email")}, "0")
				return func(i int, pause func(func())) {
					email := fmt.Sprintf("user%d@example.com", i)
					var code string
					pause(func() { code = x.emailCode(c, email, "bind-email") })
					x.call(c, "bind", "bindEmailByCode", map[string]any{"email": email, "code": code}, "0")
				}
			}},
	}
}
