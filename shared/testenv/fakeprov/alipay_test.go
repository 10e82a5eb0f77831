package fakeprov_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/providers/alipay"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"

	"github.com/idco-dev/idco/shared/testenv/clock"
)

const aliApp = "2021000000000001"

// newAlipay returns a client configured as idco configures it: from the
// PEM strings a config document would hold.
func newAlipay(t *testing.T) (*fakeprov.Fake, *clock.Clock, *alipay.Client) {
	t.Helper()
	f, clk := newFake(t)
	priv, err := alipay.ParsePrivateKey(f.AppPrivatePEM)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := alipay.ParsePublicKey(f.AlipayPublicPEM)
	if err != nil {
		t.Fatal(err)
	}
	return f, clk, &alipay.Client{Gateway: f.AlipayGateway(), AppID: aliApp, PrivateKey: priv, AlipayPublicKey: pub,
		Timeout: 2 * time.Second, Now: clk.Now}
}

func TestAlipayOAuthToken(t *testing.T) {
	f, _, c := newAlipay(t)
	ctx := t.Context()
	f.AlipayCode("auth-1", "2088102150477652", "")
	tok, err := c.OAuthToken(ctx, "auth-1")
	if err != nil {
		t.Fatal(err)
	}
	if tok.UserID != "2088102150477652" || tok.OpenID != "" || tok.AccessToken == "" || tok.RefreshToken == "" || tok.ExpiresIn <= 0 {
		t.Fatalf("token %+v", tok)
	}
	_, err = c.OAuthToken(ctx, "auth-1")
	if ae := as[*alipay.Error](t, err); !ae.InvalidCode() || ae.Retryable() || alipay.IsRetryable(err) {
		t.Fatalf("reused code: %v", err)
	}
	if _, err := c.OAuthToken(ctx, "never-issued"); !as[*alipay.Error](t, err).InvalidCode() {
		t.Fatalf("unknown code: %v", err)
	}

	f.AlipayCode("auth-openid", "", "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5")
	if tok, err := c.OAuthToken(ctx, "auth-openid"); err != nil || tok.UserID != "" || tok.OpenID != "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5" {
		t.Fatalf("OpenID-mode token %+v, %v", tok, err)
	}
}

func TestAlipaySignatures(t *testing.T) {
	f, _, c := newAlipay(t)
	ctx := t.Context()
	f.AlipayCode("auth-1", "2088000000000001", "")

	// idco signing with a key that is not the app's: Alipay refuses it,
	// in a signed answer.
	wrongKey := *c
	wrongKey.PrivateKey = f.AlipayKey
	_, err := wrongKey.OAuthToken(ctx, "auth-1")
	if ae := as[*alipay.Error](t, err); ae.SubCode != "isv.invalid-signature" || ae.Code != "40002" {
		t.Fatalf("request signed with another key: %v", err)
	}

	// idco configured with the wrong Alipay public key: the answer does
	// not verify and is not trusted.
	wrongPub := *c
	wrongPub.AlipayPublicKey = &f.AppKey.PublicKey
	if _, err := wrongPub.OAuthToken(ctx, "auth-1"); !errors.Is(err, alipay.ErrSignature) {
		t.Fatalf("answer checked with another key: %v", err)
	}

	// With AlipayAppID set, other app ids are refused.
	f.AlipayAppID = "2021999999999999"
	if _, err := c.OAuthToken(ctx, "auth-1"); as[*alipay.Error](t, err).SubCode != "isv.invalid-app-id" {
		t.Fatalf("wrong app id: %v", err)
	}
	f.AlipayAppID = aliApp
	// The refused requests did not consume the code, but the exchange
	// whose answer idco could not verify did: Alipay had accepted it.
	if _, err := c.OAuthToken(ctx, "auth-1"); !as[*alipay.Error](t, err).InvalidCode() {
		t.Fatalf("code after an accepted exchange: %v", err)
	}
}

// TestAlipayGatewayWire sends requests by hand to check the gateway's own
// validation and the answer's exact shape.
func TestAlipayGatewayWire(t *testing.T) {
	f, _, _ := newAlipay(t)
	post := func(sys url.Values) map[string]json.RawMessage {
		t.Helper()
		resp, err := http.Post(f.AlipayGateway()+"?"+sys.Encode(), "application/x-www-form-urlencoded;charset=utf-8", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var env map[string]json.RawMessage
		if err := json.Unmarshal(b, &env); err != nil || resp.StatusCode != 200 {
			t.Fatalf("HTTP %d %s: %v", resp.StatusCode, b, err)
		}
		return env
	}
	base := url.Values{"app_id": {aliApp}, "method": {"alipay.system.oauth.token"}, "format": {"JSON"},
		"charset": {"utf-8"}, "sign_type": {"RSA2"}, "timestamp": {"2026-11-25 20:00:00"}, "version": {"1.0"},
		"grant_type": {"authorization_code"}, "code": {"x"}, "sign": {"c2lnbg=="}}
	for _, tt := range []struct{ drop, set, value, sub string }{
		{drop: "sign", sub: "isv.missing-signature"},
		{drop: "app_id", sub: "isv.missing-app-id"},
		{drop: "timestamp", sub: "isv.missing-timestamp"},
		{set: "method", value: "alipay.trade.pay", sub: "isv.invalid-method"},
		{set: "sign_type", value: "MD5", sub: "isv.invalid-signature-type"},
		{set: "timestamp", value: "yesterday", sub: "isv.invalid-timestamp"},
		{sub: "isv.invalid-signature"},
	} {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		if tt.drop != "" {
			q.Del(tt.drop)
		}
		if tt.set != "" {
			q.Set(tt.set, tt.value)
		}
		env := post(q)
		var e struct {
			Code    string `json:"code"`
			SubCode string `json:"sub_code"`
		}
		if len(env) != 2 || env["sign"] == nil || json.Unmarshal(env["error_response"], &e) != nil || e.SubCode != tt.sub {
			t.Errorf("%+v: answer %s", tt, env)
		}
	}
}
