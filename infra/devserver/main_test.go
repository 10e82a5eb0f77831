package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// start runs the dev server as `make run` does, on a free port, and returns
// its URL and a stop function that waits for it to finish.
func start(t *testing.T, dir string) (string, func()) {
	t.Helper()
	return startEnv(t, dir, func(string) string { return "" })
}

// startEnv is start with an environment.
func startEnv(t *testing.T, dir string, getenv func(string) string) (string, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", addr, "-data", dir}, getenv) }()
	url := "http://" + addr
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if i > 200 {
			t.Fatal("dev server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return url, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("dev server: %v", err)
		}
	}
}

func post(t *testing.T, url string, body map[string]any) map[string]any {
	t.Helper()
	data, _ := json.Marshal(body)
	res, err := http.Post(url, "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDevServer follows the README: a captcha answer from the outbox file,
// registration, and a login that still works after a restart.
func TestDevServer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ci := map[string]any{"appId": "__UNI__DEMO", "uniPlatform": "web", "deviceId": "my-laptop"}
	url, stop := start(t, dir)
	if r := post(t, url+"/captcha/createCaptcha", map[string]any{"clientInfo": ci, "params": map[string]any{"scene": "register"}}); r["errCode"] != 0.0 {
		t.Fatalf("createCaptcha: %v", r)
	}
	line := lastLine(t, filepath.Join(dir, "outbox.jsonl"))
	var msg map[string]any
	if err := json.Unmarshal([]byte(line), &msg); err != nil {
		t.Fatalf("outbox line %q: %v", line, err)
	}
	for _, k := range []string{"kind", "to", "scene", "code", "subject", "text", "time"} {
		if _, ok := msg[k]; !ok {
			t.Errorf("outbox line lacks %q: %s", k, line)
		}
	}
	if msg["kind"] != "captcha" || msg["to"] != "my-laptop" || msg["scene"] != "register" {
		t.Fatalf("outbox line = %s", line)
	}
	reg := post(t, url+"/register/registerUser", map[string]any{"clientInfo": ci,
		"params": map[string]any{"username": "alice", "password": "correct horse battery", "captcha": msg["code"]}})
	if reg["errCode"] != 0.0 {
		t.Fatalf("registerUser: %v", reg)
	}
	stop()
	if _, err := os.Stat(filepath.Join(dir, "config.json")); err != nil {
		t.Fatalf("dev config: %v", err)
	}

	url, stop = start(t, dir)
	defer stop()
	login := post(t, url+"/uni-id-co/login", map[string]any{"clientInfo": ci,
		"params": map[string]any{"username": "alice", "password": "correct horse battery"}})
	if login["errCode"] != 0.0 || login["uid"] != reg["uid"] {
		t.Fatalf("login after a restart: %v", login)
	}

	// SMS login and email registration, codes read from the outbox.
	code := func(function, method string, params map[string]any) string {
		t.Helper()
		post(t, url+"/captcha/createCaptcha", map[string]any{"clientInfo": ci, "params": map[string]any{"scene": params["captchaScene"]}})
		var cap map[string]any
		_ = json.Unmarshal([]byte(lastLine(t, filepath.Join(dir, "outbox.jsonl"))), &cap)
		params["captcha"] = cap["code"]
		delete(params, "captchaScene")
		if r := post(t, url+"/"+function+"/"+method, map[string]any{"clientInfo": ci, "params": params}); r["errCode"] != 0.0 {
			t.Fatalf("%s: %v", method, r)
		}
		var m map[string]any
		_ = json.Unmarshal([]byte(lastLine(t, filepath.Join(dir, "outbox.jsonl"))), &m)
		return m["code"].(string)
	}
	sms := code("send-sms-code", "sendSmsCode", map[string]any{"mobile": "13800138000", "scene": "login-by-sms", "captchaScene": "send-sms-code"})
	if r := post(t, url+"/login/loginBySms", map[string]any{"clientInfo": ci, "params": map[string]any{"mobile": "13800138000", "code": sms}}); r["errCode"] != 0.0 || r["type"] != "register" {
		t.Fatalf("loginBySms: %v", r)
	}
	mail := code("send-email-code", "sendEmailCode", map[string]any{"email": "bob@example.com", "scene": "register", "captchaScene": "send-email-code"})
	if r := post(t, url+"/register/registerUserByEmail", map[string]any{"clientInfo": ci, "params": map[string]any{"email": "bob@example.com", "password": "a good password", "code": mail}}); r["errCode"] != 0.0 {
		t.Fatalf("registerUserByEmail: %v", r)
	}
}

func lastLine(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var last string
	s := bufio.NewScanner(f)
	for s.Scan() {
		last = s.Text()
	}
	return last
}

// TestDevServerThirdParty runs `make run` against the fake providers: the
// endpoint variables point the clients at them.
func TestDevServerThirdParty(t *testing.T) {
	f := fakeprov.New(t)
	f.WeixinApp("wx-mp", "wx-secret")
	dir := t.TempDir()
	cfg := map[string]any{
		"tokenSecret": "0123456789abcdef0123456789abcdef",
		"mp-weixin":   map[string]any{"oauth": map[string]any{"weixin": map[string]any{"appid": "wx-mp", "appsecret": "wx-secret"}}},
		"app":         map[string]any{"oauth": map[string]any{"apple": map[string]any{"bundleId": f.AppleAudience}}},
		"idco":        map[string]any{"univerify": map[string]any{"url": f.UniverifyURL(), "secret": f.UniverifySecret}},
	}
	data, _ := json.Marshal(cfg)
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	env := f.Env()
	env["IDCO_CONFIG_FILE"] = path
	url, stop := startEnv(t, filepath.Join(dir, "data"), func(k string) string { return env[k] })
	defer stop()
	mp := map[string]any{"appId": "__UNI__DEMO", "uniPlatform": "mp-weixin", "deviceId": "m"}
	f.WeixinCode("wx-code", fakeprov.WeixinUser{AppID: "wx-mp"})
	if r := post(t, url+"/login/loginByWeixin", map[string]any{"clientInfo": mp, "params": map[string]any{"code": "wx-code"}}); r["errCode"] != 0.0 {
		t.Fatalf("loginByWeixin: %v", r)
	}
	app := map[string]any{"appId": "__UNI__DEMO", "uniPlatform": "app", "deviceId": "a"}
	if r := post(t, url+"/login/loginByApple", map[string]any{"clientInfo": app, "params": map[string]any{"identityToken": f.AppleToken("apple-sub", "", "")}}); r["errCode"] != 0.0 {
		t.Fatalf("loginByApple: %v", r)
	}
	f.UniverifyToken("at", "oid", "13800138000")
	if r := post(t, url+"/login/loginByUniverify", map[string]any{"clientInfo": app, "params": map[string]any{"access_token": "at", "openid": "oid"}}); r["errCode"] != 0.0 {
		t.Fatalf("loginByUniverify: %v", r)
	}
	types := post(t, url+"/login-types/getSupportedLoginType", map[string]any{"clientInfo": mp})
	if !strings.Contains(fmt.Sprint(types["supportedLoginType"]), "weixin") {
		t.Errorf("supportedLoginType on mp-weixin: %v", types)
	}
}

// TestServerLimits: a client that never finishes its headers is cut off,
// and oversized headers are refused, so a few slow or huge requests
// cannot hold the dev server.
func TestServerLimits(t *testing.T) {
	readHeaderTimeout = 200 * time.Millisecond
	t.Cleanup(func() { readHeaderTimeout = 5 * time.Second })
	url, stop := start(t, t.TempDir())
	defer stop()
	addr := strings.TrimPrefix(url, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "POST /login/login HTTP/1.1\r\nHost: x\r\n")
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("a client stalled in its headers was not cut off: %v", err)
	}
	req, _ := http.NewRequest("POST", url+"/login/login", strings.NewReader("{}"))
	req.Header.Set("X-Big", strings.Repeat("a", 64<<10))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("64 KiB of headers: %d", res.StatusCode)
	}
}
