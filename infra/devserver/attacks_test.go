package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// devClient talks to a dev server from one loopback address, as one source.
type devClient struct {
	t      *testing.T
	url    string
	outbox string
	http   *http.Client
	ci     map[string]any
}

func newDevClient(t *testing.T, url, outbox, from, device string) *devClient {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	return &devClient{t: t, url: url, outbox: outbox, ci: map[string]any{"appId": "__UNI__DEMO", "uniPlatform": "web", "deviceId": device},
		http: &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}}
}

func (d *devClient) call(path string, params map[string]any) map[string]any {
	d.t.Helper()
	body, _ := json.Marshal(map[string]any{"clientInfo": d.ci, "params": params})
	res, err := d.http.Post(d.url+path, "application/json", bytes.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		d.t.Fatal(err)
	}
	return out
}

// last returns the newest outbox line's code (a captcha answer, an SMS code).
func (d *devClient) last() string {
	d.t.Helper()
	var m map[string]any
	_ = json.Unmarshal([]byte(lastLine(d.t, d.outbox)), &m)
	code, _ := m["code"].(string)
	return code
}

func (d *devClient) captcha(scene string) string {
	d.t.Helper()
	if r := d.call("/captcha/createCaptcha", map[string]any{"scene": scene}); r["errCode"] != 0.0 {
		d.t.Fatalf("createCaptcha: %v", r)
	}
	return d.last()
}

func (d *devClient) sendSMS(mobile, scene string) map[string]any {
	d.t.Helper()
	return d.call("/send-sms-code/sendSmsCode", map[string]any{"mobile": mobile, "scene": scene, "captcha": d.captcha("send-sms-code")})
}

// TestAttacksReplayed replays the attacks of the hardening issue against
// the dev server `make run` starts, with its default config: each fails.
func TestAttacksReplayed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	url, stop := start(t, dir)
	defer stop()
	outbox := filepath.Join(dir, "outbox.jsonl")
	owner := newDevClient(t, url, outbox, "127.0.0.1", "owner")
	register := func(name string) {
		t.Helper()
		r := owner.call("/register/registerUser", map[string]any{"username": name, "password": "correct horse battery", "captcha": owner.captcha("register")})
		if r["errCode"] != 0.0 {
			t.Fatalf("registerUser %s: %v", name, r)
		}
	}
	for i := range 3 {
		register(fmt.Sprint("user_", i))
	}

	t.Run("password spraying from one address", func(t *testing.T) {
		x := newDevClient(t, url, outbox, "127.0.0.2", "sprayer")
		var answers []any
		for i := range 8 {
			r := x.call("/login/login", map[string]any{"username": fmt.Sprint("user_", i%3), "password": "Summer2026!"})
			answers = append(answers, r["errCode"])
		}
		if answers[5] != "uni-id-captcha-required" || answers[7] != "uni-id-captcha-required" {
			t.Errorf("one address, wrong passwords on several accounts: %v, want a captcha from the 6th", answers)
		}
		if r := owner.call("/login/login", map[string]any{"username": "user_0", "password": "correct horse battery"}); r["errCode"] != 0.0 {
			t.Errorf("the owner from elsewhere: %v", r)
		}
	})

	t.Run("strangers locking a number out", func(t *testing.T) {
		const mobile = "13800138000"
		if r := owner.sendSMS(mobile, "login-by-sms"); r["errCode"] != 0.0 {
			t.Fatalf("sendSmsCode: %v", r)
		}
		code := owner.last()
		for a := 3; a <= 6; a++ {
			x := newDevClient(t, url, outbox, fmt.Sprint("127.0.0.", a), fmt.Sprint("x", a))
			for range 3 {
				x.call("/login/loginBySms", map[string]any{"mobile": mobile, "code": "000000", "captcha": x.captcha("login-by-sms")})
			}
		}
		// 12 failures from four addresses: a captcha is asked for, the
		// owner's code still works.
		r := owner.call("/login/loginBySms", map[string]any{"mobile": mobile, "code": code})
		if r["errCode"] != "uni-id-captcha-required" {
			t.Fatalf("owner after strangers' failures: %v", r)
		}
		if r := owner.call("/login/loginBySms", map[string]any{"mobile": mobile, "code": code, "captcha": owner.captcha("login-by-sms")}); r["errCode"] != 0.0 {
			t.Errorf("owner with the captcha: %v", r)
		}
	})

	t.Run("a client-chosen appId", func(t *testing.T) {
		x := newDevClient(t, url, outbox, "127.0.0.7", "star")
		x.ci["appId"] = "*"
		r := x.call("/register/registerUser", map[string]any{"username": "star_user", "password": "correct horse battery", "captcha": x.captcha("register")})
		if r["errCode"] != 0.0 {
			t.Fatalf("registerUser: %v", r)
		}
		journal, err := os.ReadFile(filepath.Join(dir, "dynamodb.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		// Neither dcloud_appid nor register_env.appid keeps the "*".
		if bytes.Contains(journal, []byte(`{"S":"*"}`)) || !bytes.Contains(journal, []byte("star_user")) {
			t.Errorf(`appId "*" stored on an account (or the account not found in the journal)`)
		}
	})

	t.Run("malformed input", func(t *testing.T) {
		x := newDevClient(t, url, outbox, "127.0.0.8", "m")
		for _, email := range []string{"a@x.com,b@y.com", "Name<b@y.com>", "a@b@c.com"} {
			r := x.call("/send-email-code/sendEmailCode", map[string]any{"email": email, "scene": "register", "captcha": x.captcha("send-email-code")})
			if r["errCode"] != "uni-id-invalid-email" {
				t.Errorf("sendEmailCode to %q: %v", email, r)
			}
		}
		body := []byte(`{"clientInfo":{"appId":"__UNI__DEMO","uniPlatform":"web","deviceId":"m"},"params":{"username":"user_0","password":"correct horse \ud800"}}`)
		res, err := x.http.Post(url+"/login/login", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if out["errCode"] != "uni-id-invalid-param" || !strings.Contains(fmt.Sprint(out["errMsg"]), "password") {
			t.Errorf("a lone surrogate in the password: %v", out)
		}
	})
}
