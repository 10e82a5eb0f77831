package thirdparty_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

const (
	mpApp  = "wx-mp-app"
	appApp = "wx-open-app"
	h5App  = "wx-h5-app"
	webApp = "wx-web-app"
	secret = "wx-secret-do-not-leak"
)

// env is idco with every provider configured against fakeprov.
func env(t *testing.T, edit func(map[string]any)) (*testenv.Env, *fakeprov.Fake) {
	t.Helper()
	f := fakeprov.New(t)
	e := testenv.New(t, func(cfg map[string]any) {
		oauth := func(blocks map[string]any) map[string]any { return map[string]any{"oauth": blocks} }
		wx := func(id string) map[string]any { return map[string]any{"appid": id, "appsecret": secret} }
		cfg["mp-weixin"] = oauth(map[string]any{"weixin": wx(mpApp)})
		cfg["app"] = oauth(map[string]any{"weixin": wx(appApp), "qq": map[string]any{"appid": "qq-app", "appsecret": "qq-secret"},
			"apple": map[string]any{"bundleId": f.AppleAudience}})
		cfg["web"] = oauth(map[string]any{"weixin-h5": wx(h5App), "weixin-web": wx(webApp)})
		cfg["mp-qq"] = oauth(map[string]any{"qq": map[string]any{"appid": "qq-mini", "appsecret": "qq-secret"}})
		cfg["mp-alipay"] = oauth(map[string]any{"alipay": map[string]any{"appid": "ali-app",
			"privateKey": f.AppPrivatePEM, "alipayPublicKey": f.AlipayPublicPEM}})
		cfg["idco"].(map[string]any)["univerify"] = map[string]any{"url": f.UniverifyURL(), "secret": f.UniverifySecret}
		if edit != nil {
			edit(cfg)
		}
	})
	f.Now = e.Clock.Now
	for _, id := range []string{mpApp, appApp, h5App, webApp} {
		f.WeixinApp(id, secret)
	}
	e.UseProviders(f.Env())
	return e, f
}

func client(platform, device string) *testenv.Client {
	c := testenv.NewClient(device)
	c.Platform = platform
	return c
}

func TestWeixinMiniProgram(t *testing.T) {
	e, f := env(t, nil)
	mp := client("mp-weixin", "phone")
	u := f.WeixinCode("code-1", fakeprov.WeixinUser{UnionID: "union-1", AppID: mpApp})
	r := e.Call(t, mp, "login", "loginByWeixin", map[string]any{"code": "code-1"})
	if r.Code() != "0" || r.Body["type"] != "register" {
		t.Fatalf("loginByWeixin: %s", r.Raw)
	}
	if r := e.Call(t, client("mp-weixin", "x"), "login", "loginByWeixin", map[string]any{"code": "code-1"}); r.Code() != "uni-id-get-third-party-account-failed" {
		t.Fatalf("a replayed code: %s", r.Raw)
	}
	// encryptedData is opened with the session_key kept on the server.
	data, iv := f.WeixinEncrypt(u.SessionKey, mpApp, map[string]any{"phoneNumber": "13800138000", "purePhoneNumber": "13800138000", "countryCode": "86"})
	// uni-id-pages passes WeChat's whole e.detail, errMsg and cloudID included.
	if r := e.Call(t, mp, "bind", "bindMobileByMpWeixin", map[string]any{"encryptedData": data, "iv": iv,
		"errMsg": "getPhoneNumber:ok", "cloudID": "x"}); r.Code() != "0" {
		t.Fatalf("bindMobileByMpWeixin: %s", r.Raw)
	}
	if r := e.Call(t, mp, "account", "getAccountInfo", nil); r.Body["isMobileBound"] != true || r.Body["isWeixinBound"] != true {
		t.Fatalf("after binding: %s", r.Raw)
	}
	foreign, fiv := f.WeixinEncrypt(u.SessionKey, "wx-someone-else", map[string]any{"phoneNumber": "13900139000", "purePhoneNumber": "13900139000", "countryCode": "86"})
	tampered := data[:len(data)-4] + "AAA="
	for name, p := range map[string]map[string]any{
		"foreign appid": {"encryptedData": foreign, "iv": fiv},
		"tampered":      {"encryptedData": tampered, "iv": iv},
	} {
		if r := e.Call(t, mp, "bind", "bindMobileByMpWeixin", p); r.Code() != "uni-id-get-third-party-account-failed" {
			t.Errorf("%s: %s", name, r.Raw)
		}
	}
	// A phone code logs the same person in by number.
	f.WeixinPhoneCode("phone-1", "13800138000", mpApp)
	r2 := e.Call(t, client("mp-weixin", "p2"), "login", "loginByWeixinMobile", map[string]any{"phoneCode": "phone-1"})
	if r2.Code() != "0" || r2.Body["uid"] != r.Body["uid"] {
		t.Fatalf("loginByWeixinMobile: %s", r2.Raw)
	}
	for _, s := range []string{u.SessionKey, secret} {
		if strings.Contains(e.Log.String(), s) || strings.Contains(r.Raw, s) {
			t.Errorf("a secret reached a log or an answer: %q", s)
		}
	}
}

// TestWeixinPlatformsMerge: the mini program, the app, the official
// account (h5) and the website QR each use their own WeChat app; one
// unionid makes them one account.
func TestWeixinPlatformsMerge(t *testing.T) {
	e, f := env(t, nil)
	var uid any
	cases := []struct {
		platform, ua, appID string
	}{
		{"mp-weixin", "", mpApp},
		{"app", "", appApp},
		{"web", "Mozilla/5.0 MicroMessenger/8.0", h5App},
		{"web", "Mozilla/5.0 Chrome/120", webApp},
	}
	for i, tc := range cases {
		code := fmt.Sprintf("c%d", i)
		f.WeixinCode(code, fakeprov.WeixinUser{UnionID: "union-9", AppID: tc.appID, Nickname: "Wei", HeadImgURL: "https://wx.qlogo.cn/a.png"})
		c := client(tc.platform, code)
		body := map[string]any{"clientInfo": map[string]any{"appId": c.AppID, "uniPlatform": tc.platform, "deviceId": code, "userAgent": tc.ua},
			"params": map[string]any{"code": code}}
		r := e.Do(t, "/login/loginByWeixin", mustJSON(body), map[string]string{"User-Agent": tc.ua})
		if r.Code() != "0" {
			t.Fatalf("%s %s: %s", tc.platform, tc.ua, r.Raw)
		}
		if i == 0 {
			uid = r.Body["uid"]
		} else if r.Body["uid"] != uid {
			t.Fatalf("%s: another account %v, want %v", tc.appID, r.Body["uid"], uid)
		}
	}
	users := e.Scan(t, e.Names.Users)
	if len(users) != 1 {
		t.Fatalf("%d users, want 1", len(users))
	}
	wx, _ := users[0]["wx_openid"].(map[string]any)
	for _, k := range []string{"mp", "app", "h5", "web", "mp___UNI__TEST", "web___UNI__TEST"} {
		if wx[k] == nil {
			t.Errorf("wx_openid lacks %s: %v", k, wx)
		}
	}
}

func TestQQ(t *testing.T) {
	e, f := env(t, nil)
	f.QQCode("qc", fakeprov.QQUser{AppID: "qq-mini", UnionID: "qq-union"})
	if r := e.Call(t, client("mp-qq", "q1"), "login", "loginByQQ", map[string]any{"code": "qc"}); r.Code() != "0" {
		t.Fatalf("mp-qq: %s", r.Raw)
	}
	f.QQToken("qtok", fakeprov.QQUser{AppID: "qq-app", UnionID: "qq-union", Nickname: "Q"})
	r := e.Call(t, client("app", "q2"), "login", "loginByQQ", map[string]any{"accessToken": "qtok"})
	if r.Code() != "0" || r.Body["type"] != "login" {
		t.Fatalf("QQ app with the same unionid: %s", r.Raw)
	}
	f.QQToken("stolen", fakeprov.QQUser{AppID: "another-qq-app"})
	if r := e.Call(t, client("app", "q3"), "login", "loginByQQ", map[string]any{"accessToken": "stolen"}); r.Code() != "uni-id-get-third-party-account-failed" {
		t.Fatalf("a token of another app: %s", r.Raw)
	}
}

func TestAlipay(t *testing.T) {
	e, f := env(t, nil)
	f.AlipayCode("a1", "2088000000000001", "")
	if r := e.Call(t, client("mp-alipay", "a"), "login", "loginByAlipay", map[string]any{"code": "a1"}); r.Code() != "0" {
		t.Fatalf("user_id app: %s", r.Raw)
	}
	f.AlipayCode("a2", "", "open-id-xyz")
	r := e.Call(t, client("mp-alipay", "b"), "login", "loginByAlipay", map[string]any{"code": "a2"})
	if r.Code() != "0" || r.Body["type"] != "register" {
		t.Fatalf("open_id app: %s", r.Raw)
	}
	f.AlipayCode("a3", "", "open-id-xyz")
	if r := e.Call(t, client("mp-alipay", "c"), "login", "loginByAlipay", map[string]any{"code": "a3"}); r.Body["type"] != "login" {
		t.Fatalf("open_id app again: %s", r.Raw)
	}
	// With another Alipay public key configured every answer fails its
	// signature check, and no account is made.
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	other := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	e2, f2 := env(t, func(cfg map[string]any) {
		cfg["mp-alipay"].(map[string]any)["oauth"].(map[string]any)["alipay"].(map[string]any)["alipayPublicKey"] = other
	})
	f2.AlipayCode("a4", "2088000000000002", "")
	if r := e2.Call(t, client("mp-alipay", "d"), "login", "loginByAlipay", map[string]any{"code": "a4"}); r.Code() != "uni-id-get-third-party-account-failed" {
		t.Fatalf("an answer signed with another key: %s", r.Raw)
	}
	if n := len(e2.Scan(t, e2.Names.Users)); n != 0 {
		t.Fatalf("%d users from an unverified answer", n)
	}
}

func TestApple(t *testing.T) {
	e, f := env(t, nil)
	c := client("app", "i1")
	tok := f.AppleToken("sub-1", "user@privaterelay.appleid.com", "n-1")
	if r := e.Call(t, c, "login", "loginByApple", map[string]any{"identityToken": tok, "nonce": "n-1", "nickname": "Ann"}); r.Code() != "0" {
		t.Fatalf("loginByApple: %s", r.Raw)
	}
	cases := map[string]string{
		"wrong audience": f.AppleToken("sub-1", "", "", fakeprov.WithAudience("com.other.app")),
		"expired":        f.AppleToken("sub-1", "", "", fakeprov.Expired()),
		"bad signature":  f.AppleToken("sub-1", "", "", fakeprov.WithBadSignature()),
		"unknown kid":    f.AppleToken("sub-1", "", "", fakeprov.WithKid("nope")),
		"wrong nonce":    f.AppleToken("sub-1", "", "other"),
	}
	for name, tok := range cases {
		r := e.Call(t, client("app", name), "login", "loginByApple", map[string]any{"identityToken": tok, "nonce": "n-1"})
		if r.Code() != "uni-id-get-third-party-account-failed" {
			t.Errorf("%s: %s", name, r.Raw)
		}
	}
}

func TestUniverify(t *testing.T) {
	e, f := env(t, nil)
	c := client("app", "u1")
	f.UniverifyToken("at-1", "oid-1", "13800138000")
	r := e.Call(t, c, "login", "loginByUniverify", map[string]any{"access_token": "at-1", "openid": "oid-1"})
	if r.Code() != "0" || r.Body["type"] != "register" {
		t.Fatalf("loginByUniverify: %s", r.Raw)
	}
	if r := e.Call(t, c, "login", "loginByUniverify", map[string]any{"access_token": "at-1", "openid": "oid-1"}); r.Code() != "uni-id-get-third-party-account-failed" {
		t.Fatalf("a used token: %s", r.Raw)
	}
	other := client("app", "u2")
	e.Register(t, other, "alice_1", "a good password")
	f.UniverifyToken("at-2", "oid-2", "13900139000")
	if r := e.Call(t, other, "bind", "bindMobileByUniverify", map[string]any{"access_token": "at-2", "openid": "oid-2"}); r.Code() != "0" {
		t.Fatalf("bindMobileByUniverify: %s", r.Raw)
	}
}

// TestProviderOutage: a provider that is busy, failing or slow answers a
// retryable error, a rate limit is uni-id-rate-limited, and nothing is
// created.
func TestProviderOutage(t *testing.T) {
	e, f := env(t, nil)
	f.Delay = 7 * time.Second
	cases := []struct {
		mode fakeprov.FailMode
		want string
	}{
		{fakeprov.Busy, "uni-id-retry-later"},
		{fakeprov.HTTP500, "uni-id-retry-later"},
		{fakeprov.RateLimited, "uni-id-rate-limited"},
		{fakeprov.Timeout, "uni-id-retry-later"},
	}
	for i, tc := range cases {
		code := fmt.Sprintf("o%d", i)
		f.WeixinCode(code, fakeprov.WeixinUser{AppID: mpApp})
		f.Fail(fakeprov.Weixin, tc.mode, 1)
		r := e.Call(t, client("mp-weixin", code), "login", "loginByWeixin", map[string]any{"code": code})
		if r.Code() != tc.want {
			t.Errorf("%v: %s, want %s", tc.mode, r.Raw, tc.want)
		}
	}
	if n := len(e.Scan(t, e.Names.Users)); n != 0 {
		t.Fatalf("%d users created during outages", n)
	}
}

// TestConcurrentBind: two accounts binding one WeChat identity at once
// leave exactly one owner.
func TestConcurrentBind(t *testing.T) {
	e, f := env(t, nil)
	a, b := client("mp-weixin", "a"), client("mp-weixin", "b")
	e.Register(t, a, "alice_1", "a good password")
	e.Register(t, b, "bobby_1", "a good password")
	same := fakeprov.WeixinUser{OpenID: "shared-openid", UnionID: "shared-union", AppID: mpApp}
	f.WeixinCode("ca", same)
	f.WeixinCode("cb", same)
	var ra, rb string
	var wg sync.WaitGroup
	wg.Go(func() { ra = e.Call(t, a, "bind", "bindWeixin", map[string]any{"code": "ca"}).Code() })
	wg.Go(func() { rb = e.Call(t, b, "bind", "bindWeixin", map[string]any{"code": "cb"}).Code() })
	wg.Wait()
	if !(ra == "0" && rb == "uni-id-bind-conflict" || rb == "0" && ra == "uni-id-bind-conflict") {
		t.Fatalf("answers %s and %s, want one success and one bind conflict", ra, rb)
	}
	owners := map[any]bool{}
	for _, k := range e.Scan(t, e.Names.Keys) {
		if s, _ := k["key"].(string); strings.HasPrefix(s, "wx-") {
			owners[k["uid"]] = true
		}
	}
	if len(owners) != 1 {
		t.Fatalf("identity keys owned by %d accounts", len(owners))
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// TestSecureNetworkHandshake: secureNetworkHandshakeByWeixin verifies the
// mini-program code once; with callLoginByWeixin the same identity logs in
// (the code cannot be used again), and only mp-weixin may call it.
func TestSecureNetworkHandshake(t *testing.T) {
	e, f := env(t, nil)
	mp := client("mp-weixin", "phone")
	f.WeixinCode("code-h1", fakeprov.WeixinUser{UnionID: "union-h", AppID: mpApp})
	if r := e.Call(t, mp, "login", "secureNetworkHandshakeByWeixin", map[string]any{"code": "code-h1"}); r.Code() != "0" || r.Token() != "" {
		t.Fatalf("handshake: %s", r.Raw)
	}
	f.WeixinCode("code-h2", fakeprov.WeixinUser{UnionID: "union-h", AppID: mpApp})
	r := e.Call(t, mp, "login", "secureNetworkHandshakeByWeixin", map[string]any{"code": "code-h2", "callLoginByWeixin": true})
	if r.Code() != "0" || r.Token() == "" || r.Body["type"] != "register" {
		t.Fatalf("handshake with login: %s", r.Raw)
	}
	if r := e.Call(t, mp, "login", "loginByWeixin", map[string]any{"code": "code-h2"}); r.Code() != "uni-id-get-third-party-account-failed" {
		t.Errorf("the handshake's code used again: %s", r.Raw)
	}
	if r := e.Call(t, client("web", "pc"), "login", "secureNetworkHandshakeByWeixin", map[string]any{"code": "x"}); r.Code() != "uni-id-unsupported-request" {
		t.Errorf("from the web: %s", r.Raw)
	}
}
