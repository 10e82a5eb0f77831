package oauthapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// TestDo: how each kind of answer comes back, and that no secret of the
// request shows in an error.
func TestDo(t *testing.T) {
	const secret = "s3cret-value"
	cases := []struct {
		name          string
		status        int
		body          string
		wantErr       bool
		code          string
		busy, limited bool
		retryable     bool
	}{
		{"ok", 200, `{"v":"x"}`, false, "", false, false, false},
		{"refusal in a 200", 200, `{"error":"bad_verification_code","error_description":"no ` + secret + `"}`, true, "bad_verification_code", false, false, false},
		{"refusal 400", 400, `{"error":"invalid_grant"}`, true, "invalid_grant", false, false, false},
		{"temporarily_unavailable", 400, `{"error":"temporarily_unavailable"}`, true, "temporarily_unavailable", true, false, true},
		{"refusal 503", 503, `{"error":"server_error"}`, true, "server_error", true, false, true},
		{"429", 429, `slow down`, true, "http", false, true, false},
		{"502 page", 502, `<html>bad gateway</html>`, true, "http", true, false, true},
		{"404", 404, `nope`, true, "http", false, false, false},
		{"not JSON", 200, `<html>`, true, "not_json", true, false, true},
		{"too long", 200, `{"v":"` + strings.Repeat("a", maxBody) + `"}`, true, "too_long", true, false, true},
	}
	for _, tc := range cases {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.FormValue("client_secret") != secret {
				t.Errorf("%s: form not sent", tc.name)
			}
			w.WriteHeader(tc.status)
			fmt.Fprint(w, tc.body)
		}))
		var out struct {
			V string `json:"v"`
		}
		r := Request{Method: http.MethodPost, URL: srv.URL + "/token?x=" + secret, Form: map[string][]string{"client_secret": {secret}},
			Secrets: []string{secret}}
		err := r.Do(t.Context(), srv.Client(), time.Second, "prov", &out, Standard)
		srv.Close()
		if (err != nil) != tc.wantErr {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err == nil {
			if out.V != "x" {
				t.Errorf("%s: decoded %q", tc.name, out.V)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.code || e.Busy != tc.busy || e.Limited != tc.limited || e.Provider != "prov" {
			t.Errorf("%s: %#v", tc.name, err)
		}
		if httpcall.IsRetryable(err) != tc.retryable {
			t.Errorf("%s: retryable %v", tc.name, httpcall.IsRetryable(err))
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the secret in %q", tc.name, err)
		}
	}
}

// TestDoUnreachable: a provider that cannot be reached or answers too late
// is retryable, and the error does not quote the URL.
func TestDoUnreachable(t *testing.T) {
	held := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer held.Close()
	for name, u := range map[string]string{"refused": "http://127.0.0.1:1/t?code=c0de", "timeout": held.URL + "/t?code=c0de"} {
		r := Request{Method: http.MethodGet, URL: u}
		err := r.Do(t.Context(), nil, 100*time.Millisecond, "prov", &struct{}{}, Standard)
		if !httpcall.IsRetryable(err) || strings.Contains(err.Error(), "c0de") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestS256(t *testing.T) {
	// RFC 7636 appendix B.
	if got := S256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Errorf("S256 = %s", got)
	}
}
