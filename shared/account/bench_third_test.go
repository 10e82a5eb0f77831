package account_test

import (
	"fmt"
	"time"

	"github.com/idco-dev/idco/shared/testenv"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// thirdPartyBenches are the third-party logins and bindings against the
// fake providers, each op with a proof scripted in its pause. Logins are
// of an account that exists unless the row says otherwise.
func thirdPartyBenches() []methodBench {
	return []methodBench{
		{name: "loginByWeixin", row: "`loginByWeixin` (mini program)",
			what: "PutItem (the session_key, in the cache), GetItem (the openid key), GetItem (the unionid key), GetItem (the user), PutItem (the user with the new session), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("mp-weixin", 0)
				x.prov.WeixinCode("setup", benchWeixinUser)
				x.call(c, "login", "loginByWeixin", map[string]any{"code": "setup"}, "0")
				return func(i int, pause func(func())) {
					code := fmt.Sprint("code-", i)
					pause(func() { x.prov.WeixinCode(code, benchWeixinUser) })
					x.call(signedOut(c), "login", "loginByWeixin", map[string]any{"code": code}, "0")
				}
			}},
		{name: "loginByWeixin/new-account", row: "`loginByWeixin`, a new account",
			what: "PutItem (the session_key, in the cache), GetItem (the openid key: none), GetItem (the unionid key: none), TransactWriteItems (the user, its first session in it, the openid and unionid keys), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("mp-weixin", 0)
				return func(i int, pause func(func())) {
					code := fmt.Sprint("code-", i)
					pause(func() { x.prov.WeixinCode(code, fakeprov.WeixinUser{UnionID: fmt.Sprint("u-", i), AppID: wxMpApp}) })
					x.call(signedOut(c), "login", "loginByWeixin", map[string]any{"code": code}, "0")
				}
			}},
		{name: "loginByWeixinMobile", row: "`loginByWeixinMobile`",
			what: "GetItem (the mini program's access token, in the cache), GetItem (the mobile key), GetItem (the user), PutItem (the user with the new session), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("mp-weixin", 0)
				x.prov.WeixinPhoneCode("setup", phone, wxMpApp)
				x.call(c, "login", "loginByWeixinMobile", map[string]any{"phoneCode": "setup"}, "0")
				return func(i int, pause func(func())) {
					code := fmt.Sprint("code-", i)
					pause(func() { x.prov.WeixinPhoneCode(code, phone, wxMpApp) })
					x.call(signedOut(c), "login", "loginByWeixinMobile", map[string]any{"phoneCode": code}, "0")
				}
			}},
		{name: "loginByQQ", row: "`loginByQQ` (mini program)",
			what: "PutItem (the session_key, in the cache), GetItem (the openid key), GetItem (the user), PutItem (the user with the new session), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("mp-qq", 0)
				u := fakeprov.QQUser{OpenID: "qq-bench", AppID: qqMiniApp}
				x.prov.QQCode("setup", u)
				x.call(c, "login", "loginByQQ", map[string]any{"code": "setup"}, "0")
				return func(i int, pause func(func())) {
					code := fmt.Sprint("code-", i)
					pause(func() { x.prov.QQCode(code, u) })
					x.call(signedOut(c), "login", "loginByQQ", map[string]any{"code": code}, "0")
				}
			}},
		{name: "loginByAlipay", row: "`loginByAlipay`",
			what: "GetItem (the Alipay user key), GetItem (the user), PutItem (the user with the new session), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("mp-alipay", 0)
				x.prov.AlipayCode("setup", "2088000000000001", "")
				x.call(c, "login", "loginByAlipay", map[string]any{"code": "setup"}, "0")
				return func(i int, pause func(func())) {
					code := fmt.Sprint("code-", i)
					pause(func() { x.prov.AlipayCode(code, "2088000000000001", "") })
					x.call(signedOut(c), "login", "loginByAlipay", map[string]any{"code": code}, "0")
				}
			}},
		{name: "loginByApple", row: "`loginByApple`",
			what: "GetItem (the Apple sub key), GetItem (the user), PutItem (the user with the new session), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("app", 0)
				x.call(c, "login", "loginByApple", map[string]any{"identityToken": x.prov.AppleToken("apple-bench", "", "")}, "0")
				return func(i int, pause func(func())) {
					var token string
					pause(func() { token = x.prov.AppleToken("apple-bench", "", fmt.Sprint("nonce-", i)) })
					x.call(signedOut(c), "login", "loginByApple", map[string]any{"identityToken": token, "nonce": fmt.Sprint("nonce-", i)}, "0")
				}
			}},
		{name: "loginByUniverify", row: "`loginByUniverify`",
			what: "GetItem (the mobile key), GetItem (the user), PutItem (the user with the new session), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("app", 0)
				x.prov.UniverifyToken("setup", "uv-bench", phone)
				x.call(c, "login", "loginByUniverify", map[string]any{"access_token": "setup", "openid": "uv-bench"}, "0")
				return func(i int, pause func(func())) {
					token := fmt.Sprint("token-", i)
					pause(func() { x.prov.UniverifyToken(token, "uv-bench", phone) })
					x.call(signedOut(c), "login", "loginByUniverify", map[string]any{"access_token": token, "openid": "uv-bench"}, "0")
				}
			}},
		{name: "secureNetworkHandshakeByWeixin", row: "`secureNetworkHandshakeByWeixin`",
			what: "PutItem (openid, unionid and session_key under the code, in the cache), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.client("mp-weixin", 0)
				return func(i int, pause func(func())) {
					code := fmt.Sprint("code-", i)
					pause(func() { x.prov.WeixinCode(code, benchWeixinUser) })
					x.call(c, "login", "secureNetworkHandshakeByWeixin", map[string]any{"code": code}, "0")
				}
			}},
		bindBench("Weixin", "mp-weixin", "PutItem (the session_key, in the cache), TransactWriteItems (the user, the openid and unionid keys claimed)", wxProof),
		bindBench("QQ", "mp-qq", "PutItem (the session_key, in the cache), TransactWriteItems (the user, the openid key claimed)", qqProof),
		bindBench("Alipay", "mp-alipay", "TransactWriteItems (the user, the Alipay user key claimed)", alipayProof),
		bindBench("Apple", "app", "TransactWriteItems (the user, the Apple sub key claimed)", appleProof),
		unbindBench("Weixin", "mp-weixin", "the openid and unionid keys", wxProof),
		unbindBench("QQ", "mp-qq", "the openid key", qqProof),
		unbindBench("Alipay", "mp-alipay", "the Alipay user key", alipayProof),
		unbindBench("Apple", "app", "the Apple sub key", appleProof),
		{name: "bindMobileByMpWeixin", row: "`bindMobileByMpWeixin` (phone code), replacing a mobile",
			what: "GetItem (the caller), GetItem (the mini program's access token, in the cache), TransactWriteItems (the user, the new mobile key claimed, the old one released), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.user("mp-weixin", "alice_1")
				x.prov.WeixinPhoneCode("setup", phone, wxMpApp)
				x.call(c, "bind", "bindMobileByMpWeixin", map[string]any{"code": "setup"}, "0")
				return func(i int, pause func(func())) {
					code := fmt.Sprint("code-", i)
					pause(func() { x.prov.WeixinPhoneCode(code, benchMobile(i), wxMpApp) })
					x.call(c, "bind", "bindMobileByMpWeixin", map[string]any{"code": code}, "0")
				}
			}},
		{name: "bindMobileByUniverify", row: "`bindMobileByUniverify`, replacing a mobile",
			what: "GetItem (the caller), TransactWriteItems (the user, the new mobile key claimed, the old one released), PutItem (the audit event)",
			setup: func(x *bench) benchOp {
				c := x.user("app", "alice_1")
				x.prov.UniverifyToken("setup", "uv-bench", phone)
				x.call(c, "bind", "bindMobileByUniverify", map[string]any{"access_token": "setup", "openid": "uv-bench"}, "0")
				return func(i int, pause func(func())) {
					token := fmt.Sprint("token-", i)
					pause(func() { x.prov.UniverifyToken(token, "uv-bench", benchMobile(i)) })
					x.call(c, "bind", "bindMobileByUniverify", map[string]any{"access_token": token, "openid": "uv-bench"}, "0")
				}
			}},
	}
}

// A proof scripts a provider for an op and returns the method's params.
type proof func(x *bench, code string) map[string]any

var benchWeixinUser = fakeprov.WeixinUser{OpenID: "o-bench", UnionID: "u-bench", AppID: wxMpApp}

func wxProof(x *bench, code string) map[string]any {
	x.prov.WeixinCode(code, benchWeixinUser)
	return map[string]any{"code": code}
}

func qqProof(x *bench, code string) map[string]any {
	x.prov.QQCode(code, fakeprov.QQUser{OpenID: "qq-bench", AppID: qqMiniApp})
	return map[string]any{"code": code}
}

func alipayProof(x *bench, code string) map[string]any {
	x.prov.AlipayCode(code, "2088000000000001", "")
	return map[string]any{"code": code}
}

func appleProof(x *bench, _ string) map[string]any {
	return map[string]any{"identityToken": x.prov.AppleToken("apple-bench", "", "")}
}

// bindBench is bind<provider> on an account with a password, the identity
// unbound again in each op's pause; what is the calls between the token
// check's read and the audit event.
func bindBench(provider, platform, what string, proof proof) methodBench {
	return methodBench{name: "bind" + provider, row: "`bind" + provider + "`",
		what: "GetItem (the caller), " + what + ", PutItem (the audit event)",
		setup: func(x *bench) benchOp {
			c := x.user(platform, "alice_1")
			return func(i int, pause func(func())) {
				var params map[string]any
				pause(func() {
					if i > 0 {
						x.call(c, "bind", "unbind"+provider, nil, "0")
					}
					params = proof(x, fmt.Sprint("code-", i))
				})
				x.call(c, "bind", "bind"+provider, params, "0")
			}
		}}
}

// unbindBench is unbind<provider> of keys, the identity bound in each op's
// pause.
func unbindBench(provider, platform, keys string, proof proof) methodBench {
	return methodBench{name: "unbind" + provider, row: "`unbind" + provider + "`",
		what: "GetItem (the caller), TransactWriteItems (the user, " + keys + " released), PutItem (the audit event)",
		setup: func(x *bench) benchOp {
			c := x.user(platform, "alice_1")
			return func(i int, pause func(func())) {
				pause(func() { x.call(c, "bind", "bind"+provider, proof(x, fmt.Sprint("code-", i)), "0") })
				x.call(c, "bind", "unbind"+provider, nil, "0")
			}
		}}
}

// realNameBenches are face verification's methods against the fake Aliyun
// Cloudauth, each op on an account of its own (logged in by SMS in its
// pause, which hashes nothing) with an ID number of its own.
func realNameBenches() []methodBench {
	const poll = "GetItem (the caller), GetItem (the certifyId's record, in the cache), UpdateItem (count a poll of the certifyId)"
	result := func(name, row, what string, face fakeprov.FaceOutcome, want string) methodBench {
		return methodBench{name: name, row: row, what: what,
			setup: func(x *bench) benchOp {
				return func(i int, pause func(func())) {
					var c *testenv.Client
					var cid string
					pause(func() {
						c = x.smsUser(i)
						cid = x.certifyID(c, i)
						if face != fakeprov.FaceProcessing {
							x.prov.CloudauthFace(cid, face)
						}
					})
					x.call(c, "realname", "getFrvAuthResult", map[string]any{"certifyId": cid}, want)
				}
			}}
	}
	return []methodBench{
		{name: "getFrvCertifyId", row: "`getFrvCertifyId`",
			what: "GetItem (the caller), UpdateItem (count the account's verifications today), PutItem (the sealed name and ID number under the certifyId, in the cache)",
			setup: func(x *bench) benchOp {
				return func(i int, pause func(func())) {
					var c *testenv.Client
					pause(func() { c = x.smsUser(i) })
					x.call(c, "realname", "getFrvCertifyId", map[string]any{"realName": frvName, "idCard": benchIDNumber(i), "metaInfo": frvMeta}, "0")
				}
			}},
		result("getFrvAuthResult", "`getFrvAuthResult`, passed",
			poll+", TransactWriteItems (the user with `realname_auth`, the ID number's key claimed), DeleteItem (the record), PutItem (the audit event)",
			fakeprov.FacePassed, "0"),
		result("getFrvAuthResult/processing", "`getFrvAuthResult`, still processing",
			poll+", PutItem (the audit event)", fakeprov.FaceProcessing, "uni-id-frv-processing"),
		result("getFrvAuthResult/failed", "`getFrvAuthResult`, failed",
			poll+", PutItem (the record, failed, without the personal data: asked no more), PutItem (the audit event)",
			fakeprov.FaceFailed, "uni-id-frv-fail"),
	}
}

// smsUser registers a new account by SMS for op i and returns it logged in.
func (x *bench) smsUser(i int) *testenv.Client {
	x.tb.Helper()
	c := x.client("app", i)
	code := x.smsCode(c, benchMobile(i), "login-by-sms")
	x.call(c, "login", "loginBySms", map[string]any{"mobile": benchMobile(i), "code": code}, "0")
	return c
}

// certifyID starts c's face verification with op i's ID number.
func (x *bench) certifyID(c *testenv.Client, i int) string {
	x.tb.Helper()
	r := x.call(c, "realname", "getFrvCertifyId", map[string]any{"realName": frvName, "idCard": benchIDNumber(i), "metaInfo": frvMeta}, "0")
	return r.Body["certifyId"].(string)
}

// benchIDNumber is the i-th of a run of valid ID numbers: one birth date
// each.
func benchIDNumber(i int) string {
	return idNumber("110105" + time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format("20060102") + "001")
}
