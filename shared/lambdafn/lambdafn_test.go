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
			return map[string]any{"ip": c.SourceIP, "token": c.Token, "request": c.RequestID, "platform": c.Client.Platform}, nil
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
