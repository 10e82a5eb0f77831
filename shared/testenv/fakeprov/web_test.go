package fakeprov_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/internal/httpcall"
	"github.com/idco-dev/idco/shared/internal/oauthapi"
	"github.com/idco-dev/idco/shared/providers/dingtalk"
	"github.com/idco-dev/idco/shared/providers/facebook"
	"github.com/idco-dev/idco/shared/providers/github"
	"github.com/idco-dev/idco/shared/providers/google"
	"github.com/idco-dev/idco/shared/providers/qq"
	"github.com/idco-dev/idco/shared/providers/twitter"
	"github.com/idco-dev/idco/shared/providers/weibo"
	"github.com/idco-dev/idco/shared/providers/weixin"
	"github.com/idco-dev/idco/shared/testenv/clock"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

const (
	webClient   = "web-client-id"
	webSecret   = "web-secret-do-not-leak"
	webRedirect = "https://app.example.com/oauth/callback/x"
)

// webProbes are the web OAuth providers' probes: each exchanges a fresh
// code through the real client.
func webProbes() []probe {
	busy := func(err error) bool {
		var oe *oauthapi.Error
		return errors.As(err, &oe) && oe.Busy && httpcall.IsRetryable(err)
	}
	limited := func(err error) bool {
		var oe *oauthapi.Error
		return errors.As(err, &oe) && oe.RateLimited() && !httpcall.IsRetryable(err)
	}
	code := func(f *fakeprov.Fake, provider string) string {
		c := fresh()
		f.OAuthCode(provider, c, fakeprov.OAuthUser{}, fakeprov.OAuthGrant{})
		return c
	}
	return []probe{
		{
			provider: fakeprov.GitHub,
			call: func(ctx context.Context, f *fakeprov.Fake, _ *clock.Clock, timeout time.Duration) error {
				c := &github.Client{BaseURL: f.WebBaseURL(fakeprov.GitHub), Timeout: timeout}
				_, err := c.Token(ctx, webClient, webSecret, code(f, fakeprov.GitHub), webRedirect, "")
				return err
			},
			busy: busy, rateLimited: limited, transient: httpcall.IsRetryable,
		},
		{
			provider: fakeprov.Google,
			call: func(ctx context.Context, f *fakeprov.Fake, clk *clock.Clock, timeout time.Duration) error {
				c := &google.Client{BaseURL: f.WebBaseURL(fakeprov.Google), Timeout: timeout, Now: clk.Now}
				_, err := c.Exchange(ctx, webClient, webSecret, code(f, fakeprov.Google), webRedirect, "")
				return err
			},
			busy: busy, rateLimited: limited, transient: httpcall.IsRetryable, fetches: 1,
		},
		{
			provider: fakeprov.DingTalk,
			call: func(ctx context.Context, f *fakeprov.Fake, _ *clock.Clock, timeout time.Duration) error {
				c := &dingtalk.Client{BaseURL: f.WebBaseURL(fakeprov.DingTalk), Timeout: timeout}
				_, err := c.Token(ctx, webClient, webSecret, code(f, fakeprov.DingTalk))
				return err
			},
			busy: busy, rateLimited: limited, transient: httpcall.IsRetryable,
		},
		{
			provider: fakeprov.Weibo,
			call: func(ctx context.Context, f *fakeprov.Fake, _ *clock.Clock, timeout time.Duration) error {
				c := &weibo.Client{BaseURL: f.WebBaseURL(fakeprov.Weibo), Timeout: timeout}
				_, err := c.Token(ctx, webClient, webSecret, code(f, fakeprov.Weibo), webRedirect)
				return err
			},
			busy: busy, rateLimited: limited, transient: httpcall.IsRetryable,
		},
		{
			provider: fakeprov.Facebook,
			call: func(ctx context.Context, f *fakeprov.Fake, _ *clock.Clock, timeout time.Duration) error {
				c := &facebook.Client{BaseURL: f.WebBaseURL(fakeprov.Facebook), Timeout: timeout}
				_, err := c.Token(ctx, webClient, webSecret, code(f, fakeprov.Facebook), webRedirect)
				return err
			},
			busy: busy, rateLimited: limited, transient: httpcall.IsRetryable,
		},
		{
			provider: fakeprov.Twitter,
			call: func(ctx context.Context, f *fakeprov.Fake, _ *clock.Clock, timeout time.Duration) error {
				c := &twitter.Client{BaseURL: f.WebBaseURL(fakeprov.Twitter), Timeout: timeout}
				_, err := c.Token(ctx, webClient, webSecret, code(f, fakeprov.Twitter), webRedirect, strings.Repeat("v", 43))
				return err
			},
			busy: busy, rateLimited: limited, transient: httpcall.IsRetryable,
		},
	}
}

// browse follows a provider's authorization page to the redirect it
// answers, and returns that address's query.
func browse(t *testing.T, authURL string) url.Values {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorization page answered %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), webRedirect) {
		t.Fatalf("redirected to %q", resp.Header.Get("Location"))
	}
	return loc.Query()
}

// TestGitHubFlow: the authorization page, PKCE, the code's single use and
// the /user answer, through the real client.
func TestGitHubFlow(t *testing.T) {
	f, _ := newFake(t)
	f.OAuthApp(fakeprov.GitHub, webClient, webSecret)
	want := f.OAuthNext(fakeprov.GitHub, fakeprov.OAuthUser{ID: "583231", Name: "Octocat", Avatar: "https://avatars.example/u/583231"})
	c := &github.Client{BaseURL: f.WebBaseURL(fakeprov.GitHub)}
	verifier := strings.Repeat("v", 43)
	q := browse(t, c.AuthCodeURL(webClient, webRedirect, "st-1", oauthapi.S256(verifier)))
	if q.Get("state") != "st-1" || q.Get("code") == "" {
		t.Fatalf("callback query %v", q)
	}
	ctx := t.Context()
	if _, err := c.Token(ctx, webClient, webSecret, q.Get("code"), webRedirect, "wrong-verifier"); !refused(err, "bad_verification_code") {
		t.Fatalf("a wrong verifier: %v", err)
	}
	if _, err := c.Token(ctx, webClient, "other", q.Get("code"), webRedirect, verifier); !refused(err, "incorrect_client_credentials") {
		t.Fatalf("a wrong secret: %v", err)
	}
	if _, err := c.Token(ctx, webClient, webSecret, q.Get("code"), webRedirect+"2", verifier); !refused(err, "redirect_uri_mismatch") {
		t.Fatalf("another redirect_uri: %v", err)
	}
	tok, err := c.Token(ctx, webClient, webSecret, q.Get("code"), webRedirect, verifier)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Token(ctx, webClient, webSecret, q.Get("code"), webRedirect, verifier); !refused(err, "bad_verification_code") {
		t.Fatalf("a used code: %v", err)
	}
	u, err := c.User(ctx, tok)
	if err != nil || u.ID != want.ID || u.Name != "Octocat" || u.AvatarURL != want.Avatar {
		t.Fatalf("User = %+v, %v", u, err)
	}
	if _, err := c.User(ctx, "nope"); !refused(err, "Unauthorized") {
		t.Fatalf("a bad token: %v", err)
	}
}

// TestGoogleFlow: the id_token is signed by the published key and names
// the client; spoiled tokens are refused by the real verifier.
func TestGoogleFlow(t *testing.T) {
	f, clk := newFake(t)
	f.OAuthApp(fakeprov.Google, webClient, webSecret)
	c := &google.Client{BaseURL: f.WebBaseURL(fakeprov.Google), Now: clk.Now}
	q := browse(t, c.AuthCodeURL(webClient, webRedirect, "st", ""))
	id, err := c.Exchange(t.Context(), webClient, webSecret, q.Get("code"), webRedirect, "")
	if err != nil || id.Subject == "" {
		t.Fatalf("Exchange = %+v, %v", id, err)
	}
	for name, g := range map[string]fakeprov.OAuthGrant{
		"wrong aud":     {IDToken: map[string]any{"aud": "another-client"}},
		"wrong iss":     {IDToken: map[string]any{"iss": "https://accounts.google.com.evil"}},
		"expired":       {IDToken: map[string]any{"exp": clk.Now().Add(-time.Hour).Unix(), "iat": clk.Now().Add(-2 * time.Hour).Unix()}},
		"no sub":        {IDToken: map[string]any{"sub": nil}},
		"bad signature": {BadSignature: true},
	} {
		f.OAuthCode(fakeprov.Google, "c-"+name, fakeprov.OAuthUser{}, g)
		if _, err := c.Exchange(t.Context(), webClient, webSecret, "c-"+name, webRedirect, ""); !errors.Is(err, google.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := c.Exchange(t.Context(), webClient, webSecret, q.Get("code"), webRedirect, ""); !refused(err, "invalid_grant") {
		t.Fatalf("a used code: %v", err)
	}
}

// TestDingTalkFlow: the login page answers authCode; a used one is
// invalidParameter.authCode.notFound.
func TestDingTalkFlow(t *testing.T) {
	f, _ := newFake(t)
	f.OAuthApp(fakeprov.DingTalk, webClient, webSecret)
	want := f.OAuthNext(fakeprov.DingTalk, fakeprov.OAuthUser{ID: "union-1", Name: "钉钉用户"})
	c := &dingtalk.Client{BaseURL: f.WebBaseURL(fakeprov.DingTalk)}
	q := browse(t, c.AuthCodeURL(webClient, webRedirect, "st"))
	if q.Get("authCode") == "" || q.Get("authCode") != q.Get("code") {
		t.Fatalf("callback query %v", q)
	}
	tok, err := c.Token(t.Context(), webClient, webSecret, q.Get("authCode"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Token(t.Context(), webClient, webSecret, q.Get("authCode")); !refused(err, "invalidParameter.authCode.notFound") {
		t.Fatalf("a used code: %v", err)
	}
	u, err := c.Me(t.Context(), tok)
	if err != nil || u.UnionID != want.ID || u.Nick != want.Name || u.OpenID == "" {
		t.Fatalf("Me = %+v, %v", u, err)
	}
	if _, err := c.Me(t.Context(), "nope"); !refused(err, "InvalidAuthentication") {
		t.Fatalf("a bad token: %v", err)
	}
}

// TestWeiboFlow: the code names the uid; users/show answers the profile.
func TestWeiboFlow(t *testing.T) {
	f, _ := newFake(t)
	f.OAuthApp(fakeprov.Weibo, webClient, webSecret)
	want := f.OAuthNext(fakeprov.Weibo, fakeprov.OAuthUser{ID: "1404376560", Name: "zaku", Avatar: "https://tvax1.sinaimg.cn/a.jpg"})
	c := &weibo.Client{BaseURL: f.WebBaseURL(fakeprov.Weibo)}
	q := browse(t, c.AuthCodeURL(webClient, webRedirect, "st"))
	if _, err := c.Token(t.Context(), webClient, "wrong", q.Get("code"), webRedirect); !refused(err, "21324") {
		t.Fatalf("a wrong secret: %v", err)
	}
	tok, err := c.Token(t.Context(), webClient, webSecret, q.Get("code"), webRedirect)
	if err != nil || tok.UID != want.ID {
		t.Fatalf("Token = %+v, %v", tok, err)
	}
	if _, err := c.Token(t.Context(), webClient, webSecret, q.Get("code"), webRedirect); !refused(err, "21325") {
		t.Fatalf("a used code: %v", err)
	}
	u, err := c.Show(t.Context(), tok.AccessToken, tok.UID)
	if err != nil || u.ScreenName != "zaku" || u.Avatar != want.Avatar {
		t.Fatalf("Show = %+v, %v", u, err)
	}
	if _, err := c.Show(t.Context(), "2.00nope", tok.UID); !refused(err, "21332") {
		t.Fatalf("a bad token: %v", err)
	}
}

// TestFacebookFlow: /me needs the appsecret_proof of the token.
func TestFacebookFlow(t *testing.T) {
	f, _ := newFake(t)
	f.OAuthApp(fakeprov.Facebook, webClient, webSecret)
	want := f.OAuthNext(fakeprov.Facebook, fakeprov.OAuthUser{ID: "10158000000000001", Name: "Mark", Avatar: "https://platform-lookaside.fbsbx.com/p.jpg"})
	c := &facebook.Client{BaseURL: f.WebBaseURL(fakeprov.Facebook), Version: fakeprov.FacebookVersion}
	q := browse(t, c.AuthCodeURL(webClient, webRedirect, "st"))
	tok, err := c.Token(t.Context(), webClient, webSecret, q.Get("code"), webRedirect)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Token(t.Context(), webClient, webSecret, q.Get("code"), webRedirect); !refused(err, "100/36009") {
		t.Fatalf("a used code: %v", err)
	}
	if _, err := c.Me(t.Context(), tok, "another-secret"); !refused(err, "100") {
		t.Fatalf("a proof under another secret: %v", err)
	}
	u, err := c.Me(t.Context(), tok, webSecret)
	if err != nil || u.ID != want.ID || u.Name != "Mark" || u.Picture != want.Avatar {
		t.Fatalf("Me = %+v, %v", u, err)
	}
}

// TestTwitterFlow: the authorization page wants a challenge, the token
// endpoint Basic credentials and the verifier.
func TestTwitterFlow(t *testing.T) {
	f, _ := newFake(t)
	f.OAuthApp(fakeprov.Twitter, webClient, webSecret)
	want := f.OAuthNext(fakeprov.Twitter, fakeprov.OAuthUser{ID: "2244994945", Name: "XDevelopers"})
	c := &twitter.Client{BaseURL: f.WebBaseURL(fakeprov.Twitter)}
	verifier := strings.Repeat("x", 50)
	q := browse(t, c.AuthCodeURL(webClient, webRedirect, "st", oauthapi.S256(verifier)))
	if _, err := c.Token(t.Context(), webClient, webSecret, q.Get("code"), webRedirect, strings.Repeat("y", 50)); !refused(err, "invalid_request") {
		t.Fatalf("a wrong verifier: %v", err)
	}
	if _, err := c.Token(t.Context(), webClient, "wrong", q.Get("code"), webRedirect, verifier); !refused(err, "unauthorized_client") {
		t.Fatalf("a wrong secret: %v", err)
	}
	tok, err := c.Token(t.Context(), webClient, webSecret, q.Get("code"), webRedirect, verifier)
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.Me(t.Context(), tok)
	if err != nil || u.ID != want.ID || u.Name != "XDevelopers" {
		t.Fatalf("Me = %+v, %v", u, err)
	}
	if _, err := c.Me(t.Context(), "nope"); !refused(err, "Unauthorized") {
		t.Fatalf("a bad token: %v", err)
	}
}

// TestQQWebFlow: QQ Connect's PC login page and code exchange; the token
// resolves through /oauth2.0/me to the app it was issued to.
func TestQQWebFlow(t *testing.T) {
	f, _ := newFake(t)
	f.QQApp(qqApp, qqSecret)
	f.QQNext(fakeprov.QQUser{UnionID: "UID_Q"})
	c := &qq.Client{GraphBaseURL: f.QQGraphBaseURL()}
	q := browse(t, c.AuthCodeURL(qqApp, webRedirect, "st"))
	if _, err := c.Token(t.Context(), qqApp, qqSecret, q.Get("code"), webRedirect+"x"); err == nil {
		t.Fatal("another redirect URI was accepted")
	}
	tok, err := c.Token(t.Context(), qqApp, qqSecret, q.Get("code"), webRedirect)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Token(t.Context(), qqApp, qqSecret, q.Get("code"), webRedirect); !qqGraph(err, 100020) {
		t.Fatalf("a used code: %v", err)
	}
	me, err := c.Me(t.Context(), tok, qqApp)
	if err != nil || me.UnionID != "UID_Q" {
		t.Fatalf("Me = %+v, %v", me, err)
	}
}

// TestWeixinQRConnect: the website login page answers a code for the
// appid it was opened with, which OAuthToken exchanges.
func TestWeixinQRConnect(t *testing.T) {
	f, _ := newFake(t)
	f.WeixinApp(wxApp, wxSecret)
	f.WeixinNext(fakeprov.WeixinUser{UnionID: "union-w", Scope: "snsapi_login"})
	c := &weixin.Client{BaseURL: f.WeixinBaseURL()}
	addr := c.QRConnectURL(wxApp, webRedirect, "st")
	if !strings.HasSuffix(addr, "#wechat_redirect") {
		t.Fatalf("%s lacks #wechat_redirect", addr)
	}
	q := browse(t, strings.TrimSuffix(addr, "#wechat_redirect"))
	tok, err := c.OAuthToken(t.Context(), wxApp, wxSecret, q.Get("code"))
	if err != nil || tok.UnionID != "union-w" || tok.Scope != "snsapi_login" {
		t.Fatalf("OAuthToken = %+v, %v", tok, err)
	}
}

func qqGraph(err error, code int) bool {
	var qe *qq.Error
	return errors.As(err, &qe) && qe.Graph && qe.Code == code
}

// refused reports a final refusal with the provider's code, whose text
// holds no secret.
func refused(err error, code string) bool {
	var oe *oauthapi.Error
	return errors.As(err, &oe) && oe.Code == code && !oe.Busy && !oe.Limited &&
		!strings.Contains(err.Error(), webSecret)
}
