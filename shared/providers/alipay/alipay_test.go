package alipay

import (
	"context"
	"crypto/rsa"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestOAuthToken(t *testing.T) {
	k := newKeys(t)
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	gw := &fakeGateway{t: t, appID: "2021000000000000", appPub: &k.app.PublicKey, signer: k.alipay, now: now}
	srv := httptest.NewServer(gw)
	defer srv.Close()

	client := func(alipayKey *rsa.PublicKey) *Client {
		return &Client{
			Gateway: srv.URL, AppID: gw.appID, PrivateKey: k.app, AlipayPublicKey: alipayKey,
			HTTP: srv.Client(), Timeout: 200 * time.Millisecond, Now: func() time.Time { return now },
		}
	}
	tests := []struct {
		name      string
		code      string
		alipayKey *rsa.PublicKey
		want      Token
		wantErr   func(error) bool
		invalid   bool // want *Error with InvalidCode
		retryable bool
	}{
		{name: "user id", code: "good", want: Token{UserID: "2088102150477652", AccessToken: "AT-secret", RefreshToken: "RT-secret", ExpiresIn: 1296000}},
		{name: "open id only", code: "openid", want: Token{OpenID: "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5", AccessToken: "AT", RefreshToken: "RT", ExpiresIn: 3600}},
		{name: "sign before response", code: "sign-first", want: Token{UserID: "2088000000000001", AccessToken: "AT"}},
		{name: "escapes and whitespace kept", code: "escaped", want: Token{UserID: "2088000000000002", AccessToken: "a/b"}},
		{name: "used code", code: "used", wantErr: isAlipayError, invalid: true},
		{name: "service unavailable", code: "busy", wantErr: isAlipayError, retryable: true},
		{name: "error in method node", code: "inner-error", wantErr: isAlipayError},
		{name: "tampered body", code: "tampered", wantErr: isSignature},
		{name: "unsigned body", code: "unsigned", wantErr: isSignature},
		{name: "unsigned error", code: "unsigned-error", wantErr: isSignature},
		{name: "wrong alipay key", code: "good", alipayKey: &k.stranger.PublicKey, wantErr: isSignature},
		{name: "no user id", code: "no-user", wantErr: anyError},
		{name: "HTTP 502", code: "bad-gateway", wantErr: anyError, retryable: true},
		{name: "timeout", code: "slow", wantErr: isDeadline, retryable: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := tt.alipayKey
			if key == nil {
				key = &k.alipay.PublicKey
			}
			got, err := client(key).OAuthToken(t.Context(), tt.code)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("OAuthToken: %v", err)
				}
				if *got != tt.want {
					t.Fatalf("got %+v, want %+v", *got, tt.want)
				}
				return
			}
			if err == nil || !tt.wantErr(err) {
				t.Fatalf("got error %v, want another kind", err)
			}
			var ae *Error
			if gotInvalid := errors.As(err, &ae) && ae.InvalidCode(); gotInvalid != tt.invalid {
				t.Errorf("InvalidCode = %v, want %v (%v)", gotInvalid, tt.invalid, err)
			}
			if got := IsRetryable(err); got != tt.retryable {
				t.Errorf("IsRetryable = %v, want %v (%v)", got, tt.retryable, err)
			}
			for _, secret := range []string{"AT-secret", "RT-secret", "PRIVATE KEY"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q leaks %q", err, secret)
				}
			}
		})
	}
}

func isAlipayError(err error) bool { var ae *Error; return errors.As(err, &ae) }
func isSignature(err error) bool   { return errors.Is(err, ErrSignature) }
func isDeadline(err error) bool    { return errors.Is(err, context.DeadlineExceeded) }
func anyError(error) bool          { return true }

func TestOAuthTokenConfig(t *testing.T) {
	k := newKeys(t)
	tests := []struct {
		name string
		c    Client
		code string
	}{
		{"no app id", Client{PrivateKey: k.app, AlipayPublicKey: &k.alipay.PublicKey}, "x"},
		{"no private key", Client{AppID: "1", AlipayPublicKey: &k.alipay.PublicKey}, "x"},
		{"no alipay key", Client{AppID: "1", PrivateKey: k.app}, "x"},
		{"empty code", Client{AppID: "1", PrivateKey: k.app, AlipayPublicKey: &k.alipay.PublicKey}, ""},
	}
	for _, tt := range tests {
		// Gateway is unroutable on purpose: a config error must not reach it.
		tt.c.Gateway = "http://127.0.0.1:1/gateway.do"
		if _, err := tt.c.OAuthToken(t.Context(), tt.code); err == nil || IsRetryable(err) {
			t.Errorf("%s: got %v, want a non-retryable error", tt.name, err)
		}
	}
}

func TestCancelledIsNotRetryable(t *testing.T) {
	k := newKeys(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	c := &Client{Gateway: "http://127.0.0.1:1/gateway.do", AppID: "1", PrivateKey: k.app, AlipayPublicKey: &k.alipay.PublicKey}
	_, err := c.OAuthToken(ctx, "code")
	if err == nil || IsRetryable(err) {
		t.Fatalf("got %v, want a non-retryable cancellation", err)
	}
}

func TestErrorClassification(t *testing.T) {
	tests := []struct {
		e                  Error
		invalid, retryable bool
	}{
		{Error{Code: "40002", SubCode: "isv.code-invalid"}, true, false},
		{Error{Code: "40002", SubCode: "isv.grant-type-invalid"}, false, false},
		{Error{Code: "20000", SubCode: "isp.unknow-error"}, false, true},
		{Error{Code: "20000", SubCode: "aop.unknow-error"}, false, true},
		{Error{Code: "40004", SubCode: "aop.ACQ.SYSTEM_ERROR"}, false, true},
		{Error{Code: "40004", SubCode: "isp.rpc-error"}, false, true},
		{Error{Code: "20001", SubCode: "aop.invalid-auth-token"}, false, false},
	}
	for _, tt := range tests {
		if got := tt.e.InvalidCode(); got != tt.invalid {
			t.Errorf("%+v InvalidCode = %v, want %v", tt.e, got, tt.invalid)
		}
		if got := IsRetryable(&tt.e); got != tt.retryable {
			t.Errorf("%+v IsRetryable = %v, want %v", tt.e, got, tt.retryable)
		}
	}
}
