package fakeprov_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/providers/alipay"
	"github.com/idco-dev/idco/shared/providers/apple"
	"github.com/idco-dev/idco/shared/providers/cloudauth"
	"github.com/idco-dev/idco/shared/providers/qq"
	"github.com/idco-dev/idco/shared/providers/univerify"
	"github.com/idco-dev/idco/shared/providers/weixin"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"

	"github.com/idco-dev/idco/shared/testenv/clock"
)

func fresh() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// probe makes one successful-if-healthy call to a provider through its
// real client, registering a fresh code each time, and knows how that
// client classifies failures.
type probe struct {
	provider    string
	call        func(ctx context.Context, f *fakeprov.Fake, clk *clock.Clock, timeout time.Duration) error
	busy        func(error) bool // what Busy must look like
	rateLimited func(error) bool // what RateLimited must look like
	transient   func(error) bool // what HTTP500 and Timeout must look like
	// fetches is the requests a successful call makes besides its one
	// (Google's signing keys).
	fetches int
}

func probes() []probe {
	wxRetryable := func(err error) bool {
		var we *weixin.Error
		return errors.As(err, &we) && we.Retryable() && weixin.IsRetryable(err)
	}
	wxLimited := func(err error) bool {
		var we *weixin.Error
		return errors.As(err, &we) && we.RateLimited() && !weixin.IsRetryable(err)
	}
	qqRetryable := func(err error) bool {
		var qe *qq.Error
		return errors.As(err, &qe) && qe.Retryable() && qq.IsRetryable(err)
	}
	qqLimited := func(err error) bool {
		var qe *qq.Error
		return errors.As(err, &qe) && qe.RateLimited() && !qq.IsRetryable(err)
	}
	unavailable := func(err error) bool { return errors.Is(err, apple.ErrUnavailable) }
	return append(webProbes(), []probe{
		{
			provider: fakeprov.Weixin,
			call: func(ctx context.Context, f *fakeprov.Fake, _ *clock.Clock, timeout time.Duration) error {
				code := fresh()
				f.WeixinCode(code, fakeprov.WeixinUser{})
				c := &weixin.Client{BaseURL: f.WeixinBaseURL(), Timeout: timeout}
				_, err := c.Code2Session(ctx, wxApp, wxSecret, code)
				return err
			},
			busy: wxRetryable, rateLimited: wxLimited, transient: weixin.IsRetryable,
		},
		{
			provider: fakeprov.QQMini,
			call: func(ctx context.Context, f *fakeprov.Fake, _ *clock.Clock, timeout time.Duration) error {
				code := fresh()
				f.QQCode(code, fakeprov.QQUser{})
				c := &qq.Client{MiniBaseURL: f.QQMiniBaseURL(), Timeout: timeout}
				_, err := c.Code2Session(ctx, qqApp, qqSecret, code)
				return err
			},
			busy: qqRetryable, rateLimited: qqLimited, transient: qq.IsRetryable,
		},
		{
			provider: fakeprov.QQGraph,
			call: func(ctx context.Context, f *fakeprov.Fake, _ *clock.Clock, timeout time.Duration) error {
				tok := fresh()
				f.QQToken(tok, fakeprov.QQUser{AppID: qqApp})
				c := &qq.Client{GraphBaseURL: f.QQGraphBaseURL(), Timeout: timeout}
				_, err := c.Me(ctx, tok, qqApp)
				return err
			},
			// QQ Connect has no "busy" code: HTTP 503 and 429 instead.
			busy: qq.IsRetryable, rateLimited: qq.IsRetryable, transient: qq.IsRetryable,
		},
		{
			provider: fakeprov.Alipay,
			call: func(ctx context.Context, f *fakeprov.Fake, clk *clock.Clock, timeout time.Duration) error {
				code := fresh()
				f.AlipayCode(code, "2088"+code[:12], "")
				priv, _ := alipay.ParsePrivateKey(f.AppPrivatePEM)
				pub, _ := alipay.ParsePublicKey(f.AlipayPublicPEM)
				c := &alipay.Client{Gateway: f.AlipayGateway(), AppID: aliApp, PrivateKey: priv, AlipayPublicKey: pub, Timeout: timeout, Now: clk.Now}
				_, err := c.OAuthToken(ctx, code)
				return err
			},
			busy: func(err error) bool {
				var ae *alipay.Error
				return errors.As(err, &ae) && ae.Retryable() && alipay.IsRetryable(err)
			},
			rateLimited: func(err error) bool {
				var ae *alipay.Error
				return errors.As(err, &ae) && ae.SubCode == "isv.app-call-limited"
			},
			transient: alipay.IsRetryable,
		},
		{
			provider: fakeprov.Apple,
			call: func(ctx context.Context, f *fakeprov.Fake, clk *clock.Clock, timeout time.Duration) error {
				v := &apple.Verifier{JWKSURL: f.AppleJWKSURL(), Now: clk.Now, Timeout: timeout}
				_, err := v.Verify(ctx, f.AppleToken("sub-"+fresh(), "", ""), []string{f.AppleAudience}, "")
				return err
			},
			busy: unavailable, rateLimited: unavailable, transient: unavailable,
		},
		{
			provider: fakeprov.Univerify,
			call: func(ctx context.Context, f *fakeprov.Fake, clk *clock.Clock, timeout time.Duration) error {
				tok := fresh()
				f.UniverifyToken(tok, "oid", "13800138000")
				c := &univerify.Client{URL: f.UniverifyURL(), Secret: f.UniverifySecret, AppID: "__UNI__ABCDEF", Now: clk.Now, Timeout: timeout}
				_, err := c.PhoneNumber(ctx, tok, "oid")
				return err
			},
			busy: func(err error) bool {
				var ue *univerify.Error
				return errors.As(err, &ue) && ue.Code == 5000 && univerify.IsRetryable(err)
			},
			rateLimited: univerify.IsRetryable, transient: univerify.IsRetryable,
		},
		{
			provider: fakeprov.Cloudauth,
			call: func(ctx context.Context, f *fakeprov.Fake, clk *clock.Clock, timeout time.Duration) error {
				c := &cloudauth.Client{Endpoint: f.CloudauthURL(), AccessKeyID: f.CloudauthKeyID, AccessKeySecret: f.CloudauthSecret, Now: clk.Now, Timeout: timeout}
				_, err := c.InitFaceVerify(ctx, caInit(fresh()))
				return err
			},
			busy: func(err error) bool {
				var ce *cloudauth.Error
				return errors.As(err, &ce) && ce.Code == "500" && cloudauth.IsRetryable(err)
			},
			rateLimited: func(err error) bool {
				var ce *cloudauth.Error
				return errors.As(err, &ce) && ce.Code == "Throttling.User" && cloudauth.IsRetryable(err)
			},
			transient: cloudauth.IsRetryable,
		},
	}...)
}

// TestFaults checks that every mode gives, through each real client, the
// error class the client documents, for exactly n calls.
func TestFaults(t *testing.T) {
	for _, p := range probes() {
		t.Run(p.provider, func(t *testing.T) {
			t.Parallel()
			f, clk := newFake(t)
			f.WeixinApp(wxApp, wxSecret)
			f.Delay = 3 * time.Second
			ctx := t.Context()
			const timeout = 150 * time.Millisecond
			if err := p.call(ctx, f, clk, timeout); err != nil {
				t.Fatalf("healthy: %v", err)
			}
			for _, m := range []struct {
				mode  fakeprov.FailMode
				class func(error) bool
			}{
				{fakeprov.Busy, p.busy},
				{fakeprov.RateLimited, p.rateLimited},
				{fakeprov.HTTP500, p.transient},
				{fakeprov.Timeout, p.transient},
			} {
				f.Fail(p.provider, m.mode, 2)
				for i := range 2 {
					start := time.Now()
					err := p.call(ctx, f, clk, timeout)
					if err == nil || !m.class(err) {
						t.Fatalf("%v, call %d: %v (%T)", m.mode, i+1, err, err)
					}
					if d := time.Since(start); d > 2*time.Second {
						t.Fatalf("%v took %v: the client timeout did not end it", m.mode, d)
					}
				}
				if err := p.call(ctx, f, clk, timeout); err != nil {
					t.Fatalf("after %v ran out: %v", m.mode, err)
				}
			}
			// n < 0: until reset.
			f.Fail(p.provider, fakeprov.HTTP500, -1)
			for range 3 {
				if err := p.call(ctx, f, clk, timeout); !p.transient(err) {
					t.Fatalf("HTTP500 until reset: %v", err)
				}
			}
			f.Fail(p.provider, fakeprov.HTTP500, 0)
			if err := p.call(ctx, f, clk, timeout); err != nil {
				t.Fatalf("after reset: %v", err)
			}
			// 1 healthy + 4 modes x 3 + 3 + 1, and each of the 6 successful
			// calls' fetches.
			if n, want := f.Calls(p.provider), 17+6*p.fetches; n != want {
				t.Fatalf("Calls = %d, want %d", n, want)
			}
		})
	}
}

// TestFaultsSpareCodes: a code sent during Busy, HTTP500 or an abandoned
// Timeout is not consumed, so a retry with the same code succeeds.
func TestFaultsSpareCodes(t *testing.T) {
	f, _, c := newWeixin(t)
	f.Delay = 3 * time.Second
	c.Timeout = 100 * time.Millisecond
	f.WeixinCode("kept", fakeprov.WeixinUser{OpenID: "oK"})
	for _, m := range []fakeprov.FailMode{fakeprov.Busy, fakeprov.HTTP500, fakeprov.Timeout, fakeprov.RateLimited} {
		f.Fail(fakeprov.Weixin, m, 1)
		if _, err := c.Code2Session(t.Context(), wxApp, wxSecret, "kept"); err == nil {
			t.Fatalf("%v: no error", m)
		}
	}
	c.Timeout = 2 * time.Second
	if s, err := c.Code2Session(t.Context(), wxApp, wxSecret, "kept"); err != nil || s.OpenID != "oK" {
		t.Fatalf("after faults: %+v, %v", s, err)
	}
}

// TestSlowButInTime: a Timeout shorter than the client's patience delays
// the answer and then serves it.
func TestSlowButInTime(t *testing.T) {
	f, _, c := newWeixin(t)
	f.Delay = 200 * time.Millisecond
	f.WeixinCode("slow", fakeprov.WeixinUser{OpenID: "oS"})
	f.Fail(fakeprov.Weixin, fakeprov.Timeout, 1)
	start := time.Now()
	s, err := c.Code2Session(t.Context(), wxApp, wxSecret, "slow")
	if err != nil || s.OpenID != "oS" {
		t.Fatalf("%+v, %v", s, err)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("answered after %v, before the delay", d)
	}
}

// TestCloseReleasesHeldRequests: cleanup does not wait for Delay.
func TestCloseReleasesHeldRequests(t *testing.T) {
	var f *fakeprov.Fake
	done := make(chan error, 1)
	t.Run("inner", func(t *testing.T) {
		f = fakeprov.New(t)
		f.Delay = time.Hour
		f.Fail(fakeprov.Apple, fakeprov.Timeout, -1)
		go func() {
			resp, err := http.Get(f.AppleJWKSURL())
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		for f.Calls(fakeprov.Apple) == 0 {
			time.Sleep(time.Millisecond)
		}
	})
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a held request outlived the Fake")
	}
}

// TestConcurrentProviders drives every provider at once.
func TestConcurrentProviders(t *testing.T) {
	f, clk := newFake(t)
	f.WeixinApp(wxApp, wxSecret)
	var wg sync.WaitGroup
	for _, p := range probes() {
		for range 5 {
			wg.Go(func() {
				if err := p.call(t.Context(), f, clk, 5*time.Second); err != nil {
					t.Errorf("%s: %v", p.provider, err)
				}
			})
		}
	}
	wg.Wait()
	for _, p := range probes() {
		if n := f.Calls(p.provider); n < 1 || n > 5*(1+p.fetches) {
			t.Errorf("%s: %d calls", p.provider, n)
		}
	}
}

func TestEnvAndURLs(t *testing.T) {
	f := fakeprov.New(t)
	env := f.Env()
	want := map[string]string{
		"IDCO_WEIXIN_BASE_URL":   f.URL + "/weixin",
		"IDCO_QQ_MINI_BASE_URL":  f.URL + "/qqmini",
		"IDCO_QQ_GRAPH_BASE_URL": f.URL + "/qqgraph",
		"IDCO_ALIPAY_GATEWAY":    f.URL + "/alipay/gateway.do",
		"IDCO_APPLE_JWKS_URL":    f.URL + "/apple/auth/keys",
		"IDCO_GITHUB_BASE_URL":   f.URL + "/github",
		"IDCO_GOOGLE_BASE_URL":   f.URL + "/google",
		"IDCO_DINGTALK_BASE_URL": f.URL + "/dingtalk",
		"IDCO_WEIBO_BASE_URL":    f.URL + "/weibo",
		"IDCO_FACEBOOK_BASE_URL": f.URL + "/facebook",
		"IDCO_TWITTER_BASE_URL":  f.URL + "/twitter",
	}
	if fmt.Sprint(env) != fmt.Sprint(want) {
		t.Fatalf("Env() = %v", env)
	}
	if f.UniverifyURL() != f.URL+"/univerify" {
		t.Fatal(f.UniverifyURL())
	}
}
