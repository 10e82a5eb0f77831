package account_test

import (
	"fmt"
	"slices"
	"time"

	"github.com/idco-dev/idco/shared/testenv"
)

// methodBenches are the README's method rows, in its order: captchas,
// password accounts, sessions, codes, third parties, face verification.
// The code, third-party and face ones are in bench_codes_test.go and
// bench_third_test.go.
func methodBenches() []methodBench {
	return slices.Concat(passwordBenches(), codeBenches(), thirdPartyBenches(), realNameBenches(), openPlatformBenches())
}

func passwordBenches() []methodBench {
	return []methodBench{
		{name: "createCaptcha", row: "`createCaptcha`",
			what: "UpdateItem (the per-IP captcha counter), PutItem (the captcha)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				return func(int, func(func())) {
					x.call(c, "captcha", "createCaptcha", map[string]any{"scene": "register"}, "0")
				}
			}},
		{name: "createCaptcha/later-slot", row: "`createCaptcha`, first in a later slot of its counter",
			what: "UpdateItem (the per-IP captcha counter: refused, its ring is behind), UpdateItem (the ring moved on and the hit counted), PutItem (the captcha)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				x.call(c, "captcha", "createCaptcha", map[string]any{"scene": "register"}, "0")
				return func(_ int, pause func(func())) {
					pause(func() { x.Clock.Advance(5 * time.Second) }) // a slot of the 60 s window
					x.call(c, "captcha", "createCaptcha", map[string]any{"scene": "register"}, "0")
				}
			}},
		{name: "refreshCaptcha", row: "`refreshCaptcha`",
			what: "UpdateItem (the per-IP captcha counter, first: a refused refresh leaves the old captcha), DeleteItem (the old captcha), PutItem (the new one)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				x.Captcha(x.tb, c, "register")
				return func(int, func(func())) {
					x.call(c, "captcha", "refreshCaptcha", map[string]any{"scene": "register"}, "0")
				}
			}},
		{name: "registerUser", row: "`registerUser`",
			what: "DeleteItem (take the captcha), TransactWriteItems (the user, its first session in it, and the username key), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				return func(i int, pause func(func())) {
					var answer string
					pause(func() { answer = x.Captcha(x.tb, c, "register") })
					x.call(signedOut(c), "register", "registerUser", map[string]any{
						"username": fmt.Sprintf("user_%d", i), "password": benchPassword, "captcha": answer}, "0")
				}
			}},
		{name: "registerAdmin/exists", row: "`registerAdmin`, an admin exists",
			what: "GetItem (the `role:admin` key), GetItem (its owner: of this app or another), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				if r := x.RegisterAdmin(x.tb, c, "admin", "admin password"); r.Code() != "0" {
					x.tb.Fatalf("registerAdmin: %s", r.Raw)
				}
				return func(int, func(func())) {
					x.call(c, "register", "registerAdmin", map[string]any{"username": "admin2", "password": "admin password"}, "uni-id-admin-exists")
				}
			}},
		{name: "hasAdmin", row: "`hasAdmin`",
			what: "GetItem (the `role:admin` key), GetItem (its owner: of this app or another)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				x.RegisterAdmin(x.tb, c, "admin", "admin password")
				return func(int, func(func())) { x.call(c, "register", "hasAdmin", nil, "0") }
			}},
		{name: "login", row: "`login`",
			what: "UpdateItem (count the try: this source and account), BatchGetItem (this source's failures on any account), GetItem (the username key), GetItem (the user), DeleteItem (clear the account's count), PutItem (the user with the new session), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.user("web", "alice_1")
				return func(int, func(func())) {
					x.call(signedOut(c), "login", "login", map[string]any{"username": "alice_1", "password": benchPassword}, "0")
				}
			}},
		{name: "login/captcha", row: "`login`, a captcha due",
			what: "UpdateItem (count the try: this source and account), BatchGetItem (this source's failures on any account), DeleteItem (take the captcha), GetItem (the username key), GetItem (the user), DeleteItem (clear the account's count), PutItem (the user with the new session), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.user("web", "alice_1")
				return func(_ int, pause func(func())) {
					var answer string
					pause(func() {
						x.forget()
						for range 3 { // idco.loginCaptchaAfter's default
							x.call(signedOut(c), "login", "login", map[string]any{"username": "alice_1", "password": "wrong password"}, "uni-id-password-error")
						}
						answer = x.Captcha(x.tb, c, "login-by-pwd")
					})
					x.call(signedOut(c), "login", "login", map[string]any{"username": "alice_1", "password": benchPassword, "captcha": answer}, "0")
				}
			}},
		{name: "login/wrong-password", row: "`login`, wrong password",
			what: "UpdateItem (count the try: this source and account), BatchGetItem (this source's failures on any account), GetItem (the username key), GetItem (the user), UpdateItem (count the failure: this source, any account), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.user("web", "alice_1")
				return func(_ int, pause func(func())) {
					pause(x.forget)
					x.call(signedOut(c), "login", "login", map[string]any{"username": "alice_1", "password": "wrong password"}, "uni-id-password-error")
				}
			}},
		{name: "login/unknown-account", row: "`login`, unknown account",
			what: "UpdateItem (count the try: this source and account), BatchGetItem (this source's failures on any account), GetItem (the username key: none, a dummy hash runs), UpdateItem (count the failure: this source, any account), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				return func(_ int, pause func(func())) {
					pause(x.forget)
					x.call(c, "login", "login", map[string]any{"username": "nobody_1", "password": "wrong password"}, "uni-id-password-error")
				}
			}},
		{name: "updatePwd", row: "`updatePwd`",
			what: "GetItem (the caller, for the token check), UpdateItem (count the try), DeleteItem (clear the count), PutItem (the new hash, the other sessions ended, `valid_token_date`), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				x.Register(x.tb, c, "alice_1", "password number 0")
				return func(i int, _ func(func())) {
					x.call(c, "reset", "updatePwd", map[string]any{
						"oldPassword": fmt.Sprintf("password number %d", i), "newPassword": fmt.Sprintf("password number %d", i+1)}, "0")
				}
			}},
		{name: "getAccountInfo", row: "`getAccountInfo`",
			what: "GetItem (the caller: the token check's read serves the method)",
			setup: func(x *bench) benchOp {
				c := x.user("web", "alice_1")
				return func(int, func(func())) { x.call(c, "account", "getAccountInfo", nil, "0") }
			}},
		{name: "getAccountInfo/refresh", row: "`getAccountInfo`, the token due for a refresh",
			what: "GetItem (the caller), PutItem (the session's next generation: a newToken)",
			setup: func(x *bench) benchOp {
				c := x.user("web", "alice_1")
				return func(_ int, pause func(func())) {
					// Past tokenExpiresIn (7200 s) less tokenExpiresThreshold (1200 s).
					pause(func() { x.Clock.Advance(6001 * time.Second) })
					x.call(c, "account", "getAccountInfo", nil, "0")
				}
			}},
		{name: "checkToken", row: "`checkToken`",
			what: "GetItem (the token's account: its session and standing)",
			setup: func(x *bench) benchOp {
				c := x.user("web", "alice_1")
				return func(int, func(func())) {
					x.call(signedOut(c), "account", "checkToken", map[string]any{"token": c.Token}, "0")
				}
			}},
		{name: "refreshToken", row: "`refreshToken`",
			what: "GetItem (the caller), PutItem (the session's next generation)",
			setup: func(x *bench) benchOp {
				c := x.user("web", "alice_1")
				return func(int, func(func())) { x.call(c, "account", "refreshToken", nil, "0") }
			}},
		{name: "setPushCid", row: "`setPushCid`, a new id",
			what: "GetItem (the caller), PutItem (the id on its session)",
			setup: func(x *bench) benchOp {
				c := x.user("web", "alice_1")
				return func(i int, _ func(func())) {
					x.call(c, "account", "setPushCid", map[string]any{"pushClientId": fmt.Sprintf("cid-%d", i)}, "0")
				}
			}},
		{name: "getProfile", row: "`getProfile`",
			what: "GetItem (the caller: the token check's read serves the method)",
			setup: func(x *bench) benchOp {
				c := x.user("web", "alice_1")
				return func(int, func(func())) { x.call(c, "account", "getProfile", nil, "0") }
			}},
		{name: "updateProfile", row: "`updateProfile`, a new nickname",
			what: "GetItem (the caller), PutItem (the user)",
			setup: func(x *bench) benchOp {
				c := x.user("web", "alice_1")
				return func(i int, _ func(func())) {
					x.call(c, "account", "updateProfile", map[string]any{"nickname": fmt.Sprint("Alice ", i)}, "0")
				}
			}},
		{name: "getRealNameInfo", row: "`getRealNameInfo`",
			what: "GetItem (the caller: the token check's read serves the method)",
			setup: func(x *bench) benchOp {
				c := x.user("web", "alice_1")
				return func(int, func(func())) { x.call(c, "account", "getRealNameInfo", nil, "0") }
			}},
		{name: "listDevices", row: "`listDevices`",
			what: "GetItem (the caller: its sessions are the list)",
			setup: func(x *bench) benchOp {
				c := x.user("web", "alice_1")
				return func(int, func(func())) { x.call(c, "account", "listDevices", nil, "0") }
			}},
		{name: "endSession", row: "`endSession`, another device's",
			what: "GetItem (the caller), PutItem (the session taken off)",
			setup: func(x *bench) benchOp {
				c := x.user("web", "alice_1")
				return func(i int, pause func(func())) {
					var id string
					pause(func() { id = x.otherSession(c, i) })
					x.call(c, "account", "endSession", map[string]any{"id": id}, "0")
				}
			}},
		{name: "logout", row: "`logout`",
			what: "GetItem (the caller), PutItem (its session taken off), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				x.user("web", "alice_1")
				return func(i int, pause func(func())) {
					d := x.client("web", i+1)
					pause(func() {
						x.call(d, "login", "login", map[string]any{"username": "alice_1", "password": benchPassword}, "0")
					})
					x.call(d, "account", "logout", nil, "0")
				}
			}},
		{name: "closeAccount", row: "`closeAccount`",
			what: "GetItem (the caller), PutItem (status closed, every session ended), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				return func(i int, pause func(func())) {
					c := x.client("web", i)
					pause(func() {
						code := x.smsCode(c, benchMobile(i), "login-by-sms")
						x.call(c, "login", "loginBySms", map[string]any{"mobile": benchMobile(i), "code": code}, "0")
					})
					x.call(c, "account", "closeAccount", nil, "0")
				}
			}},
		{name: "getSupportedLoginType", row: "`getSupportedLoginType`",
			what: "(none: the config alone)",
			setup: func(x *bench) benchOp {
				c := x.client("web", 0)
				return func(int, func(func())) { x.call(c, "login-types", "getSupportedLoginType", nil, "0") }
			}},
	}
}

// otherSession logs c's account in on another device and returns that
// session's listDevices id.
func (x *bench) otherSession(c *testenv.Client, i int) string {
	x.tb.Helper()
	d := x.client("app", i+1)
	username := "alice_1"
	x.call(d, "login", "login", map[string]any{"username": username, "password": benchPassword}, "0")
	r := x.call(c, "account", "listDevices", nil, "0")
	devices, _ := r.Body["devices"].([]any)
	for _, v := range devices {
		if dev, _ := v.(map[string]any); dev["device_id"] == d.DeviceID {
			return dev["id"].(string)
		}
	}
	x.tb.Fatalf("no session of %s in %s", d.DeviceID, r.Raw)
	return ""
}
