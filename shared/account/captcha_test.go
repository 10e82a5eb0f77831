package account_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv"
)

func register(t *testing.T, e *testenv.Env, c *testenv.Client, captcha string) testenv.Resp {
	t.Helper()
	return e.Call(t, c, "register", "registerUser", map[string]any{"username": "alice_1", "password": "a good password", "captcha": captcha})
}

func TestCreateCaptcha(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	r := e.Call(t, c, "captcha", "createCaptcha", map[string]any{"scene": "register"})
	url, _ := r.Body["captchaBase64"].(string)
	const prefix = "data:image/png;base64,"
	if r.Code() != "0" || !strings.HasPrefix(url, prefix) {
		t.Fatalf("createCaptcha: %.200s", r.Raw)
	}
	raw, err := base64.StdEncoding.DecodeString(url[len(prefix):])
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil || img.Bounds().Dx() != 150 || img.Bounds().Dy() != 50 {
		t.Fatalf("picture: %v %v", err, img)
	}
	answer, _ := e.Outbox.Last("captcha", "d1")
	for _, item := range e.Scan(t, e.Names.Ephemeral) {
		if strings.Contains(fmt.Sprint(item), answer.Code) {
			t.Errorf("the answer is stored in clear: %v", item)
		}
	}
}

func TestCaptchaRules(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	t.Run("single use: wrong then right", func(t *testing.T) {
		answer := e.Captcha(t, c, "register")
		if r := register(t, e, c, "zzzz"); r.Code() != "uni-captcha-verify-fail" {
			t.Fatalf("wrong: %s", r.Raw)
		}
		if r := register(t, e, c, answer); r.Code() != "uni-captcha-verify-fail" {
			t.Fatalf("right after wrong: %s", r.Raw)
		}
	})
	t.Run("case-insensitive, then no replay", func(t *testing.T) {
		answer := e.Captcha(t, c, "register")
		other := testenv.NewClient("d1")
		other.DeviceID = "d1"
		if r := e.Call(t, other, "register", "registerUser", map[string]any{"username": "bob_1", "password": "a good password", "captcha": strings.ToUpper(answer)}); r.Code() != "0" {
			t.Fatalf("right: %s", r.Raw)
		}
		if r := register(t, e, c, answer); r.Code() != "uni-captcha-verify-fail" {
			t.Fatalf("replay: %s", r.Raw)
		}
	})
	t.Run("expired", func(t *testing.T) {
		answer := e.Captcha(t, c, "register")
		e.Clock.Advance(181 * time.Second)
		if r := register(t, e, c, answer); r.Code() != "uni-captcha-verify-overdue" {
			t.Fatalf("expired: %s", r.Raw)
		}
	})
	t.Run("bound to scene", func(t *testing.T) {
		answer := e.Captcha(t, c, "login-by-pwd")
		if r := register(t, e, c, answer); r.Code() != "uni-captcha-verify-fail" {
			t.Fatalf("other scene: %s", r.Raw)
		}
	})
	t.Run("bound to device", func(t *testing.T) {
		answer := e.Captcha(t, c, "register")
		if r := register(t, e, testenv.NewClient("d2"), answer); r.Code() != "uni-captcha-verify-fail" {
			t.Fatalf("other device: %s", r.Raw)
		}
	})
	t.Run("newest replaces older", func(t *testing.T) {
		first := e.Captcha(t, c, "register")
		second := e.Captcha(t, c, "register")
		if first == second {
			t.Skip("two equal answers in a row")
		}
		if r := register(t, e, c, first); r.Code() != "uni-captcha-verify-fail" {
			t.Fatalf("older captcha: %s", r.Raw)
		}
	})
}

func TestRefreshCaptcha(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	if r := e.Call(t, c, "captcha", "refreshCaptcha", map[string]any{"scene": "register"}); r.Code() != "uni-captcha-refresh-fail" {
		t.Fatalf("nothing to refresh: %s", r.Raw)
	}
	old := e.Captcha(t, c, "register")
	if r := e.Call(t, c, "captcha", "refreshCaptcha", map[string]any{"scene": "register"}); r.Code() != "0" || r.Body["captchaBase64"] == nil {
		t.Fatalf("refresh: %.200s", r.Raw)
	}
	fresh, _ := e.Outbox.Last("captcha", "d1")
	if old != fresh.Code {
		if r := register(t, e, c, old); r.Code() != "uni-captcha-verify-fail" {
			t.Fatalf("refreshed-away answer: %s", r.Raw)
		}
	}
}

// TestRefreshCaptchaLimited: a refresh refused by the per-source limit
// leaves the device's captcha as it was: the answer on the page still
// works.
func TestRefreshCaptchaLimited(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["captcha"] = map[string]any{"perIpPerMinute": 3}
	})
	c := testenv.NewClient("d1")
	for range 2 {
		e.Captcha(t, testenv.NewClient("other"), "register") // the same source
	}
	answer := e.Captcha(t, c, "register") // the third in the minute: the limit
	if r := e.Call(t, c, "captcha", "refreshCaptcha", map[string]any{"scene": "register"}); r.Code() != "uni-id-rate-limited" {
		t.Fatalf("refresh over the limit: %s", r.Raw)
	}
	if r := register(t, e, c, answer); r.Code() != "0" {
		t.Fatalf("the captcha after a refused refresh: %s", r.Raw)
	}
}

func TestCaptchaBadInput(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["captcha"] = map[string]any{"perIpPerMinute": 3}
	})
	c := testenv.NewClient("d1")
	noDevice := testenv.NewClient("")
	cases := []struct {
		name   string
		c      *testenv.Client
		params any
		want   string
	}{
		{"no scene", c, nil, "uni-id-param-required"},
		{"unknown scene", c, map[string]any{"scene": "hack"}, "uni-id-invalid-param"},
		{"no deviceId", noDevice, map[string]any{"scene": "register"}, "uni-captcha-deviceId-required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if r := e.Call(t, tc.c, "captcha", "createCaptcha", tc.params); r.Code() != tc.want {
				t.Errorf("%s: %s, want %s", tc.name, r.Raw, tc.want)
			}
		})
	}
	if r := register(t, e, noDevice, "abcd"); r.Code() != "uni-captcha-deviceId-required" {
		t.Errorf("verify without deviceId: %s", r.Raw)
	}
	for i := 0; i < 3; i++ {
		e.Captcha(t, c, "register")
	}
	r := e.Call(t, c, "captcha", "createCaptcha", map[string]any{"scene": "register"})
	if r.Code() != "uni-id-rate-limited" || r.Status != 429 || r.Body["retryAfter"] == nil {
		t.Fatalf("4th captcha in a minute: %d %s", r.Status, r.Raw)
	}
	// The limit slides: a minute on, the three still count (a fixed
	// window would have let three more through); by retryAfter they do not.
	e.Clock.Advance(time.Minute - time.Millisecond)
	if r := e.Call(t, c, "captcha", "createCaptcha", map[string]any{"scene": "register"}); r.Code() != "uni-id-rate-limited" {
		t.Fatalf("a captcha within the minute of three: %s", r.Raw)
	}
	e.Clock.Advance(time.Duration(r.Body["retryAfter"].(float64))*time.Second - time.Minute + time.Millisecond)
	e.Captcha(t, c, "register")
}
