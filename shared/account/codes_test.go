package account_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/testenv"
)

const phone = "13800138000"

func sendSMS(t *testing.T, e *testenv.Env, c *testenv.Client, mobile, scene string) testenv.Resp {
	t.Helper()
	return e.Call(t, c, "send-sms-code", "sendSmsCode", map[string]any{"mobile": mobile, "scene": scene, "captcha": e.Captcha(t, c, "send-sms-code")})
}

func loginBySms(t *testing.T, e *testenv.Env, c *testenv.Client, code string) testenv.Resp {
	t.Helper()
	return e.Call(t, c, "login", "loginBySms", map[string]any{"mobile": phone, "code": code})
}

func TestSmsLoginJourney(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["service"] = map[string]any{"sms": map[string]any{"name": "Demo", "codeExpiresIn": 240,
			"scene": map[string]any{"login-by-sms": map[string]any{"templateId": "SMS_1"}}}}
	})
	c := testenv.NewClient("d1")
	code := e.SendSMS(t, c, phone, "login-by-sms")
	m, _ := e.Sent.LastSMS("+86" + phone)
	if len(code) != 6 || m.TemplateID != "SMS_1" || m.Minutes != 4 || m.AppName != "Demo" {
		t.Fatalf("SMS = %+v", m)
	}
	r := loginBySms(t, e, c, code)
	if r.Code() != "0" || r.Body["type"] != "register" {
		t.Fatalf("first loginBySms: %s", r.Raw)
	}
	uid := r.Body["uid"]
	if r := loginBySms(t, e, c, code); r.Code() != "uni-id-mobile-verify-code-error" {
		t.Fatalf("code reused: %s", r.Raw)
	}
	e.Clock.Advance(time.Minute)
	r = loginBySms(t, e, testenv.NewClient("d2"), e.SendSMS(t, c, phone, "login-by-sms"))
	if r.Code() != "0" || r.Body["type"] != "login" || r.Body["uid"] != uid {
		t.Fatalf("second loginBySms: %s", r.Raw)
	}
	// A code login ends the account's other sessions (idco.codeLoginEndsSessions).
	if r := info(t, e, c); r.Code() != "uni-id-check-token-failed" {
		t.Errorf("first device after a code login elsewhere: %s", r.Raw)
	}
	if info := e.Call(t, c, "login", "login", map[string]any{"mobile": phone, "password": "x"}); info.Code() != "uni-id-password-error" {
		t.Errorf("password login on a passwordless account: %s", info.Raw)
	}
	for _, item := range e.Scan(t, e.Names.Ephemeral) {
		if strings.Contains(fmt.Sprint(item), code) {
			t.Errorf("a code is stored in clear: %v", item)
		}
	}
	if strings.Contains(e.Log.String(), code) {
		t.Errorf("a code is in the log")
	}
}

func TestSendSmsCodeBadInput(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	cases := []struct {
		name   string
		params map[string]any
		want   string
	}{
		{"no captcha", map[string]any{"mobile": phone, "scene": "login-by-sms"}, "uni-id-param-required"},
		{"bad scene", map[string]any{"mobile": phone, "scene": "register", "captcha": "abcd"}, "uni-id-invalid-param"},
		{"bad number", map[string]any{"mobile": "12345", "scene": "login-by-sms", "captcha": "abcd"}, "uni-id-invalid-mobile"},
		{"satellite range", map[string]any{"mobile": "+88216123456", "scene": "login-by-sms", "captcha": "abcd"}, "uni-id-mobile-region-not-supported"},
		{"US number", map[string]any{"mobile": "+12025550123", "scene": "login-by-sms", "captcha": "abcd"}, "uni-id-mobile-region-not-supported"},
		{"wrong captcha", map[string]any{"mobile": phone, "scene": "login-by-sms", "captcha": "zzzz"}, "uni-captcha-verify-fail"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if r := e.Call(t, c, "send-sms-code", "sendSmsCode", tc.params); r.Code() != tc.want {
				t.Errorf("%s: %s, want %s", tc.name, r.Raw, tc.want)
			}
		})
	}
	if n := e.Sent.Calls(); n != 0 {
		t.Errorf("%d provider calls for refused sends", n)
	}
	if r := sendSMS(t, e, c, "+86"+phone, "login-by-sms"); r.Code() != "0" {
		t.Errorf("E.164 form: %s", r.Raw)
	}
}

// noCaptchaGate lifts the captcha requirement after failed code logins, so
// a test reaches the code limits themselves.
func noCaptchaGate(cfg map[string]any) { cfg["idco"].(map[string]any)["loginCaptchaAfter"] = 1000 }

// TestCodeTries: a source's wrong tries stop that source, not the code:
// after verifyFailures (5) its checks are refused, even with the right
// code, while the owner at another address still logs in with it. Only
// codeMaxTries wrong tries from all sources together burn a code.
func TestCodeTries(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		noCaptchaGate(cfg)
		cfg["idco"].(map[string]any)["limits"] = map[string]any{"codeMaxTries": 8}
	})
	owner := testenv.NewClient("d1")
	code := e.SendSMS(t, owner, phone, "login-by-sms")
	bad := "000000"
	if code == bad {
		bad = "111111"
	}
	stranger := &testenv.Client{AppID: "__UNI__TEST", Platform: "web", DeviceID: "x1", From: "127.0.0.2"}
	for i := 1; i <= 5; i++ {
		if r := loginBySms(t, e, stranger, bad); r.Code() != "uni-id-mobile-verify-code-error" {
			t.Fatalf("stranger's wrong try %d: %s", i, r.Raw)
		}
	}
	if r := loginBySms(t, e, stranger, code); r.Code() != "uni-id-rate-limited" || r.Status != 429 {
		t.Fatalf("stranger's 6th check, right code: %d %s", r.Status, r.Raw)
	}
	if r := loginBySms(t, e, owner, code); r.Code() != "0" {
		t.Fatalf("owner's check after a stranger's 5 failures: %s", r.Raw)
	}
	// 8 wrong tries from four addresses burn the next code.
	e.Clock.Advance(20 * time.Minute) // two windows: the failures are gone
	code = e.SendSMS(t, owner, phone, "login-by-sms")
	for i := range 8 {
		c := &testenv.Client{AppID: "__UNI__TEST", Platform: "web", DeviceID: "x", From: fmt.Sprintf("127.0.0.%d", 3+i/2)}
		if r := loginBySms(t, e, c, bad); r.Code() != "uni-id-mobile-verify-code-error" {
			t.Fatalf("wrong try %d: %s", i+1, r.Raw)
		}
	}
	if r := loginBySms(t, e, owner, code); r.Code() != "uni-id-mobile-verify-code-error" {
		t.Fatalf("right code after codeMaxTries wrong tries: %s, want burned", r.Raw)
	}
}

// TestOutsidersCannotLockOwner: 20 failures on one number from four
// addresses, with captchas, lock those addresses out, send them nothing more, and ask
// everyone else for a captcha, with which the owner logs in.
func TestOutsidersCannotLockOwner(t *testing.T) {
	e := testenv.New(t, noCaptchaGate)
	owner := testenv.NewClient("d1")
	code := e.SendSMS(t, owner, phone, "login-by-sms")
	bad := "000000"
	if code == bad {
		bad = "111111"
	}
	for a := 2; a <= 5; a++ {
		x := &testenv.Client{AppID: "__UNI__TEST", Platform: "web", DeviceID: fmt.Sprint("x", a), From: fmt.Sprint("127.0.0.", a)}
		for range 6 { // solving the captcha once 10 failures ask for one
			e.Call(t, x, "login", "loginBySms", map[string]any{"mobile": phone, "code": bad, "captcha": e.Captcha(t, x, "login-by-sms")})
		}
		sent := e.Sent.Calls()
		e.Clock.Advance(time.Minute)
		if r := sendSMS(t, e, x, phone, "login-by-sms"); r.Code() != "uni-id-rate-limited" || e.Sent.Calls() != sent {
			t.Fatalf("locked-out address %d asked for a code: %s, %d sends", a, r.Raw, e.Sent.Calls()-sent)
		}
	}
	code = e.SendSMS(t, owner, phone, "login-by-sms")
	if r := loginBySms(t, e, owner, code); r.Code() != "uni-id-captcha-required" {
		t.Fatalf("owner after 20 failures by others: %s, want a captcha asked for", r.Raw)
	}
	r := e.Call(t, owner, "login", "loginBySms", map[string]any{"mobile": phone, "code": code, "captcha": e.Captcha(t, owner, "login-by-sms")})
	if r.Code() != "0" {
		t.Fatalf("owner with the captcha: %s", r.Raw)
	}
}

func TestCodeBinding(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	first := e.SendSMS(t, c, phone, "login-by-sms")
	e.Clock.Advance(time.Minute)
	second := e.SendSMS(t, c, phone, "login-by-sms")
	if first != second {
		if r := loginBySms(t, e, c, first); r.Code() != "uni-id-mobile-verify-code-error" {
			t.Fatalf("code replaced by a resend: %s", r.Raw)
		}
	}
	reset := e.SendSMS(t, c, phone, "reset-pwd-by-sms")
	if reset != second {
		if r := loginBySms(t, e, c, reset); r.Code() != "uni-id-mobile-verify-code-error" {
			t.Fatalf("a reset code used to log in: %s", r.Raw)
		}
	}
	e.Clock.Advance(181 * time.Second)
	if r := loginBySms(t, e, c, second); r.Code() != "uni-id-mobile-verify-code-error" {
		t.Fatalf("expired code: %s", r.Raw)
	}
}

func TestSendLimits(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["limits"] = map[string]any{"perIpPerHour": 1000, "smsDailyBudget": 8}
	})
	c := testenv.NewClient("d1")
	e.Clock.Advance(30 * time.Minute) // start mid-hour and mid-day
	if r := sendSMS(t, e, c, phone, "login-by-sms"); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	e.Clock.Advance(59 * time.Second)
	r := sendSMS(t, e, c, phone, "login-by-sms")
	if r.Code() != "uni-id-send-too-frequent" || r.Body["retryAfter"] != 1.0 || r.Status != 429 {
		t.Fatalf("send at 59 s: %d %s", r.Status, r.Raw)
	}
	e.Clock.Advance(time.Second)
	if r := sendSMS(t, e, c, phone, "login-by-sms"); r.Code() != "0" {
		t.Fatalf("send at 60 s: %s", r.Raw)
	}
	// Another scene has its own cooldown but shares the hourly cap (5).
	for i := 3; i <= 5; i++ {
		e.Clock.Advance(time.Minute)
		if r := sendSMS(t, e, c, phone, "login-by-sms"); r.Code() != "0" {
			t.Fatalf("send %d: %s", i, r.Raw)
		}
	}
	e.Clock.Advance(time.Minute)
	if r := sendSMS(t, e, c, phone, "reset-pwd-by-sms"); r.Code() != "uni-id-rate-limited" || r.Body["retryAfter"] == nil {
		t.Fatalf("6th send in an hour: %s", r.Raw)
	}
	// The daily budget (8): 5 spent; 3 more to other numbers, then none.
	for i := 0; i < 3; i++ {
		if r := sendSMS(t, e, c, fmt.Sprintf("1390013900%d", i), "login-by-sms"); r.Code() != "0" {
			t.Fatalf("budget send %d: %s", i, r.Raw)
		}
	}
	r = sendSMS(t, e, c, "13900139009", "login-by-sms")
	if r.Code() != "uni-id-send-budget-spent" || r.Status != 503 {
		t.Fatalf("send over budget: %d %s", r.Status, r.Raw)
	}
	if n := e.Sent.Calls(); n != 8 {
		t.Errorf("%d provider calls, want 8", n)
	}
}

// TestProviderOutage: a failed delivery is a retryable answer, starts no
// cooldown, spends no limit and leaves no code.
func TestProviderOutage(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	e.Sent.Fail(fmt.Errorf("aliyun: Throttling: %w", account.ErrDeliveryRetryable))
	r := sendSMS(t, e, c, phone, "login-by-sms")
	if r.Code() != "uni-id-send-failed" || r.Status != 503 {
		t.Fatalf("outage: %d %s", r.Status, r.Raw)
	}
	if strings.Contains(r.Raw, "aliyun") {
		t.Errorf("provider detail sent to the client: %s", r.Raw)
	}
	e.Sent.Fail(errors.Join(errors.New("isv.BUSINESS_LIMIT_CONTROL"), account.ErrDeliveryLimited))
	if r := sendSMS(t, e, c, phone, "login-by-sms"); r.Code() != "uni-id-rate-limited" {
		t.Fatalf("provider flow control: %s", r.Raw)
	}
	e.Sent.Fail(nil)
	before := e.Sent.Calls()
	code := e.SendSMS(t, c, phone, "login-by-sms") // at once: no cooldown was started
	if e.Sent.Calls() != before+1 {
		t.Errorf("the send after recovery went out %d times", e.Sent.Calls()-before)
	}
	if r := loginBySms(t, e, c, code); r.Code() != "0" {
		t.Fatalf("code sent after recovery: %s", r.Raw)
	}
	for _, item := range e.Scan(t, e.Names.Ephemeral) {
		if n, ok := item["n"].(float64); ok && n > 1 && strings.HasPrefix(item["pk"].(string), "ctr:send-dest-h") {
			t.Errorf("failed sends were counted: %v", item)
		}
	}
}

// TestConcurrentSends: 100 concurrent sends to one number make at most the
// per-destination cap of provider calls (the cooldown lets one through).
func TestConcurrentSends(t *testing.T) {
	e := testenv.New(t, nil)
	const n = 100
	clients := make([]*testenv.Client, n)
	answers := make([]string, n)
	for i := range clients {
		clients[i] = testenv.NewClient(fmt.Sprintf("s%d", i))
		answers[i] = e.Captcha(t, clients[i], "send-sms-code")
	}
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			e.Call(t, clients[i], "send-sms-code", "sendSmsCode", map[string]any{"mobile": phone, "scene": "login-by-sms", "captcha": answers[i]})
		})
	}
	wg.Wait()
	if got := e.Sent.Calls(); got < 1 || got > 5 {
		t.Fatalf("%d provider calls, want 1 to 5", got)
	}
}

// TestConcurrentVerify: of 50 concurrent checks of one code from one
// address exactly verifyFailures (5) reach the compare, and of 50
// concurrent right answers one wins.
func TestConcurrentVerify(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["limits"] = map[string]any{"perIpPerHour": 1000}
		noCaptchaGate(cfg)
	})
	c := testenv.NewClient("d1")
	run := func(code string) []string {
		out := make([]string, 50)
		var wg sync.WaitGroup
		for i := range out {
			wg.Go(func() { out[i] = loginBySms(t, e, testenv.NewClient(fmt.Sprint(i)), code).Code() })
		}
		wg.Wait()
		return out
	}
	code := e.SendSMS(t, c, phone, "login-by-sms")
	wrong := "000000"
	if code == wrong {
		wrong = "999999"
	}
	run(wrong)
	var tries float64 = -1
	for _, item := range e.Scan(t, e.Names.Ephemeral) {
		if strings.HasPrefix(item["pk"].(string), "code:sms:") {
			tries, _ = item["tries"].(float64)
		}
	}
	if tries != 5 {
		t.Fatalf("tries counted = %v, want exactly 5 of 50 to reach the compare", tries)
	}
	e.Clock.Advance(20 * time.Minute) // two windows: the address's failures are gone
	code = e.SendSMS(t, c, phone, "login-by-sms")
	ok := 0
	for _, got := range run(code) {
		if got == "0" {
			ok++
		}
	}
	if ok != 1 {
		t.Fatalf("%d of 50 concurrent right answers succeeded, want 1", ok)
	}
}

func TestDevTestMode(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["sms"] = map[string]any{"provider": "test", "testMode": true}
	})
	c := testenv.NewClient("d1")
	r := sendSMS(t, e, c, phone, "login-by-sms")
	if r.Code() != "uni-id-invalid-sms-template-id" {
		t.Fatalf("test mode: %s", r.Raw)
	}
	if r := loginBySms(t, e, c, "123456"); r.Code() != "0" {
		t.Fatalf("123456 in test mode: %s", r.Raw)
	}
}

// TestTestModeNeedsDevMode: idco.sms.testMode does nothing outside dev
// mode, whatever else is wired (an outbox included): the code is sent.
func TestTestModeNeedsDevMode(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["sms"] = map[string]any{"provider": "test", "testMode": true}
	})
	e.Svc.Dev = false
	c := testenv.NewClient("d1")
	if r := sendSMS(t, e, c, phone, "login-by-sms"); r.Code() != "0" {
		t.Fatalf("send outside dev mode: %s", r.Raw)
	}
	if r := loginBySms(t, e, c, "123456"); r.Code() == "0" {
		t.Fatalf("123456 logged in outside dev mode: %s", r.Raw)
	}
}

// TestCodeLoginCaptcha: after 3 failed code logins from one IP for one
// number, loginBySms needs a captcha (scene login-by-sms), as uni-id.
func TestCodeLoginCaptcha(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	code := e.SendSMS(t, c, phone, "login-by-sms")
	for i := 0; i < 3; i++ {
		loginBySms(t, e, c, "000000")
	}
	if r := loginBySms(t, e, c, code); r.Code() != "uni-id-captcha-required" {
		t.Fatalf("4th try without a captcha: %s", r.Raw)
	}
	r := e.Call(t, c, "login", "loginBySms", map[string]any{"mobile": phone, "code": code, "captcha": e.Captcha(t, c, "login-by-sms")})
	if r.Code() != "0" {
		t.Fatalf("with a captcha: %s", r.Raw)
	}
}
