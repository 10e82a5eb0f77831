package account_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv"
)

// benchEnv is idco with production argon2id parameters (19 MiB, t=2).
func benchEnv(b *testing.B) *testenv.Env {
	return testenv.New(b, func(cfg map[string]any) { delete(cfg["idco"].(map[string]any), "argon2") })
}

// measure runs op b.N times and reports DynamoDB requests per op. op runs
// its setup through pause, which stops the timer and the call count.
func measure(b *testing.B, e *testenv.Env, op func(i int, pause func(func()))) {
	b.Helper()
	b.ReportAllocs()
	var setupCalls int64
	pause := func(setup func()) {
		b.StopTimer()
		before := e.Faults.Calls()
		setup()
		setupCalls += e.Faults.Calls() - before
		b.StartTimer()
	}
	start := e.Faults.Calls()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		op(i, pause)
	}
	b.StopTimer()
	b.ReportMetric(float64(e.Faults.Calls()-start-setupCalls)/float64(b.N), "ddb-calls/op")
}

func must(b *testing.B, r testenv.Resp, want string) {
	if r.Code() != want {
		b.Fatalf("got %s, want %s", r.Raw, want)
	}
}

func BenchmarkCreateCaptcha(b *testing.B) {
	e := benchEnv(b)
	c := testenv.NewClient("bench")
	measure(b, e, func(int, func(func())) {
		must(b, e.Call(b, c, "captcha", "createCaptcha", map[string]any{"scene": "register"}), "0")
	})
}

func BenchmarkRegisterUser(b *testing.B) {
	e := benchEnv(b)
	c := testenv.NewClient("bench")
	measure(b, e, func(i int, pause func(func())) {
		var answer string
		pause(func() { answer = e.Captcha(b, c, "register") })
		must(b, e.Call(b, c, "register", "registerUser", map[string]any{
			"username": fmt.Sprintf("user_%d", i), "password": "a good password", "captcha": answer}), "0")
	})
}

func BenchmarkLogin(b *testing.B) {
	e := benchEnv(b)
	c := testenv.NewClient("bench")
	e.Register(b, c, "alice_1", "a good password")
	measure(b, e, func(int, func(func())) {
		must(b, e.Call(b, copyClientB(c), "login", "login", map[string]any{"username": "alice_1", "password": "a good password"}), "0")
	})
}

func BenchmarkLoginWrongPassword(b *testing.B) {
	e := benchEnv(b)
	c := testenv.NewClient("bench")
	e.Register(b, c, "alice_1", "a good password")
	measure(b, e, func(i int, _ func(func())) {
		e.Call(b, c, "login", "login", map[string]any{"username": "alice_1", "password": "wrong password"})
		if i%3 == 2 {
			e.Clock.Advance(2 * 3600e9) // keep under the captcha and lock limits
		}
	})
}

func BenchmarkLoginUnknownAccount(b *testing.B) {
	e := benchEnv(b)
	c := testenv.NewClient("bench")
	measure(b, e, func(i int, _ func(func())) {
		e.Call(b, c, "login", "login", map[string]any{"username": "nobody_1", "password": "wrong password"})
		if i%3 == 2 {
			e.Clock.Advance(2 * 3600e9)
		}
	})
}

func BenchmarkGetAccountInfo(b *testing.B) {
	e := benchEnv(b)
	c := testenv.NewClient("bench")
	e.Register(b, c, "alice_1", "a good password")
	measure(b, e, func(int, func(func())) { must(b, e.Call(b, c, "account", "getAccountInfo", nil), "0") })
}

func BenchmarkRefreshToken(b *testing.B) {
	e := benchEnv(b)
	c := testenv.NewClient("bench")
	e.Register(b, c, "alice_1", "a good password")
	measure(b, e, func(int, func(func())) { must(b, e.Call(b, c, "account", "refreshToken", nil), "0") })
}

func BenchmarkLogout(b *testing.B) {
	e := benchEnv(b)
	c := testenv.NewClient("bench")
	e.Register(b, c, "alice_1", "a good password")
	measure(b, e, func(_ int, pause func(func())) {
		d := testenv.NewClient("bench")
		pause(func() {
			must(b, e.Call(b, d, "login", "login", map[string]any{"username": "alice_1", "password": "a good password"}), "0")
		})
		must(b, e.Call(b, d, "account", "logout", nil), "0")
	})
}

func BenchmarkGetSupportedLoginType(b *testing.B) {
	e := benchEnv(b)
	c := testenv.NewClient("bench")
	measure(b, e, func(int, func(func())) { must(b, e.Call(b, c, "login-types", "getSupportedLoginType", nil), "0") })
}

func copyClientB(c *testenv.Client) *testenv.Client { d := *c; d.Token = ""; return &d }

func BenchmarkRefreshCaptcha(b *testing.B) {
	e := benchEnv(b)
	c := testenv.NewClient("bench")
	e.Captcha(b, c, "register")
	measure(b, e, func(int, func(func())) {
		must(b, e.Call(b, c, "captcha", "refreshCaptcha", map[string]any{"scene": "register"}), "0")
	})
}

// BenchmarkRegisterAdminExists measures the answer every call after the
// first gets.
func BenchmarkRegisterAdminExists(b *testing.B) {
	e := benchEnv(b)
	c := testenv.NewClient("bench")
	must(b, e.RegisterAdmin(b, c, "admin", "admin password"), "0")
	measure(b, e, func(int, func(func())) {
		must(b, e.Call(b, c, "register", "registerAdmin", map[string]any{"username": "admin2", "password": "admin password"}), "uni-id-admin-exists")
	})
}

func BenchmarkUpdatePwd(b *testing.B) {
	e := benchEnv(b)
	c := testenv.NewClient("bench")
	e.Register(b, c, "alice_1", "password number 0")
	measure(b, e, func(i int, _ func(func())) {
		must(b, e.Call(b, c, "reset", "updatePwd", map[string]any{
			"oldPassword": fmt.Sprintf("password number %d", i), "newPassword": fmt.Sprintf("password number %d", i+1)}), "0")
	})
}

func BenchmarkCloseAccount(b *testing.B) {
	e := benchEnv(b)
	measure(b, e, func(i int, pause func(func())) {
		c := testenv.NewClient("bench")
		pause(func() { e.Register(b, c, fmt.Sprintf("user_%d", i), "a good password") })
		must(b, e.Call(b, c, "account", "closeAccount", nil), "0")
	})
}

// codeBenchEnv lifts the send limits so a benchmark measures the path, not
// the refusal.
func codeBenchEnv(b *testing.B) *testenv.Env {
	return testenv.New(b, func(cfg map[string]any) {
		idco := cfg["idco"].(map[string]any)
		delete(idco, "argon2")
		idco["limits"] = map[string]any{"perIpPerHour": 1 << 30, "perDestinationPerHour": 1 << 30,
			"perDestinationPerDay": 1 << 30, "smsDailyBudget": 1 << 30, "emailDailyBudget": 1 << 30}
	})
}

func BenchmarkSendSmsCode(b *testing.B) {
	e := codeBenchEnv(b)
	c := testenv.NewClient("bench")
	measure(b, e, func(i int, pause func(func())) {
		var answer string
		pause(func() {
			e.Clock.Advance(time.Minute) // past the cooldown
			answer = e.Captcha(b, c, "send-sms-code")
		})
		must(b, e.Call(b, c, "send-sms-code", "sendSmsCode", map[string]any{"mobile": phone, "scene": "login-by-sms", "captcha": answer}), "0")
	})
}

func BenchmarkLoginBySms(b *testing.B) {
	e := codeBenchEnv(b)
	c := testenv.NewClient("bench")
	measure(b, e, func(i int, pause func(func())) {
		var code string
		pause(func() {
			e.Clock.Advance(time.Minute)
			code = e.SendSMS(b, c, phone, "login-by-sms")
		})
		must(b, e.Call(b, c, "login", "loginBySms", map[string]any{"mobile": phone, "code": code}), "0")
	})
}

func BenchmarkLoginBySmsWrongCode(b *testing.B) {
	e := codeBenchEnv(b)
	c := testenv.NewClient("bench")
	measure(b, e, func(i int, pause func(func())) {
		var code string
		pause(func() {
			e.Clock.Advance(time.Hour) // a fresh failure window and captcha gate
			code = e.SendSMS(b, c, phone, "login-by-sms")
		})
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		must(b, e.Call(b, c, "login", "loginBySms", map[string]any{"mobile": phone, "code": wrong}), "uni-id-mobile-verify-code-error")
	})
}

func BenchmarkSendEmailCode(b *testing.B) {
	e := codeBenchEnv(b)
	c := testenv.NewClient("bench")
	measure(b, e, func(i int, pause func(func())) {
		var answer string
		pause(func() {
			e.Clock.Advance(time.Minute)
			answer = e.Captcha(b, c, "send-email-code")
		})
		must(b, e.Call(b, c, "send-email-code", "sendEmailCode", map[string]any{"email": "bob@example.com", "scene": "login-by-email", "captcha": answer}), "0")
	})
}
