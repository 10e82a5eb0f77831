package lambdafn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/idco-dev/idco/shared/cloudobj"
)

// whoami answers what the layer decoded.
func dispatcher() *cloudobj.Dispatcher {
	return &cloudobj.Dispatcher{Function: "login", Methods: cloudobj.Table{
		"login": {Handle: func(_ context.Context, c *cloudobj.Call) (any, error) {
			return map[string]any{"ip": c.SourceIP, "token": c.Token, "request": c.RequestID, "platform": c.Client.Platform, "method": c.Method}, nil
		}},
	}}
}

func urlEvent(path, body string, b64 bool, headers map[string]string) json.RawMessage {
	ev := events.LambdaFunctionURLRequest{
		RawPath: path, Body: body, IsBase64Encoded: b64, Headers: headers,
		RequestContext: events.LambdaFunctionURLRequestContext{
			RequestID: "req-9",
			HTTP:      events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST", SourceIP: "203.0.113.7", Path: path},
		},
	}
	data, _ := json.Marshal(ev)
	return data
}

func TestFunctionURLEvent(t *testing.T) {
	h := Handler(dispatcher())
	body := `{"clientInfo":{"uniPlatform":"app-plus"}}`
	cases := []struct {
		name  string
		event json.RawMessage
	}{
		{"plain", urlEvent("/login", body, false, map[string]string{"content-type": "application/json", "x-forwarded-for": "1.2.3.4", "authorization": "Bearer tok"})},
		{"base64", urlEvent("/login", base64.StdEncoding.EncodeToString([]byte(body)), true, map[string]string{"Content-Type": "application/json", "x-forwarded-for": "1.2.3.4", "Authorization": "Bearer tok"})},
	}
	for _, tc := range cases {
		out, err := h(context.Background(), tc.event)
		if err != nil {
			t.Fatal(err)
		}
		res, ok := out.(events.LambdaFunctionURLResponse)
		if !ok || res.StatusCode != 200 {
			t.Fatalf("%s: %#v", tc.name, out)
		}
		var got map[string]any
		_ = json.Unmarshal([]byte(res.Body), &got)
		want := map[string]any{"ip": "203.0.113.7", "token": "tok", "request": "req-9", "platform": "app", "errCode": 0.0}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v", tc.name, k, got[k], v)
			}
		}
	}
}

func TestFunctionURLErrors(t *testing.T) {
	h := Handler(dispatcher())
	cases := []struct {
		name   string
		event  json.RawMessage
		status int
	}{
		{"text/plain", urlEvent("/login", `{}`, false, map[string]string{"content-type": "text/plain"}), 415},
		{"unknown path method", urlEvent("/nope", `{}`, false, map[string]string{"content-type": "application/json"}), 404},
		{"root path, no method", urlEvent("/", `{}`, false, map[string]string{"content-type": "application/json"}), 400},
		{"huge base64", urlEvent("/login", strings.Repeat("A", 40000), true, map[string]string{"content-type": "application/json"}), 413},
	}
	for _, tc := range cases {
		out, _ := h(context.Background(), tc.event)
		if res := out.(events.LambdaFunctionURLResponse); res.StatusCode != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, res.StatusCode, res.Body, tc.status)
		}
	}
}

func TestRawEvent(t *testing.T) {
	h := Handler(dispatcher())
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "aws-1"})
	out, err := h(ctx, json.RawMessage(`{"method":"login","uniIdToken":"t1","params":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	_ = json.Unmarshal(out.(json.RawMessage), &got)
	if got["errCode"] != 0.0 || got["token"] != "t1" || got["request"] != "aws-1" || got["ip"] != "" {
		t.Fatalf("raw event answer = %v", got)
	}
	out, _ = h(ctx, json.RawMessage(`{"method":"login","params":{},"extra":1}`))
	if !strings.Contains(string(out.(json.RawMessage)), "uni-id-invalid-param") {
		t.Errorf("unknown field in a raw event: %s", out)
	}
}

// httpAPIEvent is an API Gateway HTTP API event (payload format 2.0) as
// template.yaml's HttpApi sends it for POST <ApiUrl>/uni-id-co/login. The
// client sent its own X-Forwarded-For; API Gateway names the connection's
// address in requestContext.http.sourceIp.
const httpAPIEvent = `{
  "version": "2.0",
  "routeKey": "POST /uni-id-co/login",
  "rawPath": "/uni-id-co/login",
  "rawQueryString": "",
  "headers": {
    "accept": "*/*",
    "authorization": "Bearer tok",
    "content-length": "42",
    "content-type": "application/json",
    "host": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
    "user-agent": "Mozilla/5.0 (iPhone) MicroMessenger/8.0.50",
    "x-amzn-trace-id": "Root=1-67a0b1c2-0123456789abcdef01234567",
    "x-forwarded-for": "198.51.100.99",
    "x-forwarded-port": "443",
    "x-forwarded-proto": "https"
  },
  "requestContext": {
    "accountId": "123456789012",
    "apiId": "a1b2c3d4e5",
    "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
    "domainPrefix": "a1b2c3d4e5",
    "http": {
      "method": "POST",
      "path": "/uni-id-co/login",
      "protocol": "HTTP/1.1",
      "sourceIp": "203.0.113.7",
      "userAgent": "Mozilla/5.0 (iPhone) MicroMessenger/8.0.50"
    },
    "requestId": "Fq1xWgYsIAMEVbA=",
    "routeKey": "POST /uni-id-co/login",
    "stage": "$default",
    "time": "25/Nov/2026:21:06:19 +0000",
    "timeEpoch": 1795647979000
  },
  "body": "{\"clientInfo\":{\"uniPlatform\":\"mp-weixin\"}}",
  "isBase64Encoded": false
}`

// TestHTTPAPIEvent: an HTTP API event decodes as a Function URL event does:
// the method is rawPath's last segment (with or without a prefix before
// /uni-id-co/, as an API mapping key or a named stage would add), the IP is
// requestContext.http.sourceIp and never X-Forwarded-For, and the answer is
// a payload 2.0 response.
func TestHTTPAPIEvent(t *testing.T) {
	h := Handler(dispatcher())
	for _, path := range []string{"/uni-id-co/login", "/v1/uni-id-co/login", "/prod/uni-id-co/login/"} {
		var ev map[string]any
		if err := json.Unmarshal([]byte(httpAPIEvent), &ev); err != nil {
			t.Fatal(err)
		}
		ev["rawPath"] = path
		ev["requestContext"].(map[string]any)["http"].(map[string]any)["path"] = path
		data, _ := json.Marshal(ev)

		out, err := h(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		// API Gateway reads the answer as a payload 2.0 response.
		raw, _ := json.Marshal(out)
		var res events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(raw, &res); err != nil || res.StatusCode != 200 || res.IsBase64Encoded {
			t.Fatalf("%s: answer %s (%v), want a 200 payload 2.0 response", path, raw, err)
		}
		var got map[string]any
		_ = json.Unmarshal([]byte(res.Body), &got)
		want := map[string]any{"method": "login", "ip": "203.0.113.7", "token": "tok", "request": "Fq1xWgYsIAMEVbA=", "platform": "mp-weixin", "errCode": 0.0}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v", path, k, got[k], v)
			}
		}
	}
}

// TestFunctionURLMangledText: a body Lambda's event carries with a lone
// surrogate escape, or with invalid UTF-8, reaches idco through Go's
// encoding/json as U+FFFD, which would make distinct passwords one: such a
// param is refused, naming it.
func TestFunctionURLMangledText(t *testing.T) {
	h := Handler(dispatcher())
	for _, body := range []string{`{\"params\":{\"password\":\"a\ud800\"}}`, `{\"params\":{\"password\":\"a\udbff\"}}`, "{\\\"params\\\":{\\\"password\\\":\\\"a\xff\\\"}}"} {
		event := `{"rawPath":"/login","body":"` + body + `","headers":{"content-type":"application/json"},` +
			`"requestContext":{"http":{"method":"POST","sourceIp":"203.0.113.7"}}}`
		out, err := h(context.Background(), json.RawMessage(event))
		if err != nil {
			t.Fatal(err)
		}
		res := out.(events.LambdaFunctionURLResponse)
		if res.StatusCode != 400 || !strings.Contains(res.Body, `"errMsg":"参数错误: password"`) {
			t.Errorf("body %q: %d %s", body, res.StatusCode, res.Body)
		}
	}
}
