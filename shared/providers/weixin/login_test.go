package weixin

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// class names what a caller would do with err, so tables can say which
// branch each scenario must reach.
func class(err error) string {
	var we *Error
	isWX := errors.As(err, &we)
	switch {
	case err == nil:
		return "ok"
	case isWX && we.Blocked():
		return "blocked"
	case isWX && we.InvalidCode():
		return "invalid-code"
	case isWX && we.RateLimited():
		return "rate-limited"
	case isWX && we.InvalidToken():
		return "invalid-token"
	case isWX && we.InvalidPage():
		return "invalid-page"
	case IsRetryable(err):
		return "retryable"
	default:
		return "other"
	}
}

// noSecrets fails if err's text holds any of the secrets.
func noSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error %q contains secret %q", err, s)
		}
	}
}

// codeCases are the answers every code exchange must classify.
var codeCases = []struct {
	code, want string
}{
	{"good", "ok"},
	{"invalid", "invalid-code"},
	{"used", "invalid-code"},
	{"blocked", "blocked"},
	{"busy", "retryable"},
	{"limited", "rate-limited"},
	{"http500", "retryable"},
	{"http403", "other"},
	{"html", "retryable"},
	{"slow", "retryable"},
	{"echo", "invalid-code"},
	{"empty", "other"},
}

func TestCode2Session(t *testing.T) {
	c := newFake(t)
	for _, tc := range codeCases {
		t.Run(tc.code, func(t *testing.T) {
			s, err := c.Code2Session(t.Context(), appID, appSecret, tc.code)
			if got := class(err); got != tc.want {
				t.Fatalf("class = %s (%v), want %s", got, err, tc.want)
			}
			noSecrets(t, err, appSecret, tc.code, sessionKey)
			if err == nil && (s.OpenID != openID || s.UnionID != unionID || s.SessionKey != sessionKey) {
				t.Errorf("session = %+v", s)
			}
		})
	}
}

func TestOAuthToken(t *testing.T) {
	c := newFake(t)
	for _, tc := range codeCases {
		t.Run(tc.code, func(t *testing.T) {
			tok, err := c.OAuthToken(t.Context(), appID, appSecret, tc.code)
			if got := class(err); got != tc.want {
				t.Fatalf("class = %s (%v), want %s", got, err, tc.want)
			}
			noSecrets(t, err, appSecret, tc.code)
			if err == nil && (tok.AccessToken != userToken || tok.OpenID != openID || tok.UnionID != unionID ||
				tok.ExpiresIn != 7200 || tok.RefreshToken != "RT" || tok.Scope != "snsapi_userinfo") {
				t.Errorf("token = %+v", tok)
			}
		})
	}
}

func TestUserInfo(t *testing.T) {
	c := newFake(t)
	tests := []struct {
		token, openID, want string
	}{
		{userToken, openID, "ok"},
		{"expired", openID, "invalid-token"},
		{"badcred", openID, "invalid-token"},
		{"busy", openID, "retryable"},
		{"http500", openID, "retryable"},
		{"empty", openID, "other"}, // no openid in the answer
	}
	for _, tc := range tests {
		t.Run(tc.token, func(t *testing.T) {
			u, err := c.UserInfo(t.Context(), tc.token, tc.openID)
			if got := class(err); got != tc.want {
				t.Fatalf("class = %s (%v), want %s", got, err, tc.want)
			}
			noSecrets(t, err, tc.token)
			if err == nil && (u.Nickname != "Band" || u.UnionID != unionID || u.HeadImgURL == "") {
				t.Errorf("user = %+v", u)
			}
		})
	}
}

func TestEmptyArgumentsAreRefusedBeforeCalling(t *testing.T) {
	c := &Client{BaseURL: "http://127.0.0.1:1"} // nothing listens: a call would fail differently
	calls := map[string]func() error{
		"code2session no code": func() error { _, err := c.Code2Session(t.Context(), appID, appSecret, ""); return err },
		"oauth no secret":      func() error { _, err := c.OAuthToken(t.Context(), appID, "", "c"); return err },
		"userinfo no openid":   func() error { _, err := c.UserInfo(t.Context(), userToken, ""); return err },
		"token no appid":       func() error { _, _, err := c.AccessToken(t.Context(), "", appSecret); return err },
		"phone no appid":       func() error { _, err := c.PhoneNumber(t.Context(), goodToken, "c", ""); return err },
	}
	for name, call := range calls {
		if err := call(); err == nil || IsRetryable(err) || !strings.Contains(err.Error(), "is empty") {
			t.Errorf("%s: err = %v, want an 'is empty' error", name, err)
		}
	}
}

func TestConnectionRefusedIsRetryableAndHidesTheURL(t *testing.T) {
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close()
	c := &Client{BaseURL: url}
	_, err := c.Code2Session(t.Context(), appID, appSecret, "a-code-value")
	if !IsRetryable(err) {
		t.Fatalf("IsRetryable(%v) = false, want true", err)
	}
	noSecrets(t, err, appSecret, "a-code-value", "js_code")
}

func TestCancelledContextIsNotRetryable(t *testing.T) {
	c := newFake(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Code2Session(ctx, appID, appSecret, "good")
	if err == nil || IsRetryable(err) {
		t.Fatalf("err = %v, IsRetryable = %v; want a non-retryable error", err, IsRetryable(err))
	}
}

// roundTrip lets a test see the request the client would send to the
// default host, without a network.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestDefaultsReachAPIWeixin(t *testing.T) {
	var got string
	c := &Client{HTTP: &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		got = r.URL.Scheme + "://" + r.URL.Host + r.URL.Path
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(wxErrors["busy"]))}, nil
	})}}
	if _, err := c.Code2Session(t.Context(), appID, appSecret, "c"); !IsRetryable(err) {
		t.Fatalf("err = %v, want the canned busy answer", err)
	}
	if want := "https://api.weixin.qq.com/sns/jscode2session"; got != want {
		t.Errorf("request went to %s, want %s", got, want)
	}
}
