package account_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/testenv"
)

// stubIDs answers proofs from a table: code -> identity. The provider wire
// formats are tested in shared/thirdparty against fakeprov.
type stubIDs struct {
	mu  sync.Mutex
	ids map[string]account.Identity
}

func (s *stubIDs) Identify(_ context.Context, _ *config.Config, p account.Proof) (*account.Identity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := p.Code + p.AccessToken + p.IdentityToken
	id, ok := s.ids[key]
	if !ok {
		return nil, apierr.New(apierr.ThirdPartyFailed)
	}
	delete(s.ids, key) // codes are single use
	id.Provider = p.Provider
	if id.Sub == "" {
		id.Sub = map[string]string{"mp-weixin": "mp", "app": "app", "web": "web"}[p.Platform]
	}
	return &id, nil
}

func (s *stubIDs) add(code string, id account.Identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids[code] = id
}

func thirdEnv(t *testing.T, edit func(map[string]any)) (*testenv.Env, *stubIDs) {
	e := testenv.New(t, edit)
	ids := &stubIDs{ids: map[string]account.Identity{}}
	e.Svc.Identities = ids
	return e, ids
}

func wx(t *testing.T, e *testenv.Env, c *testenv.Client, method, code string) testenv.Resp {
	t.Helper()
	fn := "login"
	if method != "loginByWeixin" {
		fn = "bind"
	}
	return e.Call(t, c, fn, method, map[string]any{"code": code})
}

// TestUnionIDMerge: a user who logs in on the mini program and then on the
// app with the same unionid is one account.
func TestUnionIDMerge(t *testing.T) {
	e, ids := thirdEnv(t, nil)
	mp := testenv.NewClient("phone")
	mp.Platform = "mp-weixin"
	ids.add("c1", account.Identity{OpenID: "o-mp", UnionID: "u-1"})
	r := wx(t, e, mp, "loginByWeixin", "c1")
	if r.Code() != "0" || r.Body["type"] != "register" {
		t.Fatalf("mini program: %s", r.Raw)
	}
	app := testenv.NewClient("tablet")
	app.Platform = "app"
	ids.add("c2", account.Identity{OpenID: "o-app", UnionID: "u-1"})
	r2 := wx(t, e, app, "loginByWeixin", "c2")
	if r2.Code() != "0" || r2.Body["type"] != "login" || r2.Body["uid"] != r.Body["uid"] {
		t.Fatalf("app with the same unionid: %s", r2.Raw)
	}
	// The app openid is now claimed too: it logs in without a unionid.
	ids.add("c3", account.Identity{OpenID: "o-app"})
	if r3 := wx(t, e, app, "loginByWeixin", "c3"); r3.Body["uid"] != r.Body["uid"] {
		t.Fatalf("app openid alone: %s", r3.Raw)
	}
	if r := wx(t, e, app, "loginByWeixin", "c3"); r.Code() != "uni-id-get-third-party-account-failed" {
		t.Fatalf("a used code: %s", r.Raw)
	}
	if r := info(t, e, app); r.Body["isWeixinBound"] != true {
		t.Fatalf("getAccountInfo: %s", r.Raw)
	}
	// The same openid under another DCloud app is another account.
	other := testenv.NewClient("x")
	other.Platform, other.AppID = "mp-weixin", "__UNI__OTHER"
	ids.add("c4", account.Identity{OpenID: "o-mp"})
	if r4 := wx(t, e, other, "loginByWeixin", "c4"); r4.Body["type"] != "register" {
		t.Fatalf("same openid, other app: %s", r4.Raw)
	}
}

func TestBindThirdParty(t *testing.T) {
	e, ids := thirdEnv(t, nil)
	owner := testenv.NewClient("owner")
	owner.Platform = "mp-weixin"
	ids.add("c1", account.Identity{OpenID: "o-1", UnionID: "u-1"})
	wx(t, e, owner, "loginByWeixin", "c1")
	c := testenv.NewClient("d1")
	c.Platform = "mp-weixin"
	e.Register(t, c, "alice_1", "a good password")
	before := e.Scan(t, e.Names.Keys)
	ids.add("c2", account.Identity{OpenID: "o-1", UnionID: "u-1"})
	if r := wx(t, e, c, "bindWeixin", "c2"); r.Code() != "uni-id-bind-conflict" || r.Status != 409 {
		t.Fatalf("binding an owned identity: %s", r.Raw)
	}
	if after := e.Scan(t, e.Names.Keys); len(after) != len(before) {
		t.Fatalf("keys changed on a refused bind")
	}
	ids.add("c3", account.Identity{OpenID: "o-2"})
	if r := wx(t, e, c, "bindWeixin", "c3"); r.Code() != "0" {
		t.Fatalf("bindWeixin: %s", r.Raw)
	}
	if r := info(t, e, c); r.Body["isWeixinBound"] != true {
		t.Fatalf("after binding: %s", r.Raw)
	}
	if r := e.Call(t, c, "bind", "unbindWeixin", nil); r.Code() != "0" {
		t.Fatalf("unbind with a password left: %s", r.Raw)
	}
	if r := e.Call(t, c, "bind", "unbindWeixin", nil); r.Code() != "uni-id-unbind-failed" {
		t.Fatalf("unbind twice: %s", r.Raw)
	}
	// A WeChat-only account cannot remove its only way in.
	if r := e.Call(t, owner, "bind", "unbindWeixin", nil); r.Code() != "uni-id-unbind-mobile-not-exists" {
		t.Fatalf("unbinding the last login method: %s", r.Raw)
	}
}

func TestAppleAndAlipay(t *testing.T) {
	e, ids := thirdEnv(t, nil)
	c := testenv.NewClient("d1")
	c.Platform = "app"
	e.Register(t, c, "alice_1", "a good password")
	// An Apple identity whose email is the user's does not log in as them.
	ids.add("tok", account.Identity{OpenID: "apple-sub-1"})
	r := e.Call(t, testenv.NewClient("d2"), "login", "loginByApple", map[string]any{"identityToken": "tok", "nickname": "Ann"})
	if r.Code() != "0" || r.Body["type"] != "register" {
		t.Fatalf("loginByApple: %s", r.Raw)
	}
	ids.add("ali", account.Identity{OpenID: "2088000000000001"})
	if r := e.Call(t, c, "bind", "bindAlipay", map[string]any{"code": "ali"}); r.Code() != "0" {
		t.Fatalf("bindAlipay: %s", r.Raw)
	}
	ids.add("ali2", account.Identity{OpenID: "2088000000000001"})
	r = e.Call(t, testenv.NewClient("d3"), "login", "loginByAlipay", map[string]any{"code": "ali2"})
	if r.Code() != "0" || r.Body["type"] != "login" {
		t.Fatalf("loginByAlipay of the bound user: %s", r.Raw)
	}
}

// TestBindFirst: with idco.thirdPartyRegistration "bind-first", an unknown
// identity gets a single-use ticket that a login binds.
func TestBindFirst(t *testing.T) {
	e, ids := thirdEnv(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["thirdPartyRegistration"] = "bind-first"
	})
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "a good password")
	mp := testenv.NewClient("mp")
	mp.Platform = "mp-weixin"
	ids.add("c1", account.Identity{OpenID: "o-1", UnionID: "u-1"})
	r := wx(t, e, mp, "loginByWeixin", "c1")
	ticket, _ := r.Body["bindTicket"].(string)
	if r.Code() != "uni-id-bind-required" || len(ticket) != 64 {
		t.Fatalf("unknown identity: %s", r.Raw)
	}
	if n := len(e.Scan(t, e.Names.Users)); n != 1 {
		t.Fatalf("%d users after a bind-first login, want no new one", n)
	}
	wrong := e.Call(t, mp, "login", "login", map[string]any{"username": "alice_1", "password": "wrong password", "bindTicket": ticket})
	if wrong.Code() != "uni-id-password-error" {
		t.Fatalf("wrong password with a ticket: %s", wrong.Raw)
	}
	r = e.Call(t, mp, "login", "login", map[string]any{"username": "alice_1", "password": "a good password", "bindTicket": ticket})
	if r.Code() != "0" {
		t.Fatalf("login redeeming the ticket: %s", r.Raw)
	}
	ids.add("c2", account.Identity{OpenID: "o-1"})
	if r2 := wx(t, e, mp, "loginByWeixin", "c2"); r2.Code() != "0" || r2.Body["uid"] != r.Body["uid"] {
		t.Fatalf("WeChat login after binding: %s", r2.Raw)
	}
	again := e.Call(t, mp, "login", "login", map[string]any{"username": "alice_1", "password": "a good password", "bindTicket": ticket})
	if again.Code() != "uni-id-bind-ticket-invalid" {
		t.Fatalf("ticket reused: %s", again.Raw)
	}
}

func TestThirdPartyRegistrationDisabled(t *testing.T) {
	e, ids := thirdEnv(t, func(cfg map[string]any) { cfg["idco"].(map[string]any)["registration"] = "disabled" })
	mp := testenv.NewClient("mp")
	mp.Platform = "mp-weixin"
	ids.add("c1", account.Identity{OpenID: "o-1"})
	if r := wx(t, e, mp, "loginByWeixin", "c1"); r.Code() != "uni-id-registration-disabled" {
		t.Fatalf("got %s", r.Raw)
	}
}

// TestThirdPartyOnly: with idco.thirdPartyOnly (the seed's 禁用系统账号登录)
// every password, SMS and email login, registration and password upkeep
// answers uni-id-login-type-disabled and writes nothing, codes go out only
// for binding, getSupportedLoginType lists the third parties only, and a
// WeChat user still logs in and binds a mobile.
func TestThirdPartyOnly(t *testing.T) {
	e, ids := thirdEnv(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["thirdPartyOnly"] = true
		cfg["mp-weixin"] = map[string]any{"oauth": map[string]any{"weixin": map[string]any{"appid": "wx1", "appsecret": "s"}}}
	})
	c := testenv.NewClient("d1")
	before := e.ItemCount(t)
	for _, call := range []struct {
		function, method string
		params           map[string]any
	}{
		{"login", "login", map[string]any{"username": "alice_1", "password": "a good password"}},
		{"login", "loginBySms", map[string]any{"mobile": "13800138000", "code": "123456"}},
		{"login", "loginByEmailCode", map[string]any{"email": "a@example.com", "code": "123456"}},
		{"register", "registerUser", map[string]any{"username": "alice_1", "password": "a good password", "captcha": "xxxx"}},
		{"register", "registerUserByEmail", map[string]any{"email": "a@example.com", "password": "a good password", "code": "123456"}},
		{"reset", "resetPwdBySms", map[string]any{"mobile": "13800138000", "password": "a good password", "code": "123456"}},
		{"reset", "resetPwdByEmail", map[string]any{"email": "a@example.com", "password": "a good password", "code": "123456"}},
		{"send-sms-code", "sendSmsCode", map[string]any{"mobile": "13800138000", "scene": "login-by-sms", "captcha": "xxxx"}},
		{"send-email-code", "sendEmailCode", map[string]any{"email": "a@example.com", "scene": "register", "captcha": "xxxx"}},
	} {
		if r := e.Call(t, c, call.function, call.method, call.params); r.Code() != "uni-id-login-type-disabled" || r.Status != 403 {
			t.Errorf("%s: %d %s", call.method, r.Status, r.Raw)
		}
	}
	if after := e.ItemCount(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("refused calls wrote: %v -> %v", before, after)
	}
	mp := testenv.NewClient("phone")
	mp.Platform = "mp-weixin"
	r := e.Call(t, mp, "login-types", "getSupportedLoginType", nil)
	if got := fmt.Sprint(r.Body["supportedLoginType"]); got != "[weixin]" {
		t.Errorf("getSupportedLoginType: %s", got)
	}
	ids.add("c1", account.Identity{OpenID: "o-1", UnionID: "u-1"})
	if r := wx(t, e, mp, "loginByWeixin", "c1"); r.Code() != "0" {
		t.Fatalf("loginByWeixin: %s", r.Raw)
	}
	code := e.SendSMS(t, mp, "13800138000", "bind-mobile-by-sms")
	if r := e.Call(t, mp, "bind", "bindMobileBySms", map[string]any{"mobile": "13800138000", "code": code}); r.Code() != "0" {
		t.Fatalf("bindMobileBySms: %s", r.Raw)
	}
	for _, m := range []string{"setPwd", "updatePwd"} {
		if r := e.Call(t, mp, "reset", m, map[string]any{"password": "a good password", "code": "123456", "oldPassword": "x", "newPassword": "a good password"}); r.Code() != "uni-id-login-type-disabled" {
			t.Errorf("%s: %s", m, r.Raw)
		}
	}
}
