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
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/truora/minidyn/server"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/captcha"
	"github.com/idco-dev/idco/shared/dynamo"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/lambdafn"
)

// root is the repository root, seen from this package's directory.
const root = "../.."

const (
	device      = "smoke-device-0001" // the events' clientInfo.deviceId
	username    = "smoke_alice"       // the events' username
	password    = "Sm0ke-Test-Passw0rd"
	newPassword = "Sm0ke-New-Passw0rd"
)

// world is one smoke run: an embedded DynamoDB with idco's tables, one
// guarded endpoint per function, the config file, and a way to invoke each
// function.
type world struct {
	t           *testing.T
	dir         string
	prefix      string
	configPath  string
	tokenSecret string
	db          *dynamodb.Client // unguarded: the test's own reads
	guards      map[string]*Guard
	endpoints   map[string]string // family -> its guarded DynamoDB URL
	invoke      func(family string, event []byte) ([]byte, error)
	skip        func(family string) bool // families everyEvent leaves out
	answers     *outbox                  // captcha answers, when not solved
	secrets     []string                 // strings no log may contain
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
	for f := range families.ByName() {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// newWorld starts a world; idco, when given, is the config's idco block
// beyond the captcha length.
func newWorld(t *testing.T, idco map[string]any) *world {
	t.Helper()
	w := &world{t: t, dir: t.TempDir(), guards: map[string]*Guard{}, endpoints: map[string]string{}}
	var b [32]byte
	_, _ = rand.Read(b[:])
	w.tokenSecret = hex.EncodeToString(b[:])
	w.prefix = "smoke-"
	w.secrets = []string{w.tokenSecret, password, newPassword}

	dyn := server.NewServer()
	raw := httptest.NewServer(dyn)
	t.Cleanup(raw.Close)
	w.db = app.NewDynamo(aws.Config{Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("smoke", "smoke", "")}, raw.URL)
	if err := dynamo.Bootstrap(t.Context(), w.db, w.prefix); err != nil {
		t.Fatalf("bootstrap tables: %v", err)
	}
	for _, f := range allFamilies(t) {
		grants, ok := families.Access(f)
		if !ok {
			t.Fatalf("functions/%s has no grants in shared/families Access", f)
		}
		g := &Guard{Family: f, Prefix: w.prefix, Grants: grants, Next: dyn}
		srv := httptest.NewServer(g)
		t.Cleanup(srv.Close)
		w.guards[f], w.endpoints[f] = g, srv.URL
	}

	if idco == nil {
		idco = map[string]any{}
	}
	idco["captcha"] = map[string]any{"length": 4}
	cfg := map[string]any{"tokenSecret": w.tokenSecret, "tokenExpiresIn": 7200, "idco": idco}
	data, _ := json.Marshal(cfg)
	w.configPath = filepath.Join(w.dir, "config.json")
	if err := os.WriteFile(w.configPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestJourneyInProcess runs the journey through each family's Lambda
// handler in this process, each over its guarded endpoint, so every `make
// test` checks that shared/families Access grants what the journey needs.
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
	handlers := map[string]func(context.Context, json.RawMessage) (any, error){}
	for _, f := range allFamilies(t) {
		family, ok := families.ByName()[f]
		if !ok {
			t.Fatalf("functions/%s is not in shared/families ByName", f)
		}
		db := app.NewDynamo(aws.Config{Region: "us-east-1",
			Credentials: credentials.NewStaticCredentialsProvider("smoke", "smoke", "")}, w.endpoints[f])
		svc := app.NewService(app.Deps{Config: set, DB: db, Prefix: w.prefix})
		svc.SMS, svc.Email = out, out
		if f == "captcha" {
			// The captcha family alone gets the dev outbox (it changes
			// nothing else there), so this test reads answers instead of
			// solving them: the race detector makes solving slow.
			svc.Outbox = out
		}
		handlers[f] = lambdafn.Handler(app.Dispatcher(f, family(svc), svc, log))
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
	w.codeJourney(out)
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
	// config file and DynamoDB.
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

// codeJourney is the journey by codes, in process only: the Lambda
// binaries here have no sender to deliver a code. sendSmsCode -> loginBySms
// (a new account) -> sendEmailCode -> bindEmailByCode -> sendEmailCode ->
// resetPwdByEmail -> login by email.
func (w *world) codeJourney(out *outbox) {
	t := w.t
	const mobile, email = "+8613800138000", "alice@example.com" // as the events
	captchaFor := func(scene string) string {
		status, r := w.url("captcha", "captcha/createCaptcha.url.json", func(ev map[string]any) {
			set(ev, "body.params.scene", scene)
		})
		w.ok("createCaptcha "+scene, status, r)
		return w.solveCaptcha(device, scene)
	}
	code := func(dest string) string {
		c := out.take(dest)
		if c == "" {
			t.Fatalf("no code delivered to %s", dest)
		}
		w.secrets = append(w.secrets, `"`+c+`"`)
		return c
	}

	answer := captchaFor("send-sms-code")
	r := w.raw("send-sms-code", "send-sms-code/sendSmsCode.raw.json", func(ev map[string]any) { set(ev, "params.captcha", answer) })
	w.ok("sendSmsCode", 200, r)
	r = w.raw("login", "login/loginBySms.raw.json", func(ev map[string]any) { set(ev, "params.code", code(mobile)) })
	w.ok("loginBySms", 200, r)
	if r["type"] != "register" || token(r) == "" {
		t.Fatalf("loginBySms = %v, want a new account and a token", r)
	}
	tok := token(r)
	w.secrets = append(w.secrets, tok)

	answer = captchaFor("send-email-code")
	status, r := w.url("send-email-code", "send-email-code/sendEmailCode.url.json", func(ev map[string]any) {
		set(ev, "body.params.scene", "bind-email")
		set(ev, "body.params.captcha", answer)
	})
	w.ok("sendEmailCode bind-email", status, r)
	status, r = w.url("bind", "bind/bindEmailByCode.url.json", func(ev map[string]any) {
		set(ev, "headers.authorization", "Bearer "+tok)
		set(ev, "body.params.code", code(email))
	})
	w.ok("bindEmailByCode", status, r)

	answer = captchaFor("send-email-code")
	status, r = w.url("send-email-code", "send-email-code/sendEmailCode.url.json", func(ev map[string]any) {
		set(ev, "body.params.scene", "reset-pwd-by-email")
		set(ev, "body.params.captcha", answer)
	})
	w.ok("sendEmailCode reset-pwd-by-email", status, r)
	r = w.raw("reset", "reset/resetPwdByEmail.raw.json", func(ev map[string]any) { set(ev, "params.code", code(email)) })
	w.ok("resetPwdByEmail", 200, r)
	w.secrets = append(w.secrets, "Sm0ke-Reset-Passw0rd")

	r = w.raw("login", "login/login.raw.json", func(ev map[string]any) {
		set(ev, "params.username", "")
		set(ev, "params.email", email)
		set(ev, "params.password", "Sm0ke-Reset-Passw0rd")
	})
	w.ok("login by email after the reset", 200, r)
}

// outbox is the in-process journey's SMS and email sender and the captcha
// function's dev outbox: it keeps the last code sent to each destination.
type outbox struct {
	mu    sync.Mutex
	codes map[string]string
}

func (o *outbox) SendSMS(_ context.Context, m account.SMS) error { return o.put(m.Phone, m.Code) }

func (o *outbox) SendEmail(_ context.Context, m account.Email) error { return o.put(m.To, m.Code) }

func (o *outbox) Deliver(_ context.Context, m account.Message) {
	if m.Kind == "captcha" {
		_ = o.put("captcha:"+m.To+":"+m.Scene, m.Code)
	}
}

func (o *outbox) put(dest, code string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if code != "" {
		o.codes[dest] = code
	}
	return nil
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
	for _, f := range allFamilies(w.t) {
		w.t.Logf("%s used %v", f, w.guards[f].Used())
	}
}

// checkLog fails when a log holds a secret, or a line that is not JSON.
func (w *world) checkLog(who, log string) {
	t := w.t
	t.Helper()
	for _, s := range w.secrets {
		if s != "" && strings.Contains(log, s) {
			t.Errorf("%s log contains a secret (%.6s...)", who, s)
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
