package cloudobj

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/apierr"
)

type echoParams struct {
	Name  string `json:"name"`
	Count *int   `json:"count"`
}

// fakeAuth accepts the token "good" as user u1 with the roles in its name.
type fakeAuth struct{ roles, perms []string }

func (fakeAuth) Rule(_ *Call, def Access) Access { return def }

func (f fakeAuth) Authenticate(_ context.Context, c *Call, refresh bool) error {
	if c.Token != "good" {
		return apierr.New(apierr.CheckTokenFailed)
	}
	c.Auth = &Auth{UID: "u1", Role: f.roles, Permission: f.perms}
	if refresh {
		c.NewToken = &NewToken{Token: "fresh", TokenExpired: 1}
	}
	return nil
}

func testDispatcher(auth Authenticator, log *bytes.Buffer) *Dispatcher {
	echo := func(_ context.Context, c *Call, p *echoParams) (any, error) {
		return map[string]any{"name": p.Name, "locale": c.Locale, "ip": c.SourceIP}, nil
	}
	return &Dispatcher{
		Function: "login",
		Methods: Table{
			"login":     Bind(Anyone, echo),
			"mine":      Bind(LoggedIn, echo),
			"staff":     Bind(Access{Roles: []string{"staff"}}, echo),
			"audit":     Bind(Access{Roles: []string{"staff"}, Permissions: []string{"audit"}}, echo),
			"quiet":     Bind(Access{Login: true, NoRefresh: true}, echo),
			"fail":      {Handle: func(context.Context, *Call) (any, error) { return nil, apierr.Systemf("boom %s", "secret-cause") }},
			"badresult": {Handle: func(context.Context, *Call) (any, error) { return []int{1}, nil }},
			"paramCheck": Bind(Anyone, func(context.Context, *Call, *echoParams) (any, error) {
				return nil, apierr.Param(apierr.ParamRequired, "name")
			}),
		},
		Auth:   auth,
		Logger: slog.New(slog.NewJSONHandler(log, nil)),
	}
}

func serve(t *testing.T, d *Dispatcher, in Input) (int, map[string]any) {
	t.Helper()
	if in.HTTPMethod == "" {
		in.HTTPMethod = "POST"
	}
	out := d.Serve(context.Background(), in)
	var body map[string]any
	if err := json.Unmarshal(out.Body, &body); err != nil {
		t.Fatalf("envelope is not JSON: %s", out.Body)
	}
	return out.Status, body
}

func TestServe(t *testing.T) {
	var log bytes.Buffer
	d := testDispatcher(fakeAuth{roles: []string{"staff"}}, &log)
	cases := []struct {
		name       string
		in         Input
		wantStatus int
		wantCode   any
		wantMsg    string
	}{
		{"ok body method", Input{Body: []byte(`{"method":"login","params":{"name":"a"}}`)}, 200, 0.0, ""},
		{"ok path method", Input{PathMethod: "login", Body: []byte(`{"params":{"name":"a"}}`)}, 200, 0.0, ""},
		{"ok params array", Input{PathMethod: "login", Body: []byte(`{"params":[{"name":"a"}]}`)}, 200, 0.0, ""},
		{"empty body", Input{PathMethod: "login"}, 200, 0.0, ""},
		{"no method", Input{Body: []byte(`{}`)}, 400, "uni-id-param-required", "缺少参数: method"},
		{"path and body disagree", Input{PathMethod: "login", Body: []byte(`{"method":"mine"}`)}, 400, "uni-id-invalid-param", "参数错误: method"},
		{"unknown method", Input{PathMethod: "nope"}, 404, "uni-id-method-not-found", "方法不存在: nope"},
		{"other family", Input{PathMethod: "registerUser"}, 404, "uni-id-wrong-function", "方法 registerUser 由云函数 register 提供"},
		{"method no family serves", Input{PathMethod: "loginByDingtalk"}, 404, "uni-id-method-not-found", "方法不存在: loginByDingtalk"},
		{"too large", Input{PathMethod: "login", Body: bytes.Repeat([]byte(" "), MaxBody+1)}, 413, "uni-id-payload-too-large", ""},
		{"bad json", Input{PathMethod: "login", Body: []byte(`{"params":`)}, 400, "uni-id-invalid-param", ""},
		{"bad utf8", Input{PathMethod: "login", Body: []byte("{\"params\":{\"name\":\"\xff\"}}")}, 400, "uni-id-invalid-param", "参数错误: name"},
		{"duplicate key", Input{PathMethod: "login", Body: []byte(`{"params":{"name":"a","name":"b"}}`)}, 400, "uni-id-invalid-param", "参数错误: name"},
		{"unknown top field", Input{PathMethod: "login", Body: []byte(`{"x":1}`)}, 400, "uni-id-invalid-param", "参数错误: x"},
		{"unknown param ignored", Input{PathMethod: "login", Body: []byte(`{"params":{"nam":"a","errMsg":"getPhoneNumber:ok"}}`)}, 200, 0.0, ""},
		{"lone surrogate", Input{PathMethod: "login", Body: []byte(`{"params":{"name":"\ud800"}}`)}, 400, "uni-id-invalid-param", "参数错误: name"},
		{"lone low surrogate", Input{PathMethod: "login", Body: []byte(`{"params":{"name":"a\udc00b"}}`)}, 400, "uni-id-invalid-param", "参数错误: name"},
		{"two high surrogates", Input{PathMethod: "login", Body: []byte(`{"params":[{"name":"\ud800\ud800"}]}`)}, 400, "uni-id-invalid-param", "参数错误: name"},
		{"surrogate in a name", Input{PathMethod: "login", Body: []byte(`{"params":{"\ud800":"a"}}`)}, 400, "uni-id-invalid-param", "参数错误: params"},
		{"cesu-8 surrogate", Input{PathMethod: "login", Body: []byte("{\"params\":{\"name\":\"\xed\xa0\x80\"}}")}, 400, "uni-id-invalid-param", "参数错误: name"},
		{"replacement char in params", Input{PathMethod: "login", Body: []byte(`{"params":{"name":"a\ufffd"}}`)}, 400, "uni-id-invalid-param", "参数错误: name"},
		{"replacement char raw", Input{PathMethod: "login", Body: []byte("{\"params\":{\"name\":\"a\xef\xbf\xbd\"}}")}, 400, "uni-id-invalid-param", "参数错误: name"},
		{"replacement char in clientInfo ok", Input{PathMethod: "login", Body: []byte(`{"clientInfo":{"deviceModel":"\ufffd","userAgent":"x\ufffd"}}`)}, 200, 0.0, ""},
		{"unknown param wrong type ignored", Input{PathMethod: "login", Body: []byte(`{"params":{"extra":{"a":[1]}}}`)}, 200, 0.0, ""},
		{"wrong type", Input{PathMethod: "login", Body: []byte(`{"params":{"name":1}}`)}, 400, "uni-id-invalid-param", "参数错误: name"},
		{"wrong type english", Input{PathMethod: "login", Body: []byte(`{"params":{"name":1},"clientInfo":{"locale":"en"}}`)}, 400, "uni-id-invalid-param", "Invalid parameter: name"},
		{"wrong type number", Input{PathMethod: "login", Body: []byte(`{"params":{"count":"1"}}`)}, 400, "uni-id-invalid-param", "参数错误: count"},
		{"wrong type in array form", Input{PathMethod: "login", Body: []byte(`{"params":[{"count":true}]}`)}, 400, "uni-id-invalid-param", "参数错误: count"},
		{"params not object", Input{PathMethod: "login", Body: []byte(`{"params":"x"}`)}, 400, "uni-id-invalid-param", "参数错误: params"},
		{"params array of two", Input{PathMethod: "login", Body: []byte(`{"params":[{},{}]}`)}, 400, "uni-id-invalid-param", "参数错误: params"},
		{"method wrong type", Input{Body: []byte(`{"method":1}`)}, 400, "uni-id-invalid-param", "参数错误: method"},
		{"two values", Input{PathMethod: "login", Body: []byte(`{} {}`)}, 400, "uni-id-invalid-param", ""},
		{"control char", Input{PathMethod: "login", Body: []byte(`{"params":{"name":"a\u0000b"}}`)}, 400, "uni-id-invalid-param", "参数错误: name"},
		{"control char in an odd name", Input{PathMethod: "login", Body: []byte(`{"params":{"a\u0000<b>":"x"}}`)}, 400, "uni-id-invalid-param", "参数错误: params"},
		{"bidi override", Input{PathMethod: "login", Body: []byte(`{"params":{"name":"a\u202eb"}}`)}, 400, "uni-id-invalid-param", "参数错误: name"},
		{"arabic letter mark", Input{PathMethod: "login", Body: []byte(`{"params":{"name":"a\u061cb"}}`)}, 400, "uni-id-invalid-param", "参数错误: name"},
		{"deep nesting", Input{PathMethod: "login", Body: []byte(`{"params":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`)}, 400, "uni-id-invalid-param", ""},
		{"clientInfo wrong type", Input{PathMethod: "login", Body: []byte(`{"clientInfo":{"appId":5}}`)}, 400, "uni-id-invalid-param", "参数错误: clientInfo.appId"},
		{"clientInfo version code object", Input{PathMethod: "login", Body: []byte(`{"clientInfo":{"appVersionCode":{"a":1}}}`)}, 400, "uni-id-invalid-param", "参数错误: clientInfo.appVersionCode"},
		{"clientInfo control char", Input{PathMethod: "login", Body: []byte(`{"clientInfo":{"deviceId":"a\u0007"}}`)}, 400, "uni-id-invalid-param", "参数错误: clientInfo.deviceId"},
		{"clientInfo deviceId too long", Input{PathMethod: "login", Body: []byte(`{"clientInfo":{"deviceId":"` + strings.Repeat("d", 129) + `"}}`)}, 400, "uni-id-invalid-param", "参数错误: clientInfo.deviceId"},
		{"clientInfo uniPlatform too long", Input{PathMethod: "login", Body: []byte(`{"clientInfo":{"uniPlatform":"` + strings.Repeat("p", 65) + `"}}`)}, 400, "uni-id-invalid-param", "参数错误: clientInfo.uniPlatform"},
		{"clientInfo long userAgent cut", Input{PathMethod: "login", Body: []byte(`{"clientInfo":{"userAgent":"` + strings.Repeat("u", 10000) + `"}}`)}, 200, 0.0, ""},
		{"clientInfo unknown keys ok", Input{PathMethod: "login", Body: []byte(`{"clientInfo":{"appId":"a","uniCompileVersion":"4.0","appVersionCode":100}}`)}, 200, 0.0, ""},
		{"http text/plain", Input{HTTP: true, ContentType: "text/plain", PathMethod: "login"}, 415, "uni-id-unsupported-request", ""},
		{"http GET", Input{HTTP: true, HTTPMethod: "GET", ContentType: "application/json", PathMethod: "login"}, 415, "uni-id-unsupported-request", ""},
		{"login needed", Input{PathMethod: "mine"}, 401, "uni-id-check-token-failed", "token校验未通过"},
		{"system error", Input{PathMethod: "fail"}, 500, "uni-id-system-error", "系统错误"},
		{"result not object", Input{PathMethod: "badresult"}, 500, "uni-id-system-error", ""},
		{"placeholder", Input{PathMethod: "paramCheck"}, 400, "uni-id-param-required", "缺少参数: name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := serve(t, d, tc.in)
			if status != tc.wantStatus || body["errCode"] != tc.wantCode {
				t.Fatalf("got %d %v, want %d %v (%v)", status, body["errCode"], tc.wantStatus, tc.wantCode, body)
			}
			if tc.wantMsg != "" && body["errMsg"] != tc.wantMsg {
				t.Errorf("errMsg = %q, want %q", body["errMsg"], tc.wantMsg)
			}
			if tc.wantCode != 0.0 && body["requestId"] == nil {
				t.Errorf("error envelope without requestId: %v", body)
			}
		})
	}
	if strings.Contains(log.String(), "secret-cause") == false {
		t.Errorf("the log line should carry the cause of a system error")
	}
}

// TestExactCaseKeys: a key differing only in case is an unknown key, never
// an alias, so it can neither set a field nor override the real one.
func TestExactCaseKeys(t *testing.T) {
	var log bytes.Buffer
	d := testDispatcher(fakeAuth{}, &log)
	d.Logger = slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cases := []struct {
		name, body, wantName, wantLocale string
	}{
		{"upper-case param only", `{"params":{"NAME":"mallory"}}`, "", "zh-Hans"},
		{"both cases", `{"params":{"NAME":"mallory","name":"alice"}}`, "alice", "zh-Hans"},
		{"both cases, upper last", `{"params":{"name":"alice","Name":"mallory"}}`, "alice", "zh-Hans"},
		{"clientInfo LOCALE ignored", `{"clientInfo":{"LOCALE":"zh-Hans","locale":"en"}}`, "", "en"},
		{"clientInfo LOCALE alone", `{"clientInfo":{"LOCALE":"en"}}`, "", "zh-Hans"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := serve(t, d, Input{PathMethod: "login", Body: []byte(tc.body)})
			if status != 200 || body["name"] != tc.wantName || body["locale"] != tc.wantLocale {
				t.Fatalf("got %d name=%v locale=%v, want name=%q locale=%q", status, body["name"], body["locale"], tc.wantName, tc.wantLocale)
			}
		})
	}
	if !strings.Contains(log.String(), `"clientInfo.LOCALE"`) {
		t.Errorf("ignored clientInfo names not logged: %s", log.String())
	}
	if !strings.Contains(log.String(), `"msg":"ignored params"`) || !strings.Contains(log.String(), `"names":["NAME"]`) {
		t.Errorf("ignored names not logged at debug level: %s", log.String())
	}
	if strings.Contains(log.String(), "mallory") {
		t.Errorf("an ignored value reached the log: %s", log.String())
	}
}

func TestServeNeverLeaksCause(t *testing.T) {
	d := testDispatcher(fakeAuth{}, &bytes.Buffer{})
	out := d.Serve(context.Background(), Input{PathMethod: "fail"})
	if strings.Contains(string(out.Body), "secret-cause") {
		t.Fatalf("cause sent to the client: %s", out.Body)
	}
}

func TestLocale(t *testing.T) {
	d := testDispatcher(fakeAuth{}, &bytes.Buffer{})
	cases := []struct {
		client, accept, want string
	}{
		{"en", "", "Method not found: nope"},
		{"en-US", "", "Method not found: nope"},
		{"", "en-GB,en;q=0.9", "Method not found: nope"},
		{"zh-Hans", "en", "方法不存在: nope"},
		{"", "", "方法不存在: nope"},
		{"fr", "", "方法不存在: nope"},
	}
	for _, tc := range cases {
		body := `{"clientInfo":{"locale":"` + tc.client + `"}}`
		_, got := serve(t, d, Input{PathMethod: "nope", Body: []byte(body),
			Header: func(h string) string {
				if h == "Accept-Language" {
					return tc.accept
				}
				return ""
			}})
		if got["errMsg"] != tc.want {
			t.Errorf("locale %q / %q: errMsg %q, want %q", tc.client, tc.accept, got["errMsg"], tc.want)
		}
	}
}

func TestTokenSources(t *testing.T) {
	d := testDispatcher(fakeAuth{}, &bytes.Buffer{})
	hdr := func(name, value string) func(string) string {
		return func(h string) string {
			if strings.EqualFold(h, name) {
				return value
			}
			return ""
		}
	}
	cases := []struct {
		name string
		in   Input
	}{
		{"body", Input{Body: []byte(`{"uniIdToken":"good"}`)}},
		{"bearer", Input{Header: hdr("Authorization", "Bearer good")}},
		{"bearer lower", Input{Header: hdr("Authorization", "bearer good")}},
		{"uni-id-token header", Input{Header: hdr("uni-id-token", "good")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.PathMethod = "mine"
			if status, body := serve(t, d, tc.in); status != 200 {
				t.Errorf("%s: %d %v", tc.name, status, body)
			}
		})
	}
}

func TestAccessRules(t *testing.T) {
	cases := []struct {
		name        string
		roles       []string
		perms       []string
		method      string
		wantCode    any
		wantRefresh bool
	}{
		{"logged in gets newToken", nil, nil, "mine", 0.0, true},
		{"no refresh for logout-like", nil, nil, "quiet", 0.0, false},
		// A rotated session's token must reach the client even when the
		// method then fails, or the client is logged out after the grace.
		{"role missing", []string{"user"}, nil, "staff", "uni-id-permission-error", true},
		{"role present", []string{"staff"}, nil, "staff", 0.0, true},
		{"role without permission", []string{"staff"}, nil, "audit", "uni-id-permission-error", true},
		{"role and permission", []string{"staff"}, []string{"audit"}, "audit", 0.0, true},
		{"permission without role", []string{"user"}, []string{"audit"}, "audit", "uni-id-permission-error", true},
		{"admin passes", []string{"admin"}, nil, "audit", 0.0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := testDispatcher(fakeAuth{roles: tc.roles, perms: tc.perms}, &bytes.Buffer{})
			_, body := serve(t, d, Input{PathMethod: tc.method, Body: []byte(`{"uniIdToken":"good"}`)})
			if body["errCode"] != tc.wantCode {
				t.Fatalf("errCode = %v, want %v", body["errCode"], tc.wantCode)
			}
			if _, got := body["newToken"]; got != tc.wantRefresh {
				t.Errorf("newToken present = %v, want %v", got, tc.wantRefresh)
			}
		})
	}
}

func TestLogLine(t *testing.T) {
	var log bytes.Buffer
	d := testDispatcher(fakeAuth{}, &log)
	d.Serve(context.Background(), Input{PathMethod: "login", SourceIP: "10.0.0.9", RequestID: "req-1",
		Body: []byte(`{"params":{"name":"x"},"uniIdToken":"tok-secret"}`)})
	var line map[string]any
	if err := json.Unmarshal(log.Bytes(), &line); err != nil {
		t.Fatalf("log is not one JSON line: %q", log.String())
	}
	for k, want := range map[string]any{"requestId": "req-1", "function": "login", "method": "login", "errCode": "0", "ip": "10.0.0.9"} {
		if line[k] != want {
			t.Errorf("log %s = %v, want %v", k, line[k], want)
		}
	}
	if _, ok := line["durationMs"]; !ok {
		t.Errorf("log line without durationMs")
	}
	if strings.Contains(log.String(), "tok-secret") {
		t.Errorf("token in the log")
	}
}

func TestNormalizePlatform(t *testing.T) {
	for in, want := range map[string]string{"app-plus": "app", "app-android": "app", "app-ios": "app", "app": "app",
		"h5": "web", "web": "web", "": "web", "mp-weixin": "mp-weixin"} {
		if got := NormalizePlatform(in); got != want {
			t.Errorf("NormalizePlatform(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzServe(f *testing.F) {
	for _, s := range []string{`{"method":"login","params":{"name":"a"}}`, `{"params":[{"count":1}]}`, `{"clientInfo":{"appId":"x"}}`, `[`, "\xff"} {
		f.Add([]byte(s))
	}
	d := testDispatcher(fakeAuth{}, &bytes.Buffer{})
	f.Fuzz(func(t *testing.T, body []byte) {
		out := d.Serve(context.Background(), Input{PathMethod: "login", Body: body})
		if !json.Valid(out.Body) {
			t.Fatalf("envelope is not JSON for %q: %s", body, out.Body)
		}
		if out.Status == 500 {
			t.Fatalf("system error for %q: %s", body, out.Body)
		}
	})
}
