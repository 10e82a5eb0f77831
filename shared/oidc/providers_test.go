package oidc_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/testenv"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// TestProviderButtons: the hosted login page offers the app's web OAuth
// providers; GitHub's button signs the user in through GitHub (its fake)
// and back to the app, and under idco.thirdPartyOnly the page shows the
// providers alone.
func TestProviderButtons(t *testing.T) {
	for _, only := range []bool{false, true} {
		f := fakeprov.New(t)
		e := testenv.New(t, func(cfg map[string]any) {
			cfg["web"] = map[string]any{"oauth": map[string]any{"github": map[string]any{"appid": "gh-client", "appsecret": "gh-secret"}}}
			cfg["idco"].(map[string]any)["thirdPartyOnly"] = only
		})
		f.Now = e.Clock.Now
		e.UseProviders(f.Env())
		f.OAuthApp(fakeprov.GitHub, "gh-client", "gh-secret")
		f.OAuthNext(fakeprov.GitHub, fakeprov.OAuthUser{ID: "4242", Name: "octo", Email: "octo@example.com"})
		a := register(t, e, testenv.NewClient("admin-dev"), map[string]any{"name": "Demo App",
			"redirectUris": []string{"https://app.example.com/cb"}, "scopes": []string{"openid", "profile"}})

		b := testenv.NewBrowser(t, e.URL, f.WebBaseURL(fakeprov.GitHub))
		p := b.Get(authURL(e, a, nil))
		button := regexp.MustCompile(`href="(/oauth2/provider/github\?txn=[^"]+)"`).FindStringSubmatch(p.Body)
		if button == nil {
			t.Fatalf("thirdPartyOnly %v: no GitHub button on the login page: %s", only, p.Body)
		}
		if has := strings.Contains(p.Body, `name="password"`); has == only {
			t.Errorf("thirdPartyOnly %v: the password form shows: %v", only, has)
		}
		p = b.Get(e.URL + strings.ReplaceAll(button[1], "&amp;", "&"))
		if strings.Contains(p.URL, "/oauth2/consent") {
			p = b.Submit(p, "/oauth2/consent", url.Values{"decision": {"allow"}})
		}
		back, _ := url.Parse(p.Location)
		if back == nil || back.Query().Get("code") == "" || !strings.HasPrefix(p.Location, a.redirect+"?") {
			t.Fatalf("thirdPartyOnly %v: after GitHub, %d at %s, location %q: %s", only, p.Status, p.URL, p.Location, p.Body)
		}
		st, toks := tokenRequest(t, e, a, url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")}, "redirect_uri": {a.redirect}})
		if st != http.StatusOK || toks["id_token"] == nil {
			t.Fatalf("exchange: %d %v", st, toks)
		}

		// idp=github skips the login page: a login address per provider.
		f.OAuthNext(fakeprov.GitHub, fakeprov.OAuthUser{ID: "4242", Name: "octo"})
		b2 := testenv.NewBrowser(t, e.URL, f.WebBaseURL(fakeprov.GitHub))
		p = b2.Get(authURL(e, a, url.Values{"idp": {"github"}}))
		if strings.Contains(p.URL, "/oauth2/consent") {
			p = b2.Submit(p, "/oauth2/consent", url.Values{"decision": {"allow"}})
		}
		if back, _ := url.Parse(p.Location); back == nil || back.Query().Get("code") == "" {
			t.Errorf("idp=github: %d at %s, location %q", p.Status, p.URL, p.Location)
		}

		// A callback whose state this browser did not start is refused.
		if p := testenv.NewBrowser(t, e.URL).Get(e.URL + "/oauth2/callback/github?code=x&state=forged"); p.Status != http.StatusBadRequest {
			t.Errorf("a forged callback: %d", p.Status)
		}
	}
}

// TestProviderBindFirst: under thirdPartyRegistration "bind-first" an
// unknown GitHub identity is not an account: the hosted page asks for a
// login, which binds it, and GitHub alone signs in afterwards.
func TestProviderBindFirst(t *testing.T) {
	f := fakeprov.New(t)
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["web"] = map[string]any{"oauth": map[string]any{"github": map[string]any{"appid": "gh-client", "appsecret": "gh-secret"}}}
		cfg["idco"].(map[string]any)["thirdPartyRegistration"] = "bind-first"
	})
	f.Now = e.Clock.Now
	e.UseProviders(f.Env())
	f.OAuthApp(fakeprov.GitHub, "gh-client", "gh-secret")
	a := register(t, e, testenv.NewClient("admin-dev"), map[string]any{"name": "Demo App",
		"redirectUris": []string{"https://app.example.com/cb"}, "scopes": []string{"openid", "profile"}})
	e.Register(t, testenv.NewClient("alice-dev"), "alice", "Alice-pass-1")

	github := func(b *testenv.Browser) testenv.Page {
		t.Helper()
		f.OAuthNext(fakeprov.GitHub, fakeprov.OAuthUser{ID: "777", Name: "octo"})
		p := b.Get(authURL(e, a, url.Values{"idp": {"github"}}))
		if strings.Contains(p.URL, "/oauth2/consent") {
			p = b.Submit(p, "/oauth2/consent", url.Values{"decision": {"allow"}})
		}
		return p
	}
	b := testenv.NewBrowser(t, e.URL, f.WebBaseURL(fakeprov.GitHub))
	p := github(b)
	if p.Location != "" || !strings.Contains(p.Body, `name="password"`) {
		t.Fatalf("an unknown identity under bind-first: %d at %s, location %q", p.Status, p.URL, p.Location)
	}
	p = b.Submit(p, "/oauth2/login", url.Values{"via": {"password"}, "account": {"alice"}, "password": {"Alice-pass-1"}})
	if strings.Contains(p.URL, "/oauth2/consent") {
		p = b.Submit(p, "/oauth2/consent", url.Values{"decision": {"allow"}})
	}
	if back, _ := url.Parse(p.Location); back == nil || back.Query().Get("code") == "" {
		t.Fatalf("the login that binds: %d at %s, location %q", p.Status, p.URL, p.Location)
	}
	// Another browser, GitHub only: alice.
	p = github(testenv.NewBrowser(t, e.URL, f.WebBaseURL(fakeprov.GitHub)))
	back, _ := url.Parse(p.Location)
	if back == nil || back.Query().Get("code") == "" {
		t.Fatalf("GitHub after binding: %d at %s: %s", p.Status, p.URL, p.Body)
	}
	_, toks := tokenRequest(t, e, a, url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")}, "redirect_uri": {a.redirect}})
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/oauth2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+toks["access_token"].(string))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var info map[string]any
	_ = json.NewDecoder(res.Body).Decode(&info)
	if info["preferred_username"] != "alice" {
		t.Errorf("GitHub signs in as %v, want alice", info)
	}
}
