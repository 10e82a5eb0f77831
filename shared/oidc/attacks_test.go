package oidc_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/idco-dev/idco/shared/testenv"
)

// authURL is an authorization request of a to e.
func authURL(e *testenv.Env, a app, extra url.Values) string {
	v := url.Values{"response_type": {"code"}, "client_id": {a.id}, "redirect_uri": {a.redirect},
		"scope": {"openid profile"}, "state": {"st-1"}, "nonce": {"n-1"}}
	for k, vs := range extra {
		v[k] = vs
	}
	for k, vs := range v {
		if len(vs) == 1 && vs[0] == "" {
			delete(v, k)
		}
	}
	return e.URL + "/oauth2/authorize?" + v.Encode()
}

// tokenRequest posts a form to the token endpoint as a (its secret in the
// form) and decodes the answer.
func tokenRequest(t *testing.T, e *testenv.Env, a app, form url.Values) (int, map[string]any) {
	t.Helper()
	form.Set("client_id", a.id)
	if a.secret != "" {
		form.Set("client_secret", a.secret)
	}
	res, err := http.PostForm(e.URL+"/oauth2/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// TestAuthorizeAttacks: what RFC 9700 lists against the authorization code
// flow is refused, and a bad client or redirect URI never gets a redirect.
func TestAuthorizeAttacks(t *testing.T) {
	e := testenv.New(t, nil)
	admin := testenv.NewClient("admin-dev")
	a := register(t, e, admin, map[string]any{"name": "Demo App", "redirectUris": []string{"https://app.example.com/cb"},
		"scopes": []string{"openid", "profile"}})
	other := register(t, e, admin, map[string]any{"name": "Other App", "redirectUris": []string{"https://other.example.com/cb"},
		"scopes": []string{"openid", "profile"}})
	public := register(t, e, admin, map[string]any{"name": "Mobile App", "redirectUris": []string{"com.example.app:/cb"},
		"scopes": []string{"openid", "profile"}, "public": true})
	e.Register(t, testenv.NewClient("alice-dev"), "alice", "Alice-pass-1")

	t.Run("no redirect for a bad client or redirect URI", func(t *testing.T) {
		for _, uri := range []string{"https://evil.example.com/cb", "https://app.example.com/cb/../evil", "https://app.example.com/cbx",
			"https://app.example.com/cb.evil.com", "https://app.example.com/cb#x", "https://app.example.com/cb?next=https://evil.example.com",
			"https://APP.example.com/cb", "http://app.example.com/cb", ""} {
			p := testenv.NewBrowser(t, e.URL).Get(authURL(e, a, url.Values{"redirect_uri": {uri}}))
			if p.Status != http.StatusBadRequest || p.Location != "" || !strings.Contains(p.URL, "/oauth2/authorize") {
				t.Errorf("redirect_uri %q: %d, location %q; want 400 and no redirect", uri, p.Status, p.Location)
			}
		}
		p := testenv.NewBrowser(t, e.URL).Get(authURL(e, app{id: "oc_nope", redirect: a.redirect}, nil))
		if p.Status != http.StatusBadRequest || p.Location != "" {
			t.Errorf("an unknown client: %d, location %q", p.Status, p.Location)
		}
	})

	t.Run("errors go back to a checked redirect URI", func(t *testing.T) {
		for name, c := range map[string]struct {
			a     app
			extra url.Values
			want  string
		}{
			"unknown response type": {a, url.Values{"response_type": {"token"}}, "unsupported_response_type"},
			"scope not allowed":     {a, url.Values{"scope": {"openid email"}}, "invalid_scope"},
			"public without PKCE":   {public, nil, "invalid_request"},
			"plain PKCE":            {a, url.Values{"code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"plain"}}, "invalid_request"},
			"prompt none, no login": {a, url.Values{"prompt": {"none"}}, "login_required"},
		} {
			p := testenv.NewBrowser(t, e.URL).Get(authURL(e, c.a, c.extra))
			back, _ := url.Parse(p.Location)
			if back == nil || back.Query().Get("error") != c.want || back.Query().Get("state") != "st-1" || back.Query().Get("iss") != e.URL ||
				!strings.HasPrefix(p.Location, c.a.redirect+"?") {
				t.Errorf("%s: redirect %q, want %s?error=%s with state and iss", name, p.Location, c.a.redirect, c.want)
			}
		}
	})

	pkce := oauth2.GenerateVerifier()
	code := func(t *testing.T, a app, challenge bool) string {
		t.Helper()
		extra := url.Values{}
		if challenge {
			extra.Set("code_challenge", oauth2.S256ChallengeFromVerifier(pkce))
			extra.Set("code_challenge_method", "S256")
		}
		back := testenv.NewBrowser(t, e.URL).Login(authURL(e, a, extra), "alice", "Alice-pass-1")
		t.Helper()
		if back.Query().Get("code") == "" {
			t.Fatalf("no code: %s", back)
		}
		return back.Query().Get("code")
	}
	exchange := func(a app, code, verifier, redirect string) (int, map[string]any) {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}
		if verifier != "" {
			form.Set("code_verifier", verifier)
		}
		return tokenRequest(t, e, a, form)
	}

	t.Run("PKCE downgrade", func(t *testing.T) {
		if st, out := exchange(a, code(t, a, true), "", a.redirect); st != 400 || out["error"] != "invalid_grant" {
			t.Errorf("a code with a challenge, exchanged without its verifier: %d %v", st, out)
		}
		if st, out := exchange(a, code(t, a, false), pkce, a.redirect); st != 400 || out["error"] != "invalid_grant" {
			t.Errorf("a code without a challenge, exchanged with a verifier: %d %v", st, out)
		}
		if st, out := exchange(a, code(t, a, true), oauth2.GenerateVerifier(), a.redirect); st != 400 || out["error"] != "invalid_grant" {
			t.Errorf("the wrong verifier: %d %v", st, out)
		}
	})

	t.Run("a code is its client's, at its redirect URI", func(t *testing.T) {
		c := code(t, a, true)
		if st, out := exchange(other, c, pkce, a.redirect); st != 400 || out["error"] != "invalid_grant" {
			t.Errorf("another client's code: %d %v", st, out)
		}
		if st, out := exchange(a, c, pkce, "https://app.example.com/cb2"); st != 400 || out["error"] != "invalid_grant" {
			t.Errorf("another redirect URI: %d %v", st, out)
		}
		c = code(t, a, true)
		if st, out := exchange(other, c, pkce, a.redirect); st != 400 {
			t.Errorf("another client's code: %d %v", st, out)
		}
		if st, out := exchange(a, c, pkce, a.redirect); st != 200 || out["id_token"] == nil {
			t.Errorf("another client's try used the code up: %d %v", st, out)
		}
	})

	t.Run("client authentication", func(t *testing.T) {
		if st, out := tokenRequest(t, e, app{id: a.id, secret: "idco_cs_wrong"}, url.Values{"grant_type": {"authorization_code"}}); st != 401 || out["error"] != "invalid_client" {
			t.Errorf("a wrong secret: %d %v", st, out)
		}
		if st, out := tokenRequest(t, e, app{id: a.id}, url.Values{"grant_type": {"authorization_code"}}); st != 401 || out["error"] != "invalid_client" {
			t.Errorf("a confidential client without its secret: %d %v", st, out)
		}
		if st, out := exchange(public, code(t, public, true), pkce, public.redirect); st != 200 || out["access_token"] == nil {
			t.Errorf("a public client with PKCE: %d %v", st, out)
		}
	})

	t.Run("a transaction is its browser's", func(t *testing.T) {
		victim := testenv.NewBrowser(t, e.URL)
		p := victim.Get(authURL(e, a, nil))
		attacker := testenv.NewBrowser(t, e.URL)
		res := attacker.Submit(p, "/oauth2/login", url.Values{"via": {"password"}, "account": {"alice"}, "password": {"Alice-pass-1"}})
		if res.Status != http.StatusBadRequest || res.Location != "" {
			t.Errorf("another browser continued the transaction: %d %q", res.Status, res.Location)
		}
		forged := url.Values{"via": {"password"}, "account": {"alice"}, "password": {"Alice-pass-1"}}
		for _, m := range testenv.Hidden.FindAllStringSubmatch(p.Body, 2) {
			if m[1] == "txn" {
				forged.Set("txn", m[2])
			}
		}
		forged.Set("csrf", "forged")
		if res := victim.Post("/oauth2/login", forged); res.Status != http.StatusBadRequest {
			t.Errorf("a form without the browser's CSRF token: %d", res.Status)
		}
	})

	t.Run("a refresh token is no login", func(t *testing.T) {
		_, out := exchange(a, code(t, a, true), pkce, a.redirect)
		rt, _ := out["refresh_token"].(string)
		c := testenv.NewClient("thief")
		c.Token = strings.TrimPrefix(rt, "idco_rt_")
		if r := e.Call(t, c, "account", "getAccountInfo", nil); r.Code() != "uni-id-check-token-failed" {
			t.Errorf("getAccountInfo with a refresh token: %s", r.Raw)
		}
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/oauth2/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+rt)
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 401 {
			t.Errorf("userinfo with a refresh token: %v %v", res.StatusCode, err)
		}
	})
}

// TestAuthorizationsAndRevocation: a user lists the apps they authorised
// and withdraws one, whose tokens then stop; RFC 7009 revocation ends a
// session; the SSO link maps onto the code flow, and only a legacy app
// gets tokens in the fragment.
func TestAuthorizationsAndRevocation(t *testing.T) {
	e := testenv.New(t, nil)
	admin := testenv.NewClient("admin-dev")
	a := register(t, e, admin, map[string]any{"name": "Demo App", "redirectUris": []string{"https://app.example.com/cb"},
		"scopes": []string{"openid", "profile"}})
	legacy := register(t, e, admin, map[string]any{"name": "Old App", "redirectUris": []string{"https://old.example.com/sso.html"},
		"scopes": []string{"openid", "profile", "role"}, "legacyFragment": true})
	alice := testenv.NewClient("alice-dev")
	e.Register(t, alice, "alice", "Alice-pass-1")

	b := testenv.NewBrowser(t, e.URL)
	back := b.Login(e.URL+"/oauth/2?"+url.Values{"scheme": {"app"}, "appId": {a.id}, "redirect_uri": {a.redirect},
		"scopes": {"openid profile"}, "nonce": {"1667553723079"}, "expireInDays": {"7"}}.Encode(), "alice", "Alice-pass-1")
	if back.Query().Get("code") == "" || back.Query().Get("state") != "1667553723079" || back.Fragment != "" {
		t.Fatalf("the SSO link: back at %s, want a code and the nonce as state", back)
	}
	st, toks := tokenRequest(t, e, a, url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")}, "redirect_uri": {a.redirect}})
	if st != 200 {
		t.Fatalf("exchange: %d %v", st, toks)
	}
	p := b.Get(e.URL + "/oauth/2?" + url.Values{"scheme": {"app"}, "appId": {legacy.id}, "redirect_uri": {legacy.redirect},
		"scopes": {"openid profile role"}, "nonce": {"abc"}}.Encode())
	if strings.Contains(p.URL, "/oauth2/consent") {
		p = b.Submit(p, "/oauth2/consent", url.Values{"decision": {"allow"}})
	}
	frag, _ := url.Parse(p.Location)
	if fv, _ := url.ParseQuery(frag.Fragment); frag == nil || fv.Get("access_token") == "" || fv.Get("refresh_token") != "" || frag.RawQuery != "" {
		t.Errorf("the legacy app: redirect %q, want the access token (no refresh token) in the fragment only", p.Location)
	}

	userinfo := func(tok string) int {
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/oauth2/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if st := userinfo(toks["access_token"].(string)); st != 200 {
		t.Fatalf("userinfo: %d", st)
	}
	r := e.Call(t, alice, "oauth", "getAuthorizations", nil)
	list, _ := r.Body["authorizations"].([]any)
	if r.Code() != "0" || len(list) != 2 {
		t.Fatalf("getAuthorizations: %s", r.Raw)
	}
	if r := e.Call(t, alice, "oauth", "deleteAuthorization", map[string]any{"clientId": a.id}); r.Code() != "0" {
		t.Fatalf("deleteAuthorization: %s", r.Raw)
	}
	if st := userinfo(toks["access_token"].(string)); st != 401 {
		t.Errorf("userinfo after the authorisation was withdrawn: %d", st)
	}
	if st, out := tokenRequest(t, e, a, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {toks["refresh_token"].(string)}}); st != 400 {
		t.Errorf("refresh after the authorisation was withdrawn: %d %v", st, out)
	}

	// Consent again (the grant is gone), then revoke the refresh token.
	back = b.Login(authURL(e, a, nil), "", "")
	_, toks = tokenRequest(t, e, a, url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")}, "redirect_uri": {a.redirect}})
	form := url.Values{"token": {toks["refresh_token"].(string)}, "client_id": {a.id}, "client_secret": {a.secret}}
	if res, err := http.PostForm(e.URL+"/oauth2/revoke", form); err != nil || res.StatusCode != 200 {
		t.Fatalf("revoke: %v", err)
	}
	if st := userinfo(toks["access_token"].(string)); st != 401 {
		t.Errorf("userinfo after revocation: %d", st)
	}
}

// TestLogout: RP-initiated logout asks first (a GET alone never logs out),
// ends the single sign-on session on the confirmation, and goes back only
// to a post-logout URI the app registered, with its state.
func TestLogout(t *testing.T) {
	e := testenv.New(t, nil)
	a := register(t, e, testenv.NewClient("admin-dev"), map[string]any{"name": "Demo App", "redirectUris": []string{"https://app.example.com/cb"},
		"postLogoutRedirectUris": []string{"https://app.example.com/bye"}, "scopes": []string{"openid", "profile"}})
	e.Register(t, testenv.NewClient("alice-dev"), "alice", "Alice-pass-1")
	b := testenv.NewBrowser(t, e.URL)
	b.Login(authURL(e, a, nil), "alice", "Alice-pass-1")

	logout := e.URL + "/oauth2/logout?" + url.Values{"client_id": {a.id}, "post_logout_redirect_uri": {"https://app.example.com/bye"}, "state": {"s9"}}.Encode()
	p := b.Get(logout)
	if p.Status != http.StatusOK || p.Location != "" {
		t.Fatalf("GET logout: %d %q", p.Status, p.Location)
	}
	if back := b.Login(authURL(e, a, nil), "", ""); back.Query().Get("code") == "" {
		t.Fatalf("a GET of the logout page ended the session: back at %s", back)
	}
	if res := b.Post("/oauth2/logout", url.Values{"csrf": {"forged"}}); res.Status != http.StatusBadRequest {
		t.Errorf("a logout without the browser's CSRF token: %d", res.Status)
	}
	p = b.Submit(b.Get(logout), "/oauth2/logout", url.Values{"client_id": {a.id}, "post_logout_redirect_uri": {"https://app.example.com/bye"}, "state": {"s9"}})
	if p.Location != "https://app.example.com/bye?state=s9" {
		t.Errorf("after logout: redirect %q, want the registered URI with the state", p.Location)
	}
	if p := b.Get(authURL(e, a, nil)); !strings.Contains(p.URL, "/oauth2/login") {
		t.Errorf("after logout the browser is still signed in: at %s", p.URL)
	}

	b.Login(authURL(e, a, nil), "alice", "Alice-pass-1")
	p = b.Submit(b.Get(e.URL+"/oauth2/logout"), "/oauth2/logout", url.Values{"client_id": {a.id}, "post_logout_redirect_uri": {"https://evil.example.com/"}})
	if p.Location != "" || p.Status != http.StatusOK {
		t.Errorf("an unregistered post-logout URI: %d, redirect %q", p.Status, p.Location)
	}
}

// TestAuthorizeLimit: one source starts at most 100 authorization requests
// in 10 minutes, then again once the window has moved on.
func TestAuthorizeLimit(t *testing.T) {
	e := testenv.New(t, nil)
	a := register(t, e, testenv.NewClient("admin-dev"), map[string]any{"name": "Demo App", "redirectUris": []string{"https://app.example.com/cb"},
		"scopes": []string{"openid", "profile"}})
	b := testenv.NewBrowser(t, e.URL)
	for i := range 100 {
		if p := b.Get(authURL(e, a, nil)); !strings.Contains(p.URL, "/oauth2/login") {
			t.Fatalf("request %d: %d at %s", i+1, p.Status, p.URL)
		}
	}
	if p := b.Get(authURL(e, a, nil)); p.Status != http.StatusTooManyRequests || p.Location != "" {
		t.Errorf("the 101st request: %d, location %q", p.Status, p.Location)
	}
	e.Clock.Advance(11 * time.Minute)
	if p := b.Get(authURL(e, a, nil)); !strings.Contains(p.URL, "/oauth2/login") {
		t.Errorf("after the window: %d at %s", p.Status, p.URL)
	}
}
