package univerify

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// harness runs proxy.js once per event with a stubbed uniCloud global and a
// stubbed uni-config-center, and prints the function's result and the
// arguments getPhoneNumber received.
const harness = `'use strict'
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'))
const calls = []
global.uniCloud = {
  getPhoneNumber: async (args) => {
    calls.push(args)
    if (input.throws) throw Object.assign(new Error('stub failure'), input.throws)
    return input.result
  }
}
require('./proxy.js').main(input.event, {}).then((out) => {
  process.stdout.write(JSON.stringify({ out, calls }))
})
`

const configStub = `module.exports = () => ({ config: () => JSON.parse(process.env.IDCO_PROXY_CONFIG) })`

// nodeProxy is an httptest server that hands each request to proxy.js the
// way uniCloud's URL access does (an "integrated request" event) and
// writes back its "integrated response".
type nodeProxy struct {
	t      *testing.T
	dir    string
	base64 bool                     // deliver the body base64-encoded
	mutate func(body []byte) []byte // tamper with the body in transit
	stub   map[string]any           // "result" or "throws" for getPhoneNumber
	mu     sync.Mutex
	calls  []map[string]any
}

func newNodeProxy(t *testing.T) *nodeProxy {
	t.Helper()
	_, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH")
	}
	dir := t.TempDir()
	src, err := os.ReadFile("proxy.js")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"proxy.js":   string(src),
		"harness.js": harness,
		"node_modules/uni-config-center/index.js": configStub,
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &nodeProxy{t: t, dir: dir}
}

func (p *nodeProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if p.mutate != nil {
		body = p.mutate(body)
	}
	headers := map[string]string{}
	for k := range r.Header {
		headers[strings.ToLower(k)] = r.Header.Get(k)
	}
	event := map[string]any{"path": "/", "httpMethod": r.Method, "headers": headers,
		"queryStringParameters": map[string]string{}, "body": string(body), "isBase64Encoded": p.base64}
	if p.base64 {
		event["body"] = base64.StdEncoding.EncodeToString(body)
	}
	input := map[string]any{"event": event}
	for k, v := range p.stub {
		input[k] = v
	}
	stdin, _ := json.Marshal(input)

	cmd := exec.CommandContext(r.Context(), "node", "harness.js")
	cmd.Dir = p.dir
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Env = append(os.Environ(), `IDCO_PROXY_CONFIG={"secret":"`+testSecret+`","apiKey":"ak","apiSecret":"as"}`)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		p.t.Errorf("node: %v\n%s", err, stderr.String())
		http.Error(w, "harness failed", http.StatusInternalServerError)
		return
	}
	var res struct {
		Out struct {
			StatusCode int               `json:"statusCode"`
			Headers    map[string]string `json:"headers"`
			Body       string            `json:"body"`
		} `json:"out"`
		Calls []map[string]any `json:"calls"`
	}
	if err := json.Unmarshal(stdout, &res); err != nil {
		p.t.Errorf("harness output %q: %v", stdout, err)
		return
	}
	p.mu.Lock()
	p.calls = append(p.calls, res.Calls...)
	p.mu.Unlock()
	for k, v := range res.Out.Headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(res.Out.StatusCode)
	io.WriteString(w, res.Out.Body)
}

// TestProxyJS proves proxy.js and Client agree on the protocol: the proxy
// accepts idco's signed request and idco accepts the proxy's signed answer,
// while tampered, stale and wrongly keyed requests never reach uniCloud.
func TestProxyJS(t *testing.T) {
	ok := map[string]any{"result": map[string]any{"code": 0, "message": "", "phoneNumber": "13800138000"}}
	tests := []struct {
		name    string
		setup   func(p *nodeProxy, c *Client)
		want    string
		wantErr func(error) bool
		called  bool
	}{
		{name: "valid", want: "13800138000", called: true},
		{name: "base64 body", setup: func(p *nodeProxy, _ *Client) { p.base64 = true }, want: "13800138000", called: true},
		{name: "tampered body", setup: func(p *nodeProxy, _ *Client) {
			p.mutate = func(b []byte) []byte { return bytes.Replace(b, []byte(`"openid":"oid"`), []byte(`"openid":"evil"`), 1) }
		}, wantErr: isErr(ErrUnauthorized)},
		{name: "stale", setup: func(_ *nodeProxy, c *Client) {
			c.Now = func() time.Time { return time.Now().Add(-6 * time.Minute) }
		}, wantErr: isErr(ErrUnauthorized)},
		{name: "from the future", setup: func(_ *nodeProxy, c *Client) {
			c.Now = func() time.Time { return time.Now().Add(6 * time.Minute) }
		}, wantErr: isErr(ErrUnauthorized)},
		{name: "wrong secret", setup: func(_ *nodeProxy, c *Client) { c.Secret = strings.Repeat("k", 40) },
			wantErr: isErr(ErrUnauthorized)},
		{name: "operator refuses", setup: func(p *nodeProxy, _ *Client) {
			p.stub = map[string]any{"result": map[string]any{"code": 40047, "message": "一键登录取号失败"}}
		}, wantErr: isCode(40047), called: true},
		{name: "getPhoneNumber throws a code", setup: func(p *nodeProxy, _ *Client) {
			p.stub = map[string]any{"throws": map[string]any{"errCode": 4001}}
		}, wantErr: isCode(4001), called: true},
		{name: "getPhoneNumber throws", setup: func(p *nodeProxy, _ *Client) {
			p.stub = map[string]any{"throws": map[string]any{}}
		}, wantErr: IsRetryable, called: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newNodeProxy(t)
			p.stub = ok
			srv := httptest.NewServer(p)
			defer srv.Close()
			c := &Client{URL: srv.URL, Secret: testSecret, AppID: "__UNI__ABCDEF", HTTP: srv.Client(), Timeout: 10 * time.Second}
			if tt.setup != nil {
				tt.setup(p, c)
			}
			got, err := c.PhoneNumber(t.Context(), "tok", "oid")
			switch {
			case tt.wantErr == nil && (err != nil || got != tt.want):
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			case tt.wantErr != nil && (err == nil || !tt.wantErr(err)):
				t.Fatalf("got %q, %v; want another error", got, err)
			}
			p.mu.Lock()
			defer p.mu.Unlock()
			if called := len(p.calls) > 0; called != tt.called {
				t.Fatalf("getPhoneNumber called: %v, want %v", called, tt.called)
			}
			if tt.called {
				want := map[string]any{"provider": "univerify", "appid": "__UNI__ABCDEF", "apiKey": "ak",
					"apiSecret": "as", "access_token": "tok", "openid": "oid"}
				for k, v := range want {
					if p.calls[0][k] != v {
						t.Errorf("getPhoneNumber %s = %v, want %v", k, p.calls[0][k], v)
					}
				}
			}
		})
	}
}

// TestProxyJSRefusesWithoutSecret checks that a proxy deployed without a
// secret refuses everything instead of accepting an empty HMAC key.
func TestProxyJSRefusesWithoutSecret(t *testing.T) {
	p := newNodeProxy(t)
	cmd := exec.CommandContext(t.Context(), "node", "harness.js")
	cmd.Dir = p.dir
	cmd.Stdin = strings.NewReader(`{"event":{"headers":{},"body":"{}","isBase64Encoded":false}}`)
	cmd.Env = append(os.Environ(), `IDCO_PROXY_CONFIG={"secret":""}`)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Fatalf("node: %v\n%s", err, ee.Stderr)
	}
	if !bytes.Contains(out, []byte(`"statusCode":500`)) || bytes.Contains(out, []byte(`"calls":[{`)) {
		t.Fatalf("proxy without secret answered %s", out)
	}
}
