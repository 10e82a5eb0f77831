package smoke

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/truora/minidyn/server"

	"github.com/aws/aws-lambda-go/events"
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/captcha"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/dynamo"
	"github.com/idco-dev/idco/shared/email"
	"github.com/idco-dev/idco/shared/families/all"
	"github.com/idco-dev/idco/shared/lambdafn"
	"github.com/idco-dev/idco/shared/oidckeys"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
	"github.com/idco-dev/idco/shared/webfn"
	"github.com/idco-dev/idco/shared/wiring"
)

// root is the repository root, seen from this package's directory.
const root = "../.."

const (
	device      = "smoke-device-0001" // the events' clientInfo.deviceId
	username    = "smoke_alice"       // the events' username
	password    = "Sm0ke-Test-Passw0rd"
	newPassword = "Sm0ke-New-Passw0rd"
)

// Third-party apps of the smoke config, registered with the fake providers.
const (
	wxApp     = "wx5m0ke0000000001"
	wxSecret  = "smoke-weixin-appsecret-3f9a1c"
	qqApp     = "1112345678"
	qqSecret  = "smoke-qq-appsecret-8d2e4b"
	aliApp    = "2021000000000042"
	emailFrom = "Smoke <no-reply@smoke.example>"
)

// world is one smoke run: an embedded DynamoDB with idco's tables, one
// guarded endpoint per function, the config file, and a way to invoke each
// function.
type world struct {
	t           *testing.T
	dir         string
	prefix      string
	configPath  string
	keysFile    string // the open platform's signing keys (made on first read)
	tokenSecret string
	db          *dynamodb.Client // unguarded: the test's own reads
	guards      map[string]*Guard
	endpoints   map[string]string // family -> its guarded DynamoDB URL
	invoke      func(family string, event []byte) ([]byte, error)
	skip        func(family string) bool // families everyEvent leaves out
	answers     *outbox                  // captcha answers, when not solved
	secrets     []string                 // strings no log may contain
	codes       []string                 // SMS and email codes, which no log may contain either

	sms  *fakeAliyun    // the config's SMS provider
	ses  *fakeSES       // every function's IDCO_SES_ENDPOINT
	prov *fakeprov.Fake // WeChat, QQ, Alipay, Apple, univerify
}

// functionFamilies lists functions/<family> directories.
func functionFamilies(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// allFamilies lists the function directories and the families of
// shared/families ByName (the same set, when nothing drifted).
func allFamilies(t *testing.T) []string {
	t.Helper()
	out := functionFamilies(t)
	for f := range all.ByName() {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// lambdaEnv returns a variable of LambdaEnv, the functions' environment.
func lambdaEnv(key string) string {
	for _, kv := range LambdaEnv("") {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			return v
		}
	}
	return ""
}

// newWorld starts a world and the fakes the functions deliver to and log
// in with; idco, when given, is the config's idco block beyond the
// captcha length and the fakes' blocks.
func newWorld(t *testing.T, idco map[string]any) *world {
	t.Helper()
	w := &world{t: t, dir: t.TempDir(), guards: map[string]*Guard{}, endpoints: map[string]string{}}
	var b [32]byte
	_, _ = rand.Read(b[:])
	w.tokenSecret = hex.EncodeToString(b[:])
	w.prefix = "smoke-"
	w.secrets = []string{w.tokenSecret, password, newPassword, lambdaEnv("AWS_SECRET_ACCESS_KEY"), lambdaEnv("AWS_SESSION_TOKEN")}

	dyn := server.NewServer()
	raw := httptest.NewServer(dyn)
	t.Cleanup(raw.Close)
	w.db = app.NewDynamo(aws.Config{Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("smoke", "smoke", "")}, raw.URL)
	if err := dynamo.Bootstrap(t.Context(), w.db, w.prefix); err != nil {
		t.Fatalf("bootstrap tables: %v", err)
	}
	for _, f := range allFamilies(t) {
		grants, ok := all.Access(f)
		if !ok {
			t.Fatalf("functions/%s has no grants in shared/families Access", f)
		}
		g := &Guard{Family: f, Prefix: w.prefix, Grants: grants, Next: dyn}
		srv := httptest.NewServer(g)
		t.Cleanup(srv.Close)
		w.guards[f], w.endpoints[f] = g, srv.URL
	}

	// The fakes, on loopback: the functions reach them and nothing else.
	w.sms = newFakeAliyun(t)
	w.ses = newFakeSES(t, allFamilies(t), lambdaEnv("AWS_REGION"), lambdaEnv("AWS_ACCESS_KEY_ID"),
		lambdaEnv("AWS_SECRET_ACCESS_KEY"), lambdaEnv("AWS_SESSION_TOKEN"))
	w.prov = fakeprov.New(t)
	w.prov.Now = time.Now // the functions' clock
	w.prov.AlipayAppID = aliApp
	w.prov.WeixinApp(wxApp, wxSecret)
	w.secrets = append(w.secrets, aliSecret, wxSecret, qqSecret, w.prov.UniverifySecret, pemLine(w.prov.AppPrivatePEM))

	if idco == nil {
		idco = map[string]any{}
	}
	idco["captcha"] = map[string]any{"length": 4}
	// The journey resets through an email it bound a moment before; the
	// delay is tested in shared/account.
	idco["newChannelResetDelayHours"] = 0
	idco["sms"] = map[string]any{"provider": "aliyun", "aliyun": map[string]any{
		"accessKeyId": aliKeyID, "accessKeySecret": aliSecret, "signName": aliSign, "endpoint": w.sms.URL}}
	idco["email"] = map[string]any{"from": emailFrom, "welcome": true}
	idco["univerify"] = map[string]any{"url": w.prov.UniverifyURL(), "secret": w.prov.UniverifySecret}
	scenes := map[string]any{}
	for scene, tpl := range smsTemplates {
		scenes[scene] = map[string]any{"templateId": tpl}
	}
	oauth := func(blocks map[string]any) map[string]any { return map[string]any{"oauth": blocks} }
	cfg := map[string]any{
		"tokenSecret": w.tokenSecret, "tokenExpiresIn": 7200, "idco": idco,
		"service":   map[string]any{"sms": map[string]any{"name": "Smoke", "codeExpiresIn": 180, "scene": scenes}},
		"mp-weixin": oauth(map[string]any{"weixin": map[string]any{"appid": wxApp, "appsecret": wxSecret}}),
		"app": oauth(map[string]any{"apple": map[string]any{"bundleId": w.prov.AppleAudience},
			"qq": map[string]any{"appid": qqApp, "appsecret": qqSecret}}),
		"mp-alipay": oauth(map[string]any{"alipay": map[string]any{"appid": aliApp,
			"privateKey": w.prov.AppPrivatePEM, "alipayPublicKey": w.prov.AlipayPublicPEM}}),
	}
	data, _ := json.Marshal(cfg)
	w.configPath = filepath.Join(w.dir, "config.json")
	w.keysFile = filepath.Join(w.dir, "oidc-keys.json")
	if err := os.WriteFile(w.configPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

// pemLine is a line from the middle of a PEM block's base64, as a log
// would show part of a leaked key.
func pemLine(p string) string {
	lines := strings.Split(strings.TrimSpace(p), "\n")
	return lines[len(lines)/2]
}

// functionEnv is what a function's environment adds to point it at the
// fakes: its own SES endpoint and the providers' endpoints.
func (w *world) functionEnv(family string) map[string]string {
	env := w.prov.Env()
	env[email.EnvSESEndpoint] = w.ses.urls[family]
	// The open platform's issuer and keys (the oauth and oidc families).
	env[oidckeys.EnvIssuer] = "https://id.example.com"
	env[oidckeys.EnvKeysFile] = w.keysFile
	return env
}

// TestJourneyInProcess runs the journey through each family's Lambda
// handler in this process, each over its guarded endpoint and wired as its
// declaration in shared/families wires it (the real senders and provider
// clients, against the same fakes), so every `make test` checks that
// shared/families Access grants what the journey needs.
func TestJourneyInProcess(t *testing.T) {
	// Light argon2id: the race detector slows hashing tenfold.
	w := newWorld(t, map[string]any{"argon2": map[string]any{"memoryKiB": 8192, "time": 1, "threads": 1}})
	set, err := app.LoadConfig(t.Context(), func(k string) string {
		if k == app.EnvConfigFile {
			return w.configPath
		}
		return ""
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	out := &outbox{codes: map[string]string{}}
	w.answers = out
	// The functions' AWS config: the Lambda environment's region and
	// credentials.
	awsCfg := aws.Config{Region: lambdaEnv("AWS_REGION"), Credentials: credentials.NewStaticCredentialsProvider(
		lambdaEnv("AWS_ACCESS_KEY_ID"), lambdaEnv("AWS_SECRET_ACCESS_KEY"), lambdaEnv("AWS_SESSION_TOKEN"))}
	handlers := map[string]func(context.Context, json.RawMessage) (any, error){}
	for _, f := range allFamilies(t) {
		family, ok := all.ByName()[f]
		if !ok {
			t.Fatalf("functions/%s is not in shared/families ByName", f)
		}
		db := app.NewDynamo(aws.Config{Region: "us-east-1",
			Credentials: credentials.NewStaticCredentialsProvider("smoke", "smoke", "")}, w.endpoints[f])
		svc := app.NewService(app.Deps{Config: set, DB: db, Prefix: w.prefix})
		env := w.functionEnv(f)
		rt := wiring.Runtime{Getenv: func(k string) string { return env[k] }, AWS: func() (aws.Config, error) { return awsCfg, nil }}
		for _, wire := range family.Wires {
			if err := wire.Apply(t.Context(), svc, rt); err != nil {
				t.Fatalf("%s: wire: %v", f, err)
			}
		}
		if family.Web != nil { // the open platform: plain HTTP
			web := webfn.Handler(family.Web(svc, func(t cloudobj.Table) *cloudobj.Dispatcher { return app.Dispatcher(f, t, svc, log) }))
			handlers[f] = func(ctx context.Context, raw json.RawMessage) (any, error) {
				var req events.LambdaFunctionURLRequest
				if err := json.Unmarshal(raw, &req); err != nil {
					return nil, err
				}
				return web(ctx, req)
			}
			continue
		}
		if f == "captcha" {
			// The captcha family alone gets the dev outbox (it changes
			// nothing else there), so this test reads answers instead of
			// solving them: the race detector makes solving slow.
			svc.Outbox = out
		}
		handlers[f] = lambdafn.Handler(app.Dispatcher(f, family.Methods(svc), svc, log))
	}
	w.invoke = func(f string, event []byte) ([]byte, error) {
		h, ok := handlers[f]
		if !ok {
			return nil, fmt.Errorf("no family %s", f)
		}
		out, err := h(t.Context(), event)
		if err != nil {
			return nil, err
		}
		return json.Marshal(out)
	}
	w.journey()
	w.codeJourney()
	w.thirdPartyJourney()
	w.everyEvent()
	w.checkGrants()
	w.checkLog("in-process", logs.String())
}

// TestLambda is `make smoke`: the journey across the built bootstrap
// binaries, each running under aws-lambda-rie. make sets IDCO_SMOKE_BIN and
// IDCO_SMOKE_RIE; without them (plain `go test`) it is skipped, with them
// nothing is skipped.
func TestLambda(t *testing.T) {
	bin, rie := os.Getenv("IDCO_SMOKE_BIN"), os.Getenv("IDCO_SMOKE_RIE")
	if bin == "" || rie == "" {
		t.Skip("IDCO_SMOKE_BIN and IDCO_SMOKE_RIE unset: run `make smoke`")
	}
	w := newWorld(t, nil)
	// Every outbound HTTP call that is not to loopback goes through this
	// proxy, which refuses it: the functions must need nothing but the
	// config file, DynamoDB and the loopback fakes (Go never proxies
	// loopback addresses).
	var outbound atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		outbound.Add(1)
		t.Errorf("outbound network call: %s %s", r.Method, r.Host)
		http.Error(rw, "no network in the smoke test", http.StatusForbidden)
	}))
	t.Cleanup(proxy.Close)

	emus := map[string]*Emulator{}
	for _, f := range functionFamilies(t) {
		env := append(LambdaEnv(w.dir),
			app.EnvConfigFile+"="+w.configPath,
			app.EnvTablePrefix+"="+w.prefix,
			app.EnvDynamoEndpoint+"="+w.endpoints[f],
			"HTTP_PROXY="+proxy.URL, "HTTPS_PROXY="+proxy.URL,
		)
		for k, v := range w.functionEnv(f) {
			env = append(env, k+"="+v)
		}
		e, err := StartEmulator(rie, filepath.Join(bin, f, "bootstrap"), env)
		if err != nil {
			t.Fatalf("%s: %v (did `make smoke` build it?)", f, err)
		}
		t.Cleanup(e.Stop)
		emus[f] = e
	}
	w.invoke = func(f string, event []byte) ([]byte, error) {
		e, ok := emus[f]
		if !ok {
			return nil, fmt.Errorf("no functions/%s", f)
		}
		return e.Invoke(t.Context(), event)
	}
	w.skip = func(f string) bool { return emus[f] == nil } // reported by infra/deploy's test
	w.journey()
	w.codeJourney()
	w.thirdPartyJourney()
	w.everyEvent()
	w.checkGrants()
	for f, e := range emus {
		if d, ok := e.InitDuration(); ok {
			t.Logf("%s: init %.1f ms", f, float64(d.Microseconds())/1000)
		} else {
			t.Errorf("%s: no INIT REPORT in the emulator log:\n%s", f, e.EmulatorLog())
		}
		w.checkLog(f, e.FunctionLog())
	}
	if n := outbound.Load(); n != 0 {
		t.Errorf("%d outbound network calls", n)
	}
}

// journey is captcha -> register -> login -> account -> login-types ->
// reset -> logout, with a few refusals on the way.
func (w *world) journey() {
	t := w.t
	status, r := w.url("captcha", "captcha/createCaptcha.url.json", nil)
	w.ok("createCaptcha", status, r)
	if img, _ := r["captchaBase64"].(string); !strings.HasPrefix(img, "data:image/png;base64,") {
		t.Fatalf("createCaptcha: captchaBase64 = %.40q", img)
	}
	answer := w.solveCaptcha(device, "register")
	w.secrets = append(w.secrets, "\""+answer+"\"")

	r = w.raw("register", "register/registerUser.raw.json", func(ev map[string]any) {
		set(ev, "params.captcha", answer)
	})
	w.ok("registerUser", 200, r)
	uid, _ := r["uid"].(string)
	if uid == "" || token(r) == "" {
		t.Fatalf("registerUser: no uid or newToken in %v", r)
	}

	status, r = w.url("login", "login/login.url.json", nil)
	w.ok("login", status, r)
	if r["uid"] != uid {
		t.Errorf("login uid = %v, want %s", r["uid"], uid)
	}
	tok := token(r)
	w.secrets = append(w.secrets, tok)

	status, r = w.url("account", "account/getAccountInfo.url.json", func(ev map[string]any) {
		set(ev, "headers.authorization", "Bearer "+tok)
	})
	w.ok("getAccountInfo", status, r)
	if r["isUsernameSet"] != true || r["isPasswordSet"] != true {
		t.Errorf("getAccountInfo = %v, want username and password set", r)
	}

	r = w.raw("login-types", "login-types/getSupportedLoginType.raw.json", nil)
	w.ok("getSupportedLoginType", 200, r)
	if types, _ := r["supportedLoginType"].([]any); len(types) == 0 || types[0] != "username-password" {
		t.Errorf("getSupportedLoginType = %v", r)
	}

	status, r = w.url("reset", "reset/updatePwd.url.json", func(ev map[string]any) {
		set(ev, "headers.uni-id-token", tok)
	})
	w.ok("updatePwd", status, r)
	tok2 := token(r)
	if tok2 == "" {
		t.Fatalf("updatePwd: no newToken in %v", r)
	}
	w.secrets = append(w.secrets, tok2)

	r = w.raw("account", "account/logout.raw.json", func(ev map[string]any) { set(ev, "uniIdToken", tok2) })
	w.ok("logout", 200, r)

	// Refusals: the logged-out token, the old password, a method of
	// another function.
	status, r = w.url("account", "account/getAccountInfo.url.json", func(ev map[string]any) {
		set(ev, "headers.authorization", "Bearer "+tok2)
	})
	w.fails("getAccountInfo after logout", status, r, 401, "uni-id-check-token-failed")
	r = w.raw("login", "login/login.raw.json", nil)
	w.fails("login with the old password", 0, r, 0, "uni-id-password-error")
	r = w.raw("login", "login/login.raw.json", func(ev map[string]any) { set(ev, "params.password", newPassword) })
	w.ok("login with the new password", 200, r)
	status, r = w.url("captcha", "login/login.url.json", nil)
	w.fails("login sent to the captcha function", status, r, 404, "uni-id-wrong-function")
	if r["function"] != "login" {
		t.Errorf("wrong-function answer names %v, want login", r["function"])
	}
}

// codeJourney is the journey by codes, each read where the real senders
// delivered it (the fake Aliyun's TemplateParam, the fake SES's text):
// sendSmsCode -> loginBySms (a new account) -> sendEmailCode ->
// bindEmailByCode -> sendEmailCode -> resetPwdByEmail -> login by email ->
// sendEmailCode -> registerUserByEmail, with its welcome email ->
// sendSmsCode -> resetPwdBySms -> login by mobile.
func (w *world) codeJourney() {
	t := w.t
	const mobile, email = "+8613800138000", "alice@example.com" // as the events
	const smsTo = "13800138000"                                 // mobile as SendSms names it
	const newcomer = "carol@example.com"
	const resetPassword, smsPassword = "Sm0ke-Reset-Passw0rd", "Sm0ke-Sms-Reset-Passw0rd"
	w.secrets = append(w.secrets, resetPassword, smsPassword)
	captchaFor := func(scene string) string {
		status, r := w.url("captcha", "captcha/createCaptcha.url.json", func(ev map[string]any) {
			set(ev, "body.params.scene", scene)
		})
		w.ok("createCaptcha "+scene, status, r)
		return w.solveCaptcha(device, scene)
	}
	sendSms := func(scene string) string {
		t.Helper()
		answer := captchaFor("send-sms-code")
		r := w.raw("send-sms-code", "send-sms-code/sendSmsCode.raw.json", func(ev map[string]any) {
			set(ev, "params.scene", scene)
			set(ev, "params.captcha", answer)
		})
		w.ok("sendSmsCode "+scene, 200, r)
		code := w.sms.take(smsTo, scene)
		w.codes = append(w.codes, code)
		return code
	}
	sendEmail := func(to, scene string) string {
		t.Helper()
		answer := captchaFor("send-email-code")
		status, r := w.url("send-email-code", "send-email-code/sendEmailCode.url.json", func(ev map[string]any) {
			set(ev, "body.params.email", to)
			set(ev, "body.params.scene", scene)
			set(ev, "body.params.captcha", answer)
		})
		w.ok("sendEmailCode "+scene, status, r)
		code, m := w.ses.take("send-email-code", to)
		if code == "" || m.FromEmailAddress != emailFrom || strings.Contains(m.Content.Simple.Subject.Data, code) {
			t.Fatalf("sendEmailCode %s: code %q, From %q, Subject %q: want a code in the body only, from %s", scene, code,
				m.FromEmailAddress, m.Content.Simple.Subject.Data, emailFrom)
		}
		w.codes = append(w.codes, code)
		return code
	}

	code := sendSms("login-by-sms")
	r := w.raw("login", "login/loginBySms.raw.json", func(ev map[string]any) { set(ev, "params.code", code) })
	w.ok("loginBySms", 200, r)
	if r["type"] != "register" || token(r) == "" {
		t.Fatalf("loginBySms = %v, want a new account and a token", r)
	}
	tok := token(r)
	w.secrets = append(w.secrets, tok)
	r = w.raw("login", "login/loginBySms.raw.json", func(ev map[string]any) { set(ev, "params.code", code) })
	w.fails("loginBySms with a used code", 0, r, 0, "uni-id-mobile-verify-code-error")

	code = sendEmail(email, "bind-email")
	status, r := w.url("bind", "bind/bindEmailByCode.url.json", func(ev map[string]any) {
		set(ev, "headers.authorization", "Bearer "+tok)
		set(ev, "body.params.code", code)
	})
	w.ok("bindEmailByCode", status, r)

	code = sendEmail(email, "reset-pwd-by-email")
	r = w.raw("reset", "reset/resetPwdByEmail.raw.json", func(ev map[string]any) { set(ev, "params.code", code) })
	w.ok("resetPwdByEmail", 200, r)
	// The address hears of the new password, from the reset function.
	if c, m := w.ses.take("reset", email); c != "" || !strings.Contains(m.Content.Simple.Subject.Data, "password") {
		t.Errorf("the password-changed notice: code %q, Subject %q", c, m.Content.Simple.Subject.Data)
	}
	r = w.raw("login", "login/login.raw.json", func(ev map[string]any) {
		set(ev, "params.username", "")
		set(ev, "params.email", email)
		set(ev, "params.password", resetPassword)
	})
	w.ok("login by email after the reset", 200, r)

	code = sendEmail(newcomer, "register")
	r = w.raw("register", "register/registerUserByEmail.raw.json", func(ev map[string]any) {
		set(ev, "params.email", newcomer)
		set(ev, "params.code", code)
	})
	w.ok("registerUserByEmail", 200, r)
	if token(r) == "" {
		t.Fatalf("registerUserByEmail = %v, want a token", r)
	}
	w.secrets = append(w.secrets, token(r))
	if welcome, m := w.ses.take("register", newcomer); welcome != "" || !strings.HasPrefix(m.Content.Simple.Subject.Data, "Welcome to Smoke") {
		t.Errorf("the welcome email: code %q, Subject %q", welcome, m.Content.Simple.Subject.Data)
	}

	code = sendSms("reset-pwd-by-sms")
	r = w.raw("reset", "reset/resetPwdBySms.raw.json", func(ev map[string]any) {
		set(ev, "params.code", code)
		set(ev, "params.password", smsPassword)
	})
	w.ok("resetPwdBySms", 200, r)
	r = w.raw("login", "login/login.raw.json", func(ev map[string]any) {
		set(ev, "params.username", "")
		set(ev, "params.mobile", mobile)
		set(ev, "params.password", smsPassword)
	})
	w.ok("login by mobile after resetPwdBySms", 200, r)
	w.secrets = append(w.secrets, token(r))
	if c, m := w.ses.take("reset", email); c != "" || !strings.Contains(m.Content.Simple.Subject.Data, "password") {
		t.Errorf("the password-changed notice of the SMS reset: code %q, Subject %q", c, m.Content.Simple.Subject.Data)
	}

	if n, m := w.sms.count(), w.ses.count(); n != 0 || m != 0 {
		t.Errorf("%d SMS and %d emails sent that the journey did not expect", n, m)
	}
}

// thirdPartyJourney logs in with each provider's fake through the login
// and bind functions: loginByWeixin (mini program), loginByWeixinMobile,
// bindWeixin and unbindWeixin, loginByApple, loginByQQ (app token),
// loginByAlipay, loginByUniverify. A replayed single-use code fails.
func (w *world) thirdPartyJourney() {
	t := w.t
	f := w.prov
	param := func(kv ...string) func(ev map[string]any) {
		return func(ev map[string]any) {
			for i := 0; i+1 < len(kv); i += 2 {
				set(ev, "params."+kv[i], kv[i+1])
			}
		}
	}
	registered := func(what string, r map[string]any) (uid, tok string) {
		t.Helper()
		w.ok(what, 200, r)
		uid, _ = r["uid"].(string)
		if r["type"] != "register" || uid == "" || token(r) == "" {
			t.Fatalf("%s = %v, want a new account and a token", what, r)
		}
		w.secrets = append(w.secrets, token(r))
		return uid, token(r)
	}
	const failed = apierr.ThirdPartyFailed

	// WeChat mini program: code2session, the session_key kept server-side.
	wx := f.WeixinCode("smoke-wx-login-code", fakeprov.WeixinUser{AppID: wxApp, UnionID: "smoke-wx-union"})
	w.secrets = append(w.secrets, wx.SessionKey)
	registered("loginByWeixin", w.raw("login", "login/loginByWeixin.raw.json", param("code", "smoke-wx-login-code")))
	r := w.raw("login", "login/loginByWeixin.raw.json", param("code", "smoke-wx-login-code"))
	w.fails("loginByWeixin with a replayed code", 0, r, 0, failed)

	// A getPhoneNumber code: the number logs in (here: registers).
	f.WeixinPhoneCode("smoke-wx-phone-code", "13900139000", wxApp)
	_, tok := registered("loginByWeixinMobile", w.raw("login", "login/loginByWeixinMobile.raw.json", param("phoneCode", "smoke-wx-phone-code")))
	r = w.raw("login", "login/loginByWeixinMobile.raw.json", param("phoneCode", "smoke-wx-phone-code"))
	w.fails("loginByWeixinMobile with a replayed code", 0, r, 0, failed)

	// That account binds another WeChat identity and unbinds it: its
	// mobile stays a way to log in.
	wx2 := f.WeixinCode("smoke-wx-bind-code", fakeprov.WeixinUser{AppID: wxApp})
	w.secrets = append(w.secrets, wx2.SessionKey)
	bind := func() (int, map[string]any) {
		return w.url("bind", "bind/bindWeixin.url.json", func(ev map[string]any) {
			set(ev, "headers.authorization", "Bearer "+tok)
			set(ev, "body.params.code", "smoke-wx-bind-code")
		})
	}
	status, r := bind()
	w.ok("bindWeixin", status, r)
	status, r = bind()
	w.fails("bindWeixin with a replayed code", status, r, 502, failed)
	info := func() map[string]any {
		status, r := w.url("account", "account/getAccountInfo.url.json", func(ev map[string]any) {
			set(ev, "headers.authorization", "Bearer "+tok)
			set(ev, "body.clientInfo.uniPlatform", "mp-weixin")
		})
		w.ok("getAccountInfo", status, r)
		return r
	}
	if r := info(); r["isWeixinBound"] != true || r["isMobileBound"] != true {
		t.Errorf("getAccountInfo after bindWeixin = %v, want WeChat and mobile bound", r)
	}
	unbind := func() map[string]any {
		return w.raw("bind", "bind/unbindWeixin.raw.json", func(ev map[string]any) { set(ev, "uniIdToken", tok) })
	}
	w.ok("unbindWeixin", 200, unbind())
	if r := info(); r["isWeixinBound"] != false || r["isMobileBound"] != true {
		t.Errorf("getAccountInfo after unbindWeixin = %v, want only the mobile bound", r)
	}
	w.fails("unbindWeixin again", 0, unbind(), 0, apierr.UnbindFailed)

	// Apple: an identity token for app.oauth.apple.bundleId, checked
	// against the fake's JWKS. Tokens are not single-use (Apple's are
	// replayable until they expire): one for another app fails.
	appleToken := f.AppleToken("smoke-apple-sub", "", "smoke-apple-nonce")
	w.secrets = append(w.secrets, appleToken)
	registered("loginByApple", w.raw("login", "login/loginByApple.raw.json",
		param("identityToken", appleToken, "nonce", "smoke-apple-nonce")))
	r = w.raw("login", "login/loginByApple.raw.json",
		param("identityToken", f.AppleToken("smoke-apple-sub", "", "", fakeprov.WithAudience("com.example.other"))))
	w.fails("loginByApple with another app's token", 0, r, 0, failed)

	// QQ app: an access token of app.oauth.qq's appid; one issued to
	// another app fails.
	f.QQToken("smoke-qq-access-token", fakeprov.QQUser{AppID: qqApp, Nickname: "Smoke QQ"})
	w.secrets = append(w.secrets, "smoke-qq-access-token")
	registered("loginByQQ", w.raw("login", "login/loginByQQ.raw.json", param("accessToken", "smoke-qq-access-token")))
	f.QQToken("smoke-qq-foreign-token", fakeprov.QQUser{AppID: "1119999999"})
	r = w.raw("login", "login/loginByQQ.raw.json", param("accessToken", "smoke-qq-foreign-token"))
	w.fails("loginByQQ with another app's token", 0, r, 0, failed)

	// Alipay mini program: an auth code, RSA2 both ways.
	f.AlipayCode("smoke-alipay-code", "2088000000000042", "")
	registered("loginByAlipay", w.raw("login", "login/loginByAlipay.raw.json", param("code", "smoke-alipay-code")))
	r = w.raw("login", "login/loginByAlipay.raw.json", param("code", "smoke-alipay-code"))
	w.fails("loginByAlipay with a replayed code", 0, r, 0, failed)

	// One-click login through the univerify proxy (idco.univerify).
	f.UniverifyToken("smoke-univerify-token", "smoke-univerify-openid", "13700137000")
	w.secrets = append(w.secrets, "smoke-univerify-token")
	univerify := param("access_token", "smoke-univerify-token", "openid", "smoke-univerify-openid")
	registered("loginByUniverify", w.raw("login", "login/loginByUniverify.raw.json", univerify))
	r = w.raw("login", "login/loginByUniverify.raw.json", univerify)
	w.fails("loginByUniverify with a replayed token", 0, r, 0, failed)

	for _, p := range []string{fakeprov.Weixin, fakeprov.QQGraph, fakeprov.Alipay, fakeprov.Apple, fakeprov.Univerify} {
		if f.Calls(p) == 0 {
			t.Errorf("the fake %s provider was never called", p)
		}
	}
}

// outbox is the captcha function's dev outbox in the in-process journey:
// it keeps the last captcha answer for each device and scene.
type outbox struct {
	mu    sync.Mutex
	codes map[string]string
}

func (o *outbox) Deliver(_ context.Context, m account.Message) {
	if m.Kind == "captcha" {
		o.put("captcha:"+m.To+":"+m.Scene, m.Code)
	}
}

func (o *outbox) put(dest, code string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if code != "" {
		o.codes[dest] = code
	}
}

func (o *outbox) take(dest string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	c := o.codes[dest]
	delete(o.codes, dest)
	return c
}

// everyEvent sends every sample event in infra/events, as is, to its
// function: each must answer with an envelope (most refuse: placeholder
// tokens, captchas and codes), so every function starts at least once and
// every path the samples reach stays within its grants.
func (w *world) everyEvent() {
	t := w.t
	files, err := filepath.Glob(filepath.Join(root, "infra", "events", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	have := allFamilies(t)
	for _, path := range files {
		family := filepath.Base(filepath.Dir(path))
		file := family + "/" + filepath.Base(path)
		if !slices.Contains(have, family) || (w.skip != nil && w.skip(family)) {
			continue // TestEvents reports it
		}
		var env map[string]any
		if strings.HasSuffix(path, ".http.json") { // a web family: an HTTP answer, no envelope
			resp := w.call(family, file, loadEvent(t, file))
			if resp["statusCode"] != 200.0 {
				t.Errorf("%s: status %v, want 200: %v", file, resp["statusCode"], resp)
			}
			continue
		}
		if strings.HasSuffix(path, ".url.json") {
			_, env = w.url(family, file, nil)
		} else {
			env = w.raw(family, file, nil)
		}
		if _, ok := env["errCode"]; !ok {
			t.Errorf("%s: no errCode in %v", file, env)
		}
	}
}

// solveCaptcha reads the stored digest of the device's captcha and finds
// the answer, knowing tokenSecret, as only a holder of the config can.
func (w *world) solveCaptcha(deviceID, scene string) string {
	t := w.t
	if w.answers != nil {
		if a := w.answers.take("captcha:" + deviceID + ":" + scene); a != "" {
			return a
		}
		t.Fatalf("no captcha answer delivered for %s/%s", deviceID, scene)
	}
	out, err := w.db.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName:      aws.String(w.prefix + dynamo.EphemeralTable.Name),
		Key:            map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "captcha:" + deviceID + ":" + scene}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("read captcha: %v", err)
	}
	h, ok := out.Item["h"].(*types.AttributeValueMemberB)
	if !ok {
		t.Fatalf("no captcha stored for %s/%s: %v", deviceID, scene, out.Item)
	}
	a := captcha.Alphabet
	buf := make([]byte, 4)
	for _, c0 := range []byte(a) {
		for _, c1 := range []byte(a) {
			for _, c2 := range []byte(a) {
				for _, c3 := range []byte(a) {
					buf[0], buf[1], buf[2], buf[3] = c0, c1, c2, c3
					if hmac.Equal(h.Value, account.CaptchaDigest(w.tokenSecret, deviceID, scene, string(buf))) {
						return string(buf)
					}
				}
			}
		}
	}
	t.Fatal("captcha answer not found")
	return ""
}

// raw invokes family with the raw event in file, edited, and returns the
// response envelope.
func (w *world) raw(family, file string, edit func(ev map[string]any)) map[string]any {
	w.t.Helper()
	ev := loadEvent(w.t, file)
	if edit != nil {
		edit(ev)
	}
	return w.call(family, file, ev)
}

// url invokes family with the Function URL event in file, whose body (a
// JSON string) edit sees decoded as ev["body"], and returns the HTTP status
// and the decoded response body.
func (w *world) url(family, file string, edit func(ev map[string]any)) (int, map[string]any) {
	t := w.t
	t.Helper()
	ev := loadEvent(t, file)
	var body map[string]any
	if err := json.Unmarshal([]byte(ev["body"].(string)), &body); err != nil {
		t.Fatalf("%s body: %v", file, err)
	}
	ev["body"] = body
	if edit != nil {
		edit(ev)
	}
	b, _ := json.Marshal(ev["body"])
	ev["body"] = string(b)
	resp := w.call(family, file, ev)
	var out struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}
	data, _ := json.Marshal(resp)
	if err := json.Unmarshal(data, &out); err != nil || out.StatusCode == 0 {
		t.Fatalf("%s -> %s: not a Function URL response: %s", file, family, data)
	}
	if ct := out.Headers["Content-Type"]; !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s -> %s: Content-Type %q", file, family, ct)
	}
	var env map[string]any
	if err := json.Unmarshal([]byte(out.Body), &env); err != nil {
		t.Fatalf("%s -> %s: body %q: %v", file, family, out.Body, err)
	}
	return out.StatusCode, env
}

func (w *world) call(family, file string, ev map[string]any) map[string]any {
	t := w.t
	t.Helper()
	event, _ := json.Marshal(ev)
	out, err := w.invoke(family, event)
	if err != nil {
		t.Fatalf("%s -> %s: %v", file, family, err)
	}
	var resp map[string]any
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("%s -> %s: response %q: %v", file, family, out, err)
	}
	return resp
}

func (w *world) ok(what string, status int, r map[string]any) {
	w.t.Helper()
	if status != 200 || fmt.Sprint(r["errCode"]) != "0" {
		w.t.Fatalf("%s: status %d, %v; DynamoDB refusals: %v", what, status, r, w.denied())
	}
}

func (w *world) fails(what string, status int, r map[string]any, wantStatus int, wantCode string) {
	w.t.Helper()
	if status != wantStatus || r["errCode"] != wantCode {
		w.t.Errorf("%s: status %d, %v; want %d %s", what, status, r, wantStatus, wantCode)
	}
}

func (w *world) denied() map[string][]string {
	out := map[string][]string{}
	for f, g := range w.guards {
		if d := g.Denied(); len(d) > 0 {
			out[f] = d
		}
	}
	return out
}

// checkGrants fails on any DynamoDB call a function made outside its grants
// and logs the grants the journey exercised.
func (w *world) checkGrants() {
	w.t.Helper()
	if d := w.denied(); len(d) > 0 {
		w.t.Errorf("DynamoDB calls outside shared/families Access: %v", d)
	}
	if d := w.ses.Denied(); len(d) > 0 {
		w.t.Errorf("SES calls outside shared/families Access: %v", d)
	}
	for _, f := range allFamilies(w.t) {
		w.t.Logf("%s used %v", f, w.guards[f].Used())
	}
}

// checkLog fails when a log holds a secret or a code, or a line that is
// not JSON.
func (w *world) checkLog(who, log string) {
	t := w.t
	t.Helper()
	for _, s := range w.secrets {
		if s != "" && strings.Contains(log, s) {
			t.Errorf("%s log contains a secret (%.6s...)", who, s)
		}
	}
	for i, c := range w.codes {
		if containsCode(log, c) {
			t.Errorf("%s log contains code #%d of the journey", who, i+1)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		if line == "" || !strings.HasPrefix(line, "{") {
			continue // the runtime's START/END/REPORT lines
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("%s log line is not JSON: %s", who, line)
		}
	}
}

// containsCode reports whether log holds code as a word of its own, not
// as digits of a timestamp, a duration or a request id.
func containsCode(log, code string) bool {
	return regexp.MustCompile(`(^|[^0-9A-Za-z.\-])` + regexp.QuoteMeta(code) + `($|[^0-9A-Za-z.\-])`).MatchString(log)
}

func token(r map[string]any) string {
	nt, _ := r["newToken"].(map[string]any)
	s, _ := nt["token"].(string)
	return s
}

// set sets the value at a dotted path ("params.captcha") of an event.
func set(m map[string]any, path string, v any) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = v
}

func loadEvent(t *testing.T, file string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "infra", "events", file))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return ev
}
