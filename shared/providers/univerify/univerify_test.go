package univerify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

const testSecret = "0123456789abcdef0123456789abcdef-test"

// fakeProxy answers like proxy.js, written apart from the client code so
// that a mistake shared by both sides would still show. answer decides the
// reply from the verified request; sign may be replaced to forge answers.
type fakeProxy struct {
	t      *testing.T
	now    time.Time
	answer func(w http.ResponseWriter, req map[string]any, sign func(string) string)
}

func (p *fakeProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var req map[string]any
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(raw, &req) != nil {
		p.t.Errorf("proxy: bad request %s %q", r.Method, raw)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ts, _ := req["timestamp"].(float64)
	nonce, _ := req["nonce"].(string)
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(nonce) || int64(ts) != p.now.UnixMilli() {
		p.t.Errorf("proxy: nonce %q, timestamp %v", nonce, ts)
	}
	want := mac(fmt.Sprintf("%d\n%s\n%s", int64(ts), nonce, raw))
	if !hmac.Equal([]byte(r.Header.Get("X-Idco-Signature")), []byte(want)) {
		http.Error(w, `{"code":-401}`, http.StatusUnauthorized)
		return
	}
	p.answer(w, req, func(body string) string { return mac("response\n" + nonce + "\n" + body) })
}

func mac(s string) string {
	m := hmac.New(sha256.New, []byte(testSecret))
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

// signed answers body with a valid signature.
func signed(body string) func(http.ResponseWriter, map[string]any, func(string) string) {
	return func(w http.ResponseWriter, _ map[string]any, sign func(string) string) {
		w.Header().Set("X-Idco-Signature", sign(body))
		io.WriteString(w, body)
	}
}

func status(code int) func(http.ResponseWriter, map[string]any, func(string) string) {
	return func(w http.ResponseWriter, _ map[string]any, _ func(string) string) {
		http.Error(w, "no", code)
	}
}

func TestPhoneNumber(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		answer    func(http.ResponseWriter, map[string]any, func(string) string)
		secret    string
		want      string
		wantErr   func(error) bool
		retryable bool
	}{
		{name: "phone", answer: signed(`{"code":0,"message":"","phoneNumber":"13800138000"}`), want: "13800138000"},
		{name: "request fields", answer: func(w http.ResponseWriter, req map[string]any, sign func(string) string) {
			if req["appid"] != "__UNI__ABCDEF" || req["access_token"] != "tok-secret" || req["openid"] != "oid" {
				t.Errorf("request = %v", req)
			}
			signed(`{"code":0,"phoneNumber":"+8613800138000"}`)(w, req, sign)
		}, want: "+8613800138000"},
		{name: "operator error", answer: signed(`{"code":40047,"message":"一键登录取号失败"}`), wantErr: isCode(40047)},
		{name: "DCloud server error", answer: signed(`{"code":5000,"message":"服务器未知异常"}`), wantErr: isCode(5000), retryable: true},
		{name: "unsigned answer", answer: func(w http.ResponseWriter, _ map[string]any, _ func(string) string) {
			io.WriteString(w, `{"code":0,"phoneNumber":"13800138000"}`)
		}, wantErr: isErr(ErrSignature)},
		{name: "answer signed for another nonce", answer: func(w http.ResponseWriter, _ map[string]any, _ func(string) string) {
			body := `{"code":0,"phoneNumber":"13800138000"}`
			w.Header().Set("X-Idco-Signature", mac("response\n"+strings.Repeat("0", 32)+"\n"+body))
			io.WriteString(w, body)
		}, wantErr: isErr(ErrSignature)},
		{name: "tampered answer", answer: func(w http.ResponseWriter, _ map[string]any, sign func(string) string) {
			w.Header().Set("X-Idco-Signature", sign(`{"code":0,"phoneNumber":"13800138000"}`))
			io.WriteString(w, `{"code":0,"phoneNumber":"13900139000"}`)
		}, wantErr: isErr(ErrSignature)},
		{name: "no phone", answer: signed(`{"code":0,"message":""}`), wantErr: anyErr},
		{name: "junk phone", answer: signed(`{"code":0,"phoneNumber":"138-0013"}`), wantErr: anyErr},
		{name: "wrong secret", secret: testSecret + "x", answer: signed(`{}`), wantErr: isErr(ErrUnauthorized)},
		{name: "bad gateway", answer: status(http.StatusBadGateway), wantErr: anyErr, retryable: true},
		{name: "rate limited", answer: status(http.StatusTooManyRequests), wantErr: anyErr, retryable: true},
		{name: "not found", answer: status(http.StatusNotFound), wantErr: anyErr},
		{name: "timeout", answer: func(_ http.ResponseWriter, _ map[string]any, _ func(string) string) {
			time.Sleep(300 * time.Millisecond)
		}, wantErr: isErr(context.DeadlineExceeded), retryable: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(&fakeProxy{t: t, now: now, answer: tt.answer})
			defer srv.Close()
			secret := tt.secret
			if secret == "" {
				secret = testSecret
			}
			c := &Client{URL: srv.URL, Secret: secret, AppID: "__UNI__ABCDEF", HTTP: srv.Client(),
				Timeout: 100 * time.Millisecond, Now: func() time.Time { return now }}
			got, err := c.PhoneNumber(t.Context(), "tok-secret", "oid")
			if tt.wantErr == nil {
				if err != nil || got != tt.want {
					t.Fatalf("got %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil || !tt.wantErr(err) {
				t.Fatalf("got %q, %v; want another error", got, err)
			}
			if IsRetryable(err) != tt.retryable {
				t.Errorf("IsRetryable(%v) = %v, want %v", err, !tt.retryable, tt.retryable)
			}
			if s := err.Error(); strings.Contains(s, "tok-secret") || strings.Contains(s, "13800138000") {
				t.Errorf("error %q leaks the token or the phone", s)
			}
		})
	}
}

func isErr(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func isCode(code int) func(error) bool {
	return func(err error) bool { var e *Error; return errors.As(err, &e) && e.Code == code }
}

func anyErr(error) bool { return true }

func TestPhoneNumberConfig(t *testing.T) {
	ok := Client{URL: "http://127.0.0.1:1/", Secret: testSecret, AppID: "__UNI__A"}
	tests := []struct {
		name        string
		edit        func(*Client)
		token, open string
	}{
		{"no URL", func(c *Client) { c.URL = "" }, "t", "o"},
		{"short secret", func(c *Client) { c.Secret = "short" }, "t", "o"},
		{"no appid", func(c *Client) { c.AppID = "" }, "t", "o"},
		{"no token", func(*Client) {}, "", "o"},
		{"no openid", func(*Client) {}, "t", ""},
		{"broken randomness", func(c *Client) { c.Rand = strings.NewReader("short") }, "t", "o"},
	}
	for _, tt := range tests {
		c := ok
		tt.edit(&c)
		if _, err := c.PhoneNumber(t.Context(), tt.token, tt.open); err == nil || IsRetryable(err) {
			t.Errorf("%s: got %v, want a non-retryable error", tt.name, err)
		}
	}
}

func TestValidMAC(t *testing.T) {
	want := responseMAC(testSecret, "n", []byte("b"))
	tests := []struct {
		got string
		ok  bool
	}{
		{want, true},
		{strings.ToUpper(want), true},
		{"", false},
		{want[:62], false},
		{"zz" + want[2:], false},
		{requestMAC(testSecret, 0, "n", []byte("b")), false},
	}
	for _, tt := range tests {
		if got := validMAC(tt.got, want); got != tt.ok {
			t.Errorf("validMAC(%q) = %v, want %v", tt.got, got, tt.ok)
		}
	}
}
