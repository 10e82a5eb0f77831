package oidc_test

import (
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
