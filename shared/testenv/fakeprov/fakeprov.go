// Package fakeprov runs fake WeChat, QQ, Alipay, Apple, univerify and
// Aliyun Cloudauth servers on 127.0.0.1 that speak the real wire formats,
// for tests.
//
// One httptest server serves every provider under a path prefix:
//
//	/weixin             api.weixin.qq.com        (WeixinBaseURL)
//	/qqmini             api.q.qq.com             (QQMiniBaseURL)
//	/qqgraph            graph.qq.com             (QQGraphBaseURL)
//	/alipay/gateway.do  openapi.alipay.com/gateway.do (AlipayGateway)
//	/apple/auth/keys    appleid.apple.com/auth/keys   (AppleJWKSURL)
//	/univerify          idco's uniCloud URL-function proxy (UniverifyURL)
//	/github             github.com, api.github.com       (WebBaseURL)
//	/google             accounts.google.com, oauth2.googleapis.com, www.googleapis.com
//	/dingtalk           login.dingtalk.com, api.dingtalk.com
//	/weibo              api.weibo.com
//	/facebook           www.facebook.com, graph.facebook.com
//	/twitter            x.com, api.x.com
//
// Cloudauth has a server of its own at CloudauthURL (cloudauth.aliyuncs.com),
// since its signature covers the path.
//
// Tests script what a code or token stands for (WeixinCode, QQCode,
// AlipayCode, AppleToken, UniverifyToken, CloudauthFace, OAuthCode...);
// the web providers' authorization pages (OAuthNext) answer a browser at
// once with a code for the redirect_uri, as after the user consented. The fake
// answers idco's real provider clients the way the provider would: same
// paths and parameters, same JSON field names, the provider's own error
// codes for missing parameters, wrong credentials and reused codes, and real
// signatures (Alipay RSA2 both ways, Apple RS256, univerify HMAC, Aliyun
// ACS3-HMAC-SHA256). Fail makes a provider misbehave for a number of calls.
//
// Codes are single-use. They do not expire with time, so a test may move
// its clock freely; access tokens the fake issues do expire (7200 s) by
// Fake.Now. A Fake is safe for concurrent use.
//
// The message services have servers of their own, each started by its New
// function: SES (Amazon SES v2 SendEmail), AliyunSMS (Aliyun SMS SendSms),
// SNS (Publish to a phone) and EUM (AWS End User Messaging
// SendTextMessage). Each checks the signature (VerifySigV4, VerifyACS3) and
// the params as the service does, reports what it refuses, records what it
// sends (Sent, Take) and answers the faults Fail scripts; the SMS ones share
// this through Outbox.
package fakeprov

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Provider names for Fail and Calls.
const (
	Weixin    = "weixin"
	QQMini    = "qqmini"
	QQGraph   = "qqgraph"
	Alipay    = "alipay"
	Apple     = "apple"
	Univerify = "univerify"
	Cloudauth = "cloudauth"
)

var providers = []string{Weixin, QQMini, QQGraph, Alipay, Apple, Univerify, Cloudauth, GitHub, Google, DingTalk, Weibo, Facebook, Twitter}

// FailMode is how a provider misbehaves; see Fail.
type FailMode int

const (
	// Busy is the provider's own "system busy, retry later" answer:
	// WeChat and QQ mini errcode -1, Alipay 20000 isp.unknow-error,
	// univerify code 5000 (signed, after the request signature checked
	// out), Cloudauth Code "500". Apple and QQ Connect (qqgraph) document
	// no such answer and reply HTTP 503 instead.
	Busy FailMode = iota + 1
	// HTTP500 answers HTTP 500 with an HTML error page.
	HTTP500
	// Timeout holds the request for Fake.Delay (or until the client gives
	// up), then answers normally. A request abandoned by its client is not
	// processed, so its code is not consumed.
	Timeout
	// RateLimited is WeChat's and QQ mini's errcode 45011. Apple, QQ
	// Connect and univerify answer HTTP 429; Alipay a signed 40004
	// isv.app-call-limited; Cloudauth's gateway Throttling.User (HTTP 400).
	RateLimited
)

func (m FailMode) String() string {
	switch m {
	case Busy:
		return "Busy"
	case HTTP500:
		return "HTTP500"
	case Timeout:
		return "Timeout"
	case RateLimited:
		return "RateLimited"
	}
	return "none"
}

// DefaultDelay is Fake.Delay's default: longer than the 5 s every idco
// provider client allows a call.
const DefaultDelay = 6 * time.Second

// DefaultAppleAudience is Fake.AppleAudience's default.
const DefaultAppleAudience = "com.example.app"

// Env names idco's thirdparty package reads its endpoints from (copied
// from shared/thirdparty, which this package must not import).
const (
	EnvWeixin    = "IDCO_WEIXIN_BASE_URL"
	EnvQQMini    = "IDCO_QQ_MINI_BASE_URL"
	EnvQQGraph   = "IDCO_QQ_GRAPH_BASE_URL"
	EnvAlipay    = "IDCO_ALIPAY_GATEWAY"
	EnvAppleJWKS = "IDCO_APPLE_JWKS_URL"
	EnvGitHub    = "IDCO_GITHUB_BASE_URL"
	EnvGoogle    = "IDCO_GOOGLE_BASE_URL"
	EnvDingTalk  = "IDCO_DINGTALK_BASE_URL"
	EnvWeibo     = "IDCO_WEIBO_BASE_URL"
	EnvFacebook  = "IDCO_FACEBOOK_BASE_URL"
	EnvTwitter   = "IDCO_TWITTER_BASE_URL"
)

// Fake is a running set of fake providers. Its exported settings (Now,
// Delay, AlipayAppID, AppleAudience, UniverifySecret...) may be changed
// right after New or between requests, never while a request is running.
// The keys are shared by every Fake of the test process: do not modify
// them.
type Fake struct {
	// URL is the base URL of the one server; use the *URL methods.
	URL string

	// Now is the fake providers' clock (default time.Now). Point it at the
	// clock idco's clients use: univerify refuses timestamps more than 5
	// minutes off, and Apple tokens are minted at Now.
	Now func() time.Time
	// Delay is how long a Timeout fault holds a request (DefaultDelay).
	Delay time.Duration

	// Alipay. idco's config takes AlipayAppID, AppPrivatePEM (the app's
	// private key, PKCS#8 PEM; idco signs requests with it, the fake
	// verifies them with AppKey's public half) and AlipayPublicPEM
	// (PKIX PEM of AlipayKey, with which the fake signs its answers).
	// AlipayAppID "" accepts any non-empty app_id.
	AlipayAppID     string
	AppPrivatePEM   string
	AlipayPublicPEM string
	AppKey          *rsa.PrivateKey
	AlipayKey       *rsa.PrivateKey

	// Apple. Tokens are minted for AppleAudience and signed with AppleKey,
	// published in the JWKS under AppleKid.
	AppleAudience string
	AppleKid      string
	AppleKey      *rsa.PrivateKey

	// UniverifySecret is the HMAC key shared with idco's univerify client
	// (random, 64 hex characters).
	UniverifySecret string

	// Cloudauth. Requests must be signed with this AccessKey (random) and
	// name CloudauthSceneID (DefaultCloudauthSceneID when 0).
	CloudauthKeyID   string
	CloudauthSecret  string
	CloudauthSceneID int64

	t     testing.TB
	srv   *httptest.Server
	caSrv *httptest.Server
	keys  *keys

	closing chan struct{} // closed on cleanup: held requests return

	mu     sync.Mutex
	calls  map[string]int
	faults map[string]*fault

	wx  weixinState
	qq  qqState
	ali alipayState
	uv  univerifyState
	ca  cloudauthState
	oa  oauthState
}

type fault struct {
	mode FailMode
	n    int // calls left; < 0 means until reset
}

// New starts the fake providers; t.Cleanup stops them. The RSA keys are
// generated once per test process and shared by every Fake in it.
func New(t testing.TB) *Fake {
	t.Helper()
	k := testKeys(t)
	f := &Fake{
		Delay:           DefaultDelay,
		AppKey:          k.app,
		AlipayKey:       k.alipay,
		AppPrivatePEM:   privatePEM(t, k.app),
		AlipayPublicPEM: publicPEM(t, &k.alipay.PublicKey),
		AppleAudience:   DefaultAppleAudience,
		AppleKid:        k.appleKid,
		AppleKey:        k.apple,
		UniverifySecret: randHex(32),
		CloudauthKeyID:  "LTAI5t" + randAlnum(18),
		CloudauthSecret: randAlnum(30),
		t:               t,
		keys:            k,
		closing:         make(chan struct{}),
		calls:           map[string]int{},
		faults:          map[string]*fault{},
	}
	f.wx.init()
	f.qq.init()
	f.ali.init()
	f.uv.init()
	f.ca.init()
	f.oa.init()

	mux := http.NewServeMux()
	mux.Handle("/weixin/", f.provider(Weixin, "/weixin", f.serveWeixin))
	mux.Handle("/qqmini/", f.provider(QQMini, "/qqmini", f.serveQQMini))
	mux.Handle("/qqgraph/", f.provider(QQGraph, "/qqgraph", f.serveQQGraph))
	mux.Handle("/alipay/", f.provider(Alipay, "/alipay", f.serveAlipay))
	mux.Handle("/apple/", f.provider(Apple, "/apple", f.serveApple))
	mux.Handle("/univerify", f.provider(Univerify, "/univerify", f.serveUniverify))
	mux.Handle("/univerify/", f.provider(Univerify, "/univerify", f.serveUniverify))
	mux.Handle("/github/", f.provider(GitHub, "/github", f.serveGitHub))
	mux.Handle("/google/", f.provider(Google, "/google", f.serveGoogle))
	mux.Handle("/dingtalk/", f.provider(DingTalk, "/dingtalk", f.serveDingTalk))
	mux.Handle("/weibo/", f.provider(Weibo, "/weibo", f.serveWeibo))
	mux.Handle("/facebook/", f.provider(Facebook, "/facebook", f.serveFacebook))
	mux.Handle("/twitter/", f.provider(Twitter, "/twitter", f.serveTwitter))
	f.srv = httptest.NewServer(mux)
	f.URL = f.srv.URL
	f.caSrv = httptest.NewServer(f.provider(Cloudauth, "", f.serveCloudauth))
	t.Cleanup(func() {
		close(f.closing)
		f.srv.Close()
		f.caSrv.Close()
	})
	return f
}

// WeixinBaseURL replaces https://api.weixin.qq.com.
func (f *Fake) WeixinBaseURL() string { return f.URL + "/weixin" }

// QQMiniBaseURL replaces https://api.q.qq.com.
func (f *Fake) QQMiniBaseURL() string { return f.URL + "/qqmini" }

// QQGraphBaseURL replaces https://graph.qq.com.
func (f *Fake) QQGraphBaseURL() string { return f.URL + "/qqgraph" }

// AlipayGateway replaces https://openapi.alipay.com/gateway.do.
func (f *Fake) AlipayGateway() string { return f.URL + "/alipay/gateway.do" }

// AppleJWKSURL replaces https://appleid.apple.com/auth/keys.
func (f *Fake) AppleJWKSURL() string { return f.URL + "/apple/auth/keys" }

// WebBaseURL replaces every host of a web OAuth provider: github.com and
// api.github.com; accounts.google.com, oauth2.googleapis.com and
// www.googleapis.com; login.dingtalk.com and api.dingtalk.com;
// api.weibo.com; www.facebook.com and graph.facebook.com; x.com and
// api.x.com.
func (f *Fake) WebBaseURL(provider string) string { return f.URL + "/" + provider }

// UniverifyURL is the uniCloud URL-function proxy's address.
func (f *Fake) UniverifyURL() string { return f.URL + "/univerify" }

// Env returns the endpoints keyed by the environment variables idco's
// provider packages of shared/thirdparty read (weixin.EnvBaseURL...), as testenv's
// UseProviders and the dev server take them. The univerify proxy URL is
// part of idco's config instead (idco.univerify.url).
func (f *Fake) Env() map[string]string {
	return map[string]string{
		EnvWeixin:    f.WeixinBaseURL(),
		EnvQQMini:    f.QQMiniBaseURL(),
		EnvQQGraph:   f.QQGraphBaseURL(),
		EnvAlipay:    f.AlipayGateway(),
		EnvAppleJWKS: f.AppleJWKSURL(),
		EnvGitHub:    f.WebBaseURL(GitHub),
		EnvGoogle:    f.WebBaseURL(Google),
		EnvDingTalk:  f.WebBaseURL(DingTalk),
		EnvWeibo:     f.WebBaseURL(Weibo),
		EnvFacebook:  f.WebBaseURL(Facebook),
		EnvTwitter:   f.WebBaseURL(Twitter),
	}
}

// Fail makes provider misbehave in mode for its next n requests, or until
// the next Fail for it when n < 0. n == 0 ends any fault. Requests are
// counted per provider, whatever the endpoint.
func (f *Fake) Fail(provider string, mode FailMode, n int) {
	f.t.Helper()
	if !knownProvider(provider) {
		f.t.Fatalf("fakeprov: Fail: unknown provider %q", provider)
	}
	if n != 0 && (mode < Busy || mode > RateLimited) {
		f.t.Fatalf("fakeprov: Fail: unknown mode %d", mode)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if n == 0 {
		delete(f.faults, provider)
		return
	}
	f.faults[provider] = &fault{mode: mode, n: n}
}

// Calls returns the number of requests provider has received, faulted
// ones included.
func (f *Fake) Calls(provider string) int {
	f.t.Helper()
	if !knownProvider(provider) {
		f.t.Fatalf("fakeprov: Calls: unknown provider %q", provider)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[provider]
}

func knownProvider(p string) bool {
	for _, q := range providers {
		if p == q {
			return true
		}
	}
	return false
}

// handler serves one provider request; mode is Busy or RateLimited when
// the provider must answer so, else 0.
type handler func(w http.ResponseWriter, r *http.Request, mode FailMode)

// provider counts requests, applies faults and strips the prefix.
func (f *Fake) provider(name, prefix string, h handler) http.Handler {
	return http.StripPrefix(prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.calls[name]++
		var mode FailMode
		if ft := f.faults[name]; ft != nil {
			mode = ft.mode
			if ft.n > 0 {
				if ft.n--; ft.n == 0 {
					delete(f.faults, name)
				}
			}
		}
		delay := f.Delay
		f.mu.Unlock()

		switch mode {
		case HTTP500:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte("<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal Server Error</h1></center></body></html>\n"))
			return
		case Timeout:
			if delay <= 0 {
				delay = DefaultDelay
			}
			if !f.hold(r.Context(), delay) {
				return
			}
			mode = 0
		}
		h(w, r, mode)
	}))
}

// hold waits d, reporting false if the client or the Fake gave up first.
func (f *Fake) hold(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-f.closing:
	}
	return false
}

// now reads Now without f.mu, so that it can be called with f.mu held;
// like the other settings, Now is set before requests are made.
func (f *Fake) now() time.Time {
	if f.Now == nil {
		return time.Now()
	}
	return f.Now()
}

// keys are the RSA keys of a test process.
type keys struct {
	app, alipay, apple, appleOld, stranger, google *rsa.PrivateKey
	appleKid, appleOldKid, googleKid               string
}

var (
	keysMu sync.Mutex
	cached *keys
)

// testKeys generates the process's keys on first use. A mutex rather than
// sync.Once so that a failure is reported to the test that hit it and the
// next test tries again.
func testKeys(t testing.TB) *keys {
	t.Helper()
	keysMu.Lock()
	defer keysMu.Unlock()
	if cached != nil {
		return cached
	}
	var ks [6]*rsa.PrivateKey
	for i := range ks {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatalf("fakeprov: generating RSA key: %v", err)
		}
		ks[i] = k
	}
	cached = &keys{app: ks[0], alipay: ks[1], apple: ks[2], appleOld: ks[3], stranger: ks[4], google: ks[5],
		appleKid: randAlnum(10), appleOldKid: randAlnum(10), googleKid: randHex(20)}
	return cached
}

func privatePEM(t testing.TB, k *rsa.PrivateKey) string {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatalf("fakeprov: %v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func publicPEM(t testing.TB, k *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatalf("fakeprov: %v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func randHex(n int) string { return hex.EncodeToString(randBytes(n)) }

// randAlnum returns n characters from [A-Za-z0-9].
func randAlnum(n int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := randBytes(n)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b)
}

func randB64(n int) string { return base64.StdEncoding.EncodeToString(randBytes(n)) }
