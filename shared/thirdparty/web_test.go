package thirdparty_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/internal/oauthapi"
	"github.com/idco-dev/idco/shared/testenv"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
	"github.com/idco-dev/idco/shared/thirdparty"
)

// The web providers under test, each with its own app at the fake.
var webProviders = []string{fakeprov.GitHub, fakeprov.Google, fakeprov.DingTalk, fakeprov.Weibo, fakeprov.Facebook, fakeprov.Twitter}

const (
	webSecret   = "web-secret-do-not-leak"
	callbackURL = "https://app.example.com/oauth/callback"
	verifier    = "pkce-verifier-0123456789-0123456789-0123456789"
)

func clientID(p string) string { return p + "-client-id" }

// webEnv is idco with every web provider configured against fakeprov,
// edit applied to the config first.
func webEnv(t *testing.T, edit func(map[string]any)) (*testenv.Env, *fakeprov.Fake) {
	t.Helper()
	return env(t, func(cfg map[string]any) {
		oauth := cfg["web"].(map[string]any)["oauth"].(map[string]any)
		for _, p := range append(webProviders, "qq") {
			oauth[p] = map[string]any{"appid": clientID(p), "appsecret": webSecret}
		}
		oauth["weixin-web"] = map[string]any{"appid": clientID("weixin"), "appsecret": webSecret}
		if edit != nil {
			edit(cfg)
		}
	})
}

// webLogin runs the browser's part of a web login: idco's authorization
// address, the provider's page (the fake signs in u at once), and the code
// its redirect carries; then method (loginByOAuth or bindOAuth) with it.
func webLogin(t *testing.T, e *testenv.Env, f *fakeprov.Fake, c *testenv.Client, method, provider string, u fakeprov.OAuthUser) testenv.Resp {
	t.Helper()
	f.OAuthApp(provider, clientID(provider), webSecret)
	f.OAuthNext(provider, u)
	redirect := callbackURL + "/" + provider
	call := &cloudobj.Call{Client: cloudobj.ClientInfo{AppID: c.AppID, Platform: "web", DeviceID: c.DeviceID}}
	addr, err := e.Svc.OAuthAuthorizeURL(call, &account.OAuthStart{Provider: provider, RedirectURI: redirect,
		State: "state-" + c.DeviceID, CodeChallenge: oauthapi.S256(verifier)})
	if err != nil {
		t.Fatalf("%s: OAuthAuthorizeURL: %v", provider, err)
	}
	back := follow(t, addr)
	if back.Get("state") != "state-"+c.DeviceID {
		t.Fatalf("%s: the callback's state %q", provider, back.Get("state"))
	}
	fn := "login"
	if method != "loginByOAuth" {
		fn = "bind"
	}
	return e.Call(t, c, fn, method, map[string]any{"provider": provider, "code": back.Get("code"),
		"redirectUri": redirect, "codeVerifier": verifier})
}

// follow opens an authorization address and returns the query of the
// redirect it answers.
func follow(t *testing.T, addr string) url.Values {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(addr)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), callbackURL) {
		t.Fatalf("the authorization page answered %d, %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}

// TestWebProviders: each provider registers, then logs in the same account
// by its user id; a bad code is uni-id-get-third-party-account-failed; an
// outage is uni-id-retry-later, the provider's rate limit
// uni-id-rate-limited, and neither creates anything; no secret reaches an
// answer or the log.
func TestWebProviders(t *testing.T) {
	for _, p := range webProviders {
		t.Run(p, func(t *testing.T) {
			e, f := webEnv(t, nil)
			u := fakeprov.OAuthUser{ID: "1" + strings.Repeat("2", 8), Name: "Ada", Avatar: "https://avatars.example/ada.png"}
			r := webLogin(t, e, f, client("web", "d1"), "loginByOAuth", p, u)
			if r.Code() != "0" || r.Body["type"] != "register" || r.Token() == "" {
				t.Fatalf("first login: %s", r.Raw)
			}
			r2 := webLogin(t, e, f, client("web", "d2"), "loginByOAuth", p, u)
			if r2.Code() != "0" || r2.Body["type"] != "login" || r2.Body["uid"] != r.Body["uid"] {
				t.Fatalf("second login: %s", r2.Raw)
			}
			users := e.Scan(t, e.Names.Users)
			if len(users) != 1 || users[0]["nickname"] != "Ada" || users[0]["avatar"] != u.Avatar {
				t.Fatalf("users %v", users)
			}
			if ids, _ := users[0]["oauth_identities"].(map[string]any); ids[p] != u.ID {
				t.Fatalf("oauth_identities %v", users[0]["oauth_identities"])
			}
			c := client("web", "d1")
			c.Token = r.Token()
			if info := e.Call(t, c, "account", "getAccountInfo", nil); fmt.Sprint(info.Body["oauthBound"]) != "["+p+"]" {
				t.Fatalf("getAccountInfo: %s", info.Raw)
			}

			bad := e.Call(t, client("web", "d3"), "login", "loginByOAuth", map[string]any{"provider": p,
				"code": "never-issued", "redirectUri": callbackURL + "/" + p, "codeVerifier": verifier})
			if bad.Code() != "uni-id-get-third-party-account-failed" {
				t.Fatalf("a bad code: %s", bad.Raw)
			}
			for mode, want := range map[fakeprov.FailMode]string{fakeprov.Busy: "uni-id-retry-later",
				fakeprov.HTTP500: "uni-id-retry-later", fakeprov.RateLimited: "uni-id-rate-limited"} {
				code := "down-" + mode.String()
				f.OAuthCode(p, code, fakeprov.OAuthUser{}, fakeprov.OAuthGrant{})
				f.Fail(p, mode, -1)
				down := e.Call(t, client("web", "d4"), "login", "loginByOAuth", map[string]any{"provider": p,
					"code": code, "redirectUri": callbackURL, "codeVerifier": verifier})
				f.Fail(p, mode, 0)
				if down.Code() != want {
					t.Fatalf("%v: %s, want %s", mode, down.Raw, want)
				}
			}
			if n := len(e.Scan(t, e.Names.Users)); n != 1 {
				t.Fatalf("%d users after the failures", n)
			}
			if strings.Contains(e.Log.String(), webSecret) || strings.Contains(r.Raw, webSecret) {
				t.Fatal("the app secret reached the log or an answer")
			}
		})
	}
}

// TestWebProviderPKCE: a code whose authorization carried a challenge is
// refused without its verifier, and for a wrong one; X requires one.
func TestWebProviderPKCE(t *testing.T) {
	e, f := webEnv(t, nil)
	for _, p := range []string{fakeprov.GitHub, fakeprov.Google, fakeprov.Twitter} {
		for name, v := range map[string]string{"none": "", "wrong": strings.Repeat("w", 43)} {
			code := p + "-" + name
			f.OAuthCode(p, code, fakeprov.OAuthUser{}, fakeprov.OAuthGrant{CodeChallenge: oauthapi.S256(verifier)})
			r := e.Call(t, client("web", code), "login", "loginByOAuth", map[string]any{"provider": p, "code": code,
				"redirectUri": callbackURL, "codeVerifier": v})
			want := "uni-id-get-third-party-account-failed"
			if p == fakeprov.Twitter && v == "" {
				want = "uni-id-param-required"
			}
			if r.Code() != want {
				t.Errorf("%s, verifier %s: %s, want %s", p, name, r.Raw, want)
			}
		}
	}
	if n := f.Calls(fakeprov.Twitter); n != 1 {
		t.Errorf("X was called %d times, want once (a missing verifier is refused before)", n)
	}
}

// TestGoogleIDTokenRefused: an id_token for another client, from another
// issuer, expired, without a sub or not signed by Google logs no one in.
func TestGoogleIDTokenRefused(t *testing.T) {
	e, f := webEnv(t, nil)
	now := e.Clock.Now()
	for name, g := range map[string]fakeprov.OAuthGrant{
		"wrong aud":     {IDToken: map[string]any{"aud": "someone-elses-client"}},
		"wrong iss":     {IDToken: map[string]any{"iss": "https://accounts.example.com"}},
		"expired":       {IDToken: map[string]any{"iat": now.Add(-3 * time.Hour).Unix(), "exp": now.Add(-2 * time.Hour).Unix()}},
		"no sub":        {IDToken: map[string]any{"sub": nil}},
		"bad signature": {BadSignature: true},
	} {
		code := "g-" + strings.ReplaceAll(name, " ", "-")
		f.OAuthCode(fakeprov.Google, code, fakeprov.OAuthUser{}, g)
		r := e.Call(t, client("web", code), "login", "loginByOAuth", map[string]any{"provider": "google", "code": code,
			"redirectUri": callbackURL})
		if r.Code() != "uni-id-get-third-party-account-failed" {
			t.Errorf("%s: %s", name, r.Raw)
		}
	}
	if n := len(e.Scan(t, e.Names.Users)); n != 0 {
		t.Fatalf("%d users from refused id_tokens", n)
	}
}

// TestWebNoEmailMatch: a provider identity whose email is an existing
// account's gets an account of its own; the email is not even kept.
func TestWebNoEmailMatch(t *testing.T) {
	e, f := webEnv(t, nil)
	victim := &account.User{UID: "victim-uid", Email: "victim@example.com", EmailConfirmed: 1, Password: "x"}
	if err := e.Svc.Users.Create(t.Context(), victim, []string{"email:victim@example.com"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range webProviders {
		r := webLogin(t, e, f, client("web", p), "loginByOAuth", p, fakeprov.OAuthUser{Email: "victim@example.com"})
		if r.Code() != "0" || r.Body["type"] != "register" || r.Body["uid"] == victim.UID {
			t.Fatalf("%s with the victim's email: %s", p, r.Raw)
		}
	}
	for _, u := range e.Scan(t, e.Names.Users) {
		if u["uid"] != victim.UID && u["email"] != nil {
			t.Errorf("a provider's email was kept: %v", u)
		}
	}
}

// TestWebBindUnbind: bindOAuth and unbindOAuth as the other providers'
// bind methods: a recent login, one owner per identity, never the last way
// to log in.
func TestWebBindUnbind(t *testing.T) {
	e, f := webEnv(t, nil)
	alice, bob := client("web", "alice"), client("web", "bob")
	alice.Token = e.Register(t, alice, "alice_1", "a good password").Token()
	bob.Token = e.Register(t, bob, "bobby_1", "a good password").Token()
	gh := fakeprov.OAuthUser{ID: "4242"}
	if r := webLogin(t, e, f, alice, "bindOAuth", "github", gh); r.Code() != "0" {
		t.Fatalf("bindOAuth: %s", r.Raw)
	}
	if r := webLogin(t, e, f, bob, "bindOAuth", "github", gh); r.Code() != "uni-id-bind-conflict" {
		t.Fatalf("bob binding alice's GitHub: %s", r.Raw)
	}
	if r := webLogin(t, e, f, client("web", "a2"), "loginByOAuth", "github", gh); r.Code() != "0" || r.Body["type"] != "login" {
		t.Fatalf("login by the bound identity: %s", r.Raw)
	}
	if r := e.Call(t, alice, "bind", "unbindOAuth", map[string]any{"provider": "github"}); r.Code() != "0" {
		t.Fatalf("unbindOAuth: %s", r.Raw)
	}
	if r := e.Call(t, alice, "bind", "unbindOAuth", map[string]any{"provider": "github"}); r.Code() != "uni-id-unbind-failed" {
		t.Fatalf("unbinding again: %s", r.Raw)
	}
	if r := e.Call(t, alice, "bind", "unbindOAuth", map[string]any{"provider": "myspace"}); r.Code() != "uni-id-invalid-param" {
		t.Fatalf("an unknown provider: %s", r.Raw)
	}
	// Bob can take it now; an account made by Google alone keeps Google.
	if r := webLogin(t, e, f, bob, "bindOAuth", "github", gh); r.Code() != "0" {
		t.Fatalf("bob after alice let go: %s", r.Raw)
	}
	only := client("web", "only")
	only.Token = webLogin(t, e, f, only, "loginByOAuth", "google", fakeprov.OAuthUser{}).Token()
	if r := e.Call(t, only, "bind", "unbindOAuth", map[string]any{"provider": "google"}); r.Code() != "uni-id-unbind-mobile-not-exists" {
		t.Fatalf("unbinding the last way in: %s", r.Raw)
	}
	// A stale login cannot bind.
	e.Clock.Advance(time.Hour)
	if r := webLogin(t, e, f, bob, "bindOAuth", "dingtalk", fakeprov.OAuthUser{}); r.Code() != "uni-id-recent-login-required" {
		t.Fatalf("binding an hour after logging in: %s", r.Raw)
	}
}

// TestWebPolicies: registration off refuses a new identity and keeps the
// known ones; third-party-only still allows them; thirdPartyDefaultRole is
// the new account's role.
func TestWebPolicies(t *testing.T) {
	e, f := webEnv(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["thirdPartyDefaultRole"] = []string{"oauth-user"}
		cfg["idco"].(map[string]any)["thirdPartyOnly"] = true
		cfg["userRegisterDefaultRole"] = []string{"member"}
	})
	r := webLogin(t, e, f, client("web", "p1"), "loginByOAuth", "dingtalk", fakeprov.OAuthUser{ID: "union-p"})
	if r.Code() != "0" {
		t.Fatalf("under thirdPartyOnly: %s", r.Raw)
	}
	if roles := fmt.Sprint(e.Scan(t, e.Names.Users)[0]["role"]); roles != "[oauth-user]" {
		t.Fatalf("role %s, want [oauth-user]", roles)
	}
	closed, f2 := webEnv(t, func(cfg map[string]any) { cfg["idco"].(map[string]any)["registration"] = "disabled" })
	if r := webLogin(t, closed, f2, client("web", "p2"), "loginByOAuth", "github", fakeprov.OAuthUser{}); r.Code() != "uni-id-registration-disabled" {
		t.Fatalf("a new identity with registration disabled: %s", r.Raw)
	}
	if n := len(closed.Scan(t, closed.Names.Users)); n != 0 {
		t.Fatalf("%d users with registration disabled", n)
	}
}

// TestWebParams: shapes are checked before any provider call, and nothing
// is written.
func TestWebParams(t *testing.T) {
	e, f := webEnv(t, nil)
	good := map[string]any{"provider": "github", "code": "c", "redirectUri": callbackURL}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for k2, v2 := range good {
			m[k2] = v2
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		params map[string]any
		want   string
	}{
		{with("provider", nil), "uni-id-param-required"},
		{with("provider", "myspace"), "uni-id-invalid-param"},
		{with("provider", "apple"), "uni-id-invalid-param"},
		{with("code", nil), "uni-id-param-required"},
		{with("code", strings.Repeat("c", 1025)), "uni-id-invalid-param"},
		{with("redirectUri", nil), "uni-id-param-required"},
		{with("redirectUri", "/relative"), "uni-id-invalid-param"},
		{with("redirectUri", "javascript:alert(1)"), "uni-id-invalid-param"},
		{with("redirectUri", callbackURL+"#frag"), "uni-id-invalid-param"},
		{with("redirectUri", "https://user:pw@app.example.com/cb"), "uni-id-invalid-param"},
		{with("codeVerifier", "short"), "uni-id-invalid-param"},
		{with("codeVerifier", strings.Repeat("v", 129)), "uni-id-invalid-param"},
		{with("inviteCode", "no spaces allowed"), "uni-id-invalid-invite-code"},
		{with("code", 42), "uni-id-invalid-param"},
	} {
		if r := e.Call(t, client("web", "p"), "login", "loginByOAuth", tc.params); r.Code() != tc.want {
			t.Errorf("%v: %s, want %s", tc.params, r.Raw, tc.want)
		}
	}
	if r := e.Call(t, client("app", "p"), "login", "loginByOAuth", good); r.Code() != "uni-id-unsupported-request" {
		t.Errorf("from the app: %s", r.Raw)
	}
	for _, p := range webProviders {
		if n := f.Calls(p); n != 0 {
			t.Errorf("%s was called %d times", p, n)
		}
	}
	if n := len(e.Scan(t, e.Names.Users)); n != 0 {
		t.Fatalf("%d users", n)
	}
}

// TestOAuthProvidersList: getOAuthProviders answers the configured web
// providers with their names in the caller's locale and inline icons, and
// none on a platform without a web login.
func TestOAuthProvidersList(t *testing.T) {
	e, _ := webEnv(t, func(cfg map[string]any) {
		delete(cfg["web"].(map[string]any)["oauth"].(map[string]any), "dingtalk")
	})
	zh := client("web", "zh")
	zh.Locale = "zh-Hans"
	r := e.Call(t, zh, "login-types", "getOAuthProviders", nil)
	list, _ := r.Body["providers"].([]any)
	var keys []string
	for _, x := range list {
		m := x.(map[string]any)
		keys = append(keys, m["provider"].(string))
		if icon, _ := m["icon"].(string); !strings.HasPrefix(icon, "data:image/svg+xml;base64,") {
			t.Errorf("%v: icon %q", m["provider"], icon)
		}
		if m["provider"] == "google" && (m["name"] != "谷歌" || m["pkce"] != true) {
			t.Errorf("google: %v", m)
		}
	}
	if want := "weixin qq github google weibo facebook twitter"; strings.Join(keys, " ") != want {
		t.Fatalf("providers %v, want %s: %s", keys, want, r.Raw)
	}
	if r := e.Call(t, client("mp-weixin", "mp"), "login-types", "getOAuthProviders", nil); fmt.Sprint(r.Body["providers"]) != "[]" {
		t.Errorf("on mp-weixin: %s", r.Raw)
	}
	types := e.Call(t, client("web", "t"), "login-types", "getSupportedLoginType", nil)
	if s := fmt.Sprint(types.Body["supportedLoginType"]); !strings.Contains(s, "github") || strings.Contains(s, "dingtalk") {
		t.Errorf("getSupportedLoginType: %s", s)
	}
}

// TestAuthCodeURLs: each provider's authorization address is its real
// page, naming the app, the callback, the state and, where the provider
// takes it, the PKCE challenge; a provider without keys is
// uni-id-config-field-required.
func TestAuthCodeURLs(t *testing.T) {
	e, _ := webEnv(t, nil)
	cfg, _, err := e.Svc.Config.Resolve("__UNI__TEST", "web")
	if err != nil {
		t.Fatal(err)
	}
	real := thirdparty.New(func(string) string { return "" }, nil, time.Now)
	challenge := oauthapi.S256(verifier)
	for p, page := range map[string]string{
		"github":   "https://github.com/login/oauth/authorize",
		"google":   "https://accounts.google.com/o/oauth2/v2/auth",
		"dingtalk": "https://login.dingtalk.com/oauth2/auth",
		"weibo":    "https://api.weibo.com/oauth2/authorize",
		"facebook": "https://www.facebook.com/v23.0/dialog/oauth",
		"twitter":  "https://x.com/i/oauth2/authorize",
		"qq":       "https://graph.qq.com/oauth2.0/authorize",
		"weixin":   "https://open.weixin.qq.com/connect/qrconnect",
	} {
		addr, err := real.AuthCodeURL(cfg, p, callbackURL, "st", challenge)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		u, _ := url.Parse(addr)
		q := u.Query()
		if got := u.Scheme + "://" + u.Host + u.Path; got != page {
			t.Errorf("%s: page %s, want %s", p, got, page)
		}
		id := q.Get("client_id")
		if p == "weixin" {
			id = q.Get("appid")
		}
		if id != clientID(p) || q.Get("redirect_uri") != callbackURL || q.Get("state") != "st" {
			t.Errorf("%s: %s", p, addr)
		}
		pkce := q.Get("code_challenge") == challenge && q.Get("code_challenge_method") == "S256"
		if wp := webProvider(t, p); pkce != wp.PKCE() {
			t.Errorf("%s: PKCE %v in %s", p, wp.PKCE(), addr)
		}
	}
	if _, err := real.AuthCodeURL(cfg, "twitter", callbackURL, "st", ""); !apierr.Is(err, apierr.ParamRequired) {
		t.Errorf("X without a challenge: %v", err)
	}
	delete(cfg.OAuth, "github")
	if _, err := real.AuthCodeURL(cfg, "github", callbackURL, "st", ""); !apierr.Is(err, apierr.ConfigFieldRequired) {
		t.Errorf("without keys: %v", err)
	}
	if _, err := real.AuthCodeURL(cfg, "apple", callbackURL, "st", ""); !apierr.Is(err, apierr.InvalidParam) {
		t.Errorf("apple has no web redirect here: %v", err)
	}
}

func webProvider(t *testing.T, name string) account.WebProvider {
	t.Helper()
	for _, p := range thirdparty.All() {
		if wp, ok := p.(account.WebProvider); ok && wp.Name() == name {
			return wp
		}
	}
	t.Fatalf("no web provider %s", name)
	return nil
}

// TestQQWeb: QQ on PC signs in through QQ Connect's page; the person's QQ
// app login (one unionid) is the same account.
func TestQQWeb(t *testing.T) {
	e, f := webEnv(t, nil)
	f.QQApp(clientID("qq"), webSecret)
	f.QQNext(fakeprov.QQUser{UnionID: "qq-union-pc", Nickname: "小Q"})
	c := client("web", "pc")
	call := &cloudobj.Call{Client: cloudobj.ClientInfo{AppID: c.AppID, Platform: "web", DeviceID: c.DeviceID}}
	addr, err := e.Svc.OAuthAuthorizeURL(call, &account.OAuthStart{Provider: "qq", RedirectURI: callbackURL, State: "s"})
	if err != nil {
		t.Fatal(err)
	}
	code := follow(t, addr).Get("code")
	r := e.Call(t, c, "login", "loginByOAuth", map[string]any{"provider": "qq", "code": code, "redirectUri": callbackURL})
	if r.Code() != "0" || r.Body["type"] != "register" {
		t.Fatalf("QQ on PC: %s", r.Raw)
	}
	if r := e.Call(t, client("web", "pc2"), "login", "loginByOAuth", map[string]any{"provider": "qq", "code": code, "redirectUri": callbackURL}); r.Code() != "uni-id-get-third-party-account-failed" {
		t.Fatalf("a used code: %s", r.Raw)
	}
	f.QQToken("app-token", fakeprov.QQUser{AppID: "qq-app", UnionID: "qq-union-pc"})
	r2 := e.Call(t, client("app", "phone"), "login", "loginByQQ", map[string]any{"accessToken": "app-token"})
	if r2.Code() != "0" || r2.Body["uid"] != r.Body["uid"] {
		t.Fatalf("the QQ app with the same unionid: %s", r2.Raw)
	}
	qq, _ := e.Scan(t, e.Names.Users)[0]["qq_openid"].(map[string]any)
	if qq["web"] == nil || qq["web___UNI__TEST"] == nil || qq["app"] == nil {
		t.Fatalf("qq_openid %v", qq)
	}
}

// TestWeixinWeb: the website QR login through the redirect flow uses the
// weixin-web app whatever the browser, and one unionid is one account
// with the mini program.
func TestWeixinWeb(t *testing.T) {
	e, f := webEnv(t, nil)
	f.WeixinApp(clientID("weixin"), webSecret)
	f.WeixinNext(fakeprov.WeixinUser{UnionID: "union-qr", Nickname: "Wei", Scope: "snsapi_login"})
	c := client("web", "pc")
	call := &cloudobj.Call{Client: cloudobj.ClientInfo{AppID: c.AppID, Platform: "web", DeviceID: c.DeviceID}}
	addr, err := e.Svc.OAuthAuthorizeURL(call, &account.OAuthStart{Provider: "weixin", RedirectURI: callbackURL, State: "s"})
	if err != nil {
		t.Fatal(err)
	}
	code := follow(t, addr).Get("code")
	body := map[string]any{"clientInfo": map[string]any{"appId": c.AppID, "uniPlatform": "web", "deviceId": "pc"},
		"params": map[string]any{"provider": "weixin", "code": code, "redirectUri": callbackURL}}
	// In WeChat's own browser a plain loginByWeixin would use weixin-h5.
	r := e.Do(t, "/login/loginByOAuth", mustJSON(body), map[string]string{"User-Agent": "Mozilla/5.0 MicroMessenger/8.0"})
	if r.Code() != "0" || r.Body["type"] != "register" {
		t.Fatalf("website login: %s", r.Raw)
	}
	f.WeixinCode("mp-code", fakeprov.WeixinUser{UnionID: "union-qr", AppID: mpApp})
	r2 := e.Call(t, client("mp-weixin", "phone"), "login", "loginByWeixin", map[string]any{"code": "mp-code"})
	if r2.Code() != "0" || r2.Body["uid"] != r.Body["uid"] {
		t.Fatalf("the mini program with the same unionid: %s", r2.Raw)
	}
	c.Token = r.Token()
	if r := e.Call(t, c, "account", "getAccountInfo", nil); r.Body["isWeixinBound"] != true || fmt.Sprint(r.Body["oauthBound"]) != "[weixin]" {
		t.Fatalf("getAccountInfo: %s", r.Raw)
	}
}
