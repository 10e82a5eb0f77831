package qq

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// class names what a caller would do with err.
func class(err error) string {
	var qe *Error
	isQQ := errors.As(err, &qe)
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrForeignToken):
		return "foreign"
	case isQQ && qe.InvalidCode():
		return "invalid-code"
	case isQQ && qe.RateLimited():
		return "rate-limited"
	case isQQ && qe.InvalidToken():
		return "invalid-token"
	case IsRetryable(err):
		return "retryable"
	default:
		return "other"
	}
}

func noSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if err != nil && s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error %q contains secret %q", err, s)
		}
	}
}

func TestCode2Session(t *testing.T) {
	c := newFake(t)
	tests := []struct{ code, want string }{
		{"good", "ok"},
		{"invalid", "invalid-code"},
		{"used", "invalid-code"},
		{"busy", "retryable"},
		{"limited", "rate-limited"},
		{"odd", "other"},
		{"empty", "other"},
		{"http500", "retryable"},
		{"http403", "other"},
		{"html", "retryable"},
		{"slow", "retryable"},
		{"echo", "invalid-code"},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			s, err := c.Code2Session(t.Context(), appID, appSecret, tc.code)
			if got := class(err); got != tc.want {
				t.Fatalf("class = %s (%v), want %s", got, err, tc.want)
			}
			noSecrets(t, err, appSecret, tc.code, sessionKey)
			if err == nil && *s != (Session{openID, unionID, sessionKey}) {
				t.Errorf("session = %+v", s)
			}
		})
	}
}

func TestMe(t *testing.T) {
	c := newFake(t)
	tests := []struct{ token, want string }{
		{goodToken, "ok"},
		{"jsonp", "ok"},
		{"numeric-id", "ok"},
		{"foreign", "foreign"},
		{"foreign-jsonp", "foreign"},
		{"expired", "invalid-token"},
		{"expired-jsonp", "invalid-token"},
		{"no-openid", "other"},
		{"http500", "retryable"},
		{"html", "retryable"},
		{"slow", "retryable"},
		{"echo", "invalid-token"},
	}
	for _, tc := range tests {
		t.Run(tc.token, func(t *testing.T) {
			me, err := c.Me(t.Context(), tc.token, appID)
			if got := class(err); got != tc.want {
				t.Fatalf("class = %s (%v), want %s", got, err, tc.want)
			}
			noSecrets(t, err, tc.token)
			if err == nil && (me.ClientID != appID || me.OpenID != openID) {
				t.Errorf("me = %+v", me)
			}
		})
	}
}

func TestUserInfo(t *testing.T) {
	c := newFake(t)
	tests := []struct{ token, want, avatar string }{
		{goodToken, "ok", avatar100},
		{"no-qq2", "ok", avatar40},
		{"expired", "invalid-token", ""},
		{"bad-openid", "other", ""}, // graph's -1 is a parameter error, not "busy"
		{"no-grant", "other", ""},
		{"not-profile", "other", ""},
		{"http500", "retryable", ""},
		{"slow", "retryable", ""},
		{"echo", "invalid-token", ""},
	}
	for _, tc := range tests {
		t.Run(tc.token, func(t *testing.T) {
			u, err := c.UserInfo(t.Context(), tc.token, appID, openID)
			if got := class(err); got != tc.want {
				t.Fatalf("class = %s (%v), want %s", got, err, tc.want)
			}
			noSecrets(t, err, tc.token)
			if err == nil && (u.Nickname != "qzuser" || u.FigureURL != tc.avatar) {
				t.Errorf("user = %+v, want avatar %s", u, tc.avatar)
			}
		})
	}
}

func TestUnwrapJSONP(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":1}`, `{"a":1}`},
		{" callback( {\"a\":1} );\n", `{"a":1}`},
		{`callback({"a":1})`, `{"a":1}`},
		{`callback( { "a":1, } );`, `{ "a":1}`},
		{`<html>`, `<html>`},
		{``, ``},
	}
	for i, tc := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			if got := string(unwrapJSONP([]byte(tc.in))); got != tc.want {
				t.Errorf("unwrapJSONP(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestErrorPredicates(t *testing.T) {
	tests := []struct {
		err                               *Error
		retry, limited, badCode, badToken bool
	}{
		{&Error{Code: -1}, true, false, false, false},
		{&Error{Code: -1, Graph: true}, false, false, false, false},
		{&Error{Code: 45011}, false, true, false, false},
		{&Error{Code: 40029}, false, false, true, false},
		{&Error{Code: 40163}, false, false, true, false},
		{&Error{Code: 100013, Graph: true}, false, false, false, true},
		{&Error{Code: 100016, Graph: true}, false, false, false, true},
		{&Error{Code: 100016}, false, false, false, false},
		{&Error{Code: 100030, Graph: true}, false, false, false, false},
	}
	for i, tc := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			e := tc.err
			got := [4]bool{e.Retryable(), e.RateLimited(), e.InvalidCode(), e.InvalidToken()}
			if want := [4]bool{tc.retry, tc.limited, tc.badCode, tc.badToken}; got != want {
				t.Errorf("%v: Retryable, RateLimited, InvalidCode, InvalidToken = %v, want %v", e, got, want)
			}
		})
	}
}

func TestIsRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"busy wrapped", fmt.Errorf("login: %w", &Error{Code: -1}), true},
		{"graph -1", &Error{Code: -1, Graph: true}, false},
		{"foreign token", ErrForeignToken, false},
		{"transport", &transportError{context.DeadlineExceeded}, true},
		{"caller cancelled", &transportError{context.Canceled}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsRetryable(tc.err); got != tc.want {
				t.Errorf("%s: IsRetryable = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
}

func TestConnectionRefusedIsRetryableAndHidesTheURL(t *testing.T) {
	srv := httptest.NewServer(nil)
	srv.Close()
	c := &Client{MiniBaseURL: srv.URL, GraphBaseURL: srv.URL}
	_, err := c.Code2Session(t.Context(), appID, appSecret, "a-code-value")
	if !IsRetryable(err) {
		t.Fatalf("Code2Session: IsRetryable(%v) = false", err)
	}
	noSecrets(t, err, appSecret, "a-code-value")
	_, err = c.Me(t.Context(), goodToken, appID)
	if !IsRetryable(err) {
		t.Fatalf("Me: IsRetryable(%v) = false", err)
	}
	noSecrets(t, err, goodToken)
}

func TestEmptyArgumentsAreRefused(t *testing.T) {
	c := &Client{MiniBaseURL: "http://127.0.0.1:1", GraphBaseURL: "http://127.0.0.1:1"}
	calls := map[string]func() error{
		"code2session no secret": func() error { _, err := c.Code2Session(t.Context(), appID, "", "c"); return err },
		"me no appid":            func() error { _, err := c.Me(t.Context(), goodToken, ""); return err },
		"userinfo no openid":     func() error { _, err := c.UserInfo(t.Context(), goodToken, appID, ""); return err },
	}
	for name, call := range calls {
		if err := call(); err == nil || !strings.Contains(err.Error(), "is empty") {
			t.Errorf("%s: err = %v, want an 'is empty' error", name, err)
		}
	}
}

// roundTrip lets a test see the requests the client would send to the
// default hosts, without a network.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestDefaultsReachQQHosts(t *testing.T) {
	var got []string
	c := &Client{HTTP: &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		got = append(got, r.URL.Scheme+"://"+r.URL.Host+r.URL.Path)
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(miniErrors["busy"]))}, nil
	})}}
	c.Code2Session(t.Context(), appID, appSecret, "c")
	c.Me(t.Context(), goodToken, appID)
	c.UserInfo(t.Context(), goodToken, appID, openID)
	want := []string{
		"https://api.q.qq.com/sns/jscode2session",
		"https://graph.qq.com/oauth2.0/me",
		"https://graph.qq.com/user/get_user_info",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("requests went to %v, want %v", got, want)
	}
}
