package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Resp is a decoded response.
type Resp struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

// Code returns errCode as a string ("0" for success).
func (r Resp) Code() string {
	switch v := r.Body["errCode"].(type) {
	case string:
		return v
	case float64:
		if v == 0 {
			return "0"
		}
	}
	return "?"
}

// Token returns newToken.token, or "".
func (r Resp) Token() string {
	nt, _ := r.Body["newToken"].(map[string]any)
	s, _ := nt["token"].(string)
	return s
}

// Client is a uni-app client: its clientInfo and its current token.
type Client struct {
	AppID, Platform, DeviceID, Locale string
	Token                             string
	// From is the loopback address (127.0.0.2, ...) the client connects
	// from, so tests can play several sources; "" is the default.
	From string
}

// httpClient returns an HTTP client whose connections come from addr
// ("": the default client).
func httpClient(addr string) *http.Client {
	if addr == "" {
		return http.DefaultClient
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// NewClient returns a web client of app __UNI__TEST with deviceID.
func NewClient(deviceID string) *Client {
	return &Client{AppID: "__UNI__TEST", Platform: "web", DeviceID: deviceID}
}

// Do posts a raw body to path and decodes the answer.
func (e *Env) Do(t testing.TB, path string, body []byte, header map[string]string) Resp {
	t.Helper()
	return e.DoFrom(t, "", path, body, header)
}

// DoFrom is Do from the loopback address from ("": the default).
func (e *Env) DoFrom(t testing.TB, from, path string, body []byte, header map[string]string) Resp {
	t.Helper()
	req, err := http.NewRequest("POST", e.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := httpClient(from).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := Resp{Status: res.StatusCode, Header: res.Header, Raw: string(raw)}
	if err := json.Unmarshal(raw, &r.Body); err != nil {
		t.Fatalf("%s: answer is not JSON: %s", path, raw)
	}
	return r
}

// Call invokes method on function as c, with params, and keeps any newToken.
func (e *Env) Call(t testing.TB, c *Client, function, method string, params any) Resp {
	t.Helper()
	body := map[string]any{
		"clientInfo": map[string]any{"appId": c.AppID, "uniPlatform": c.Platform, "deviceId": c.DeviceID, "locale": c.Locale},
	}
	if params != nil {
		body["params"] = params
	}
	if c.Token != "" {
		body["uniIdToken"] = c.Token
	}
	data, _ := json.Marshal(body)
	r := e.DoFrom(t, c.From, "/"+function+"/"+method, data, nil)
	if tok := r.Token(); tok != "" {
		c.Token = tok
	}
	return r
}

// Captcha makes a captcha for c and scene and returns its answer, read
// from the outbox as a person would read the picture.
func (e *Env) Captcha(t testing.TB, c *Client, scene string) string {
	t.Helper()
	r := e.Call(t, c, "captcha", "createCaptcha", map[string]any{"scene": scene})
	if r.Code() != "0" {
		t.Fatalf("createCaptcha: %s", r.Raw)
	}
	m, ok := e.Outbox.Last("captcha", c.DeviceID)
	if !ok || m.Scene != scene {
		t.Fatalf("no captcha in the outbox for %s", c.DeviceID)
	}
	return m.Code
}

// Register registers username with pw as c and fails the test otherwise.
func (e *Env) Register(t testing.TB, c *Client, username, pw string) Resp {
	t.Helper()
	r := e.Call(t, c, "register", "registerUser", map[string]any{
		"username": username, "password": pw, "captcha": e.Captcha(t, c, "register")})
	if r.Code() != "0" {
		t.Fatalf("registerUser %s: %s", username, r.Raw)
	}
	return r
}

// RegisterAdmin creates the first administrator over the network: the
// setup secret and a captcha.
func (e *Env) RegisterAdmin(t testing.TB, c *Client, username, pw string) Resp {
	t.Helper()
	return e.Call(t, c, "register", "registerAdmin", map[string]any{"username": username, "password": pw,
		"setupSecret": SetupSecret, "captcha": e.Captcha(t, c, "register")})
}

// ItemCount returns the number of items in each table, for "nothing
// written" checks.
func (e *Env) ItemCount(t testing.TB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, name := range []string{e.Names.Users, e.Names.Keys, e.Names.Ephemeral} {
		out[name] = len(e.Scan(t, name))
	}
	return out
}

// Scan returns every item of a table.
func (e *Env) Scan(t testing.TB, table string) []map[string]any {
	t.Helper()
	var items []map[string]any
	var start map[string]types.AttributeValue
	for {
		out, err := e.DB.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table), ExclusiveStartKey: start})
		if err != nil {
			t.Fatalf("scan %s: %v", table, err)
		}
		for _, it := range out.Items {
			var m map[string]any
			if err := attributevalue.UnmarshalMap(it, &m); err != nil {
				t.Fatal(err)
			}
			items = append(items, m)
		}
		if out.LastEvaluatedKey == nil {
			return items
		}
		start = out.LastEvaluatedKey
	}
}

// SendSMS asks for an SMS code for scene as c and returns the code the
// provider was given.
func (e *Env) SendSMS(t testing.TB, c *Client, mobile, scene string) string {
	t.Helper()
	r := e.Call(t, c, "send-sms-code", "sendSmsCode", map[string]any{"mobile": mobile, "scene": scene, "captcha": e.Captcha(t, c, "send-sms-code")})
	if r.Code() != "0" {
		t.Fatalf("sendSmsCode: %s", r.Raw)
	}
	m, ok := e.Sent.LastSMS("+86" + mobile)
	if !ok || m.Scene != scene {
		t.Fatalf("no SMS to %s for %s", mobile, scene)
	}
	return m.Code
}

// SendEmail asks for an email code for scene as c and returns the code.
func (e *Env) SendEmail(t testing.TB, c *Client, email, scene string) string {
	t.Helper()
	r := e.Call(t, c, "send-email-code", "sendEmailCode", map[string]any{"email": email, "scene": scene, "captcha": e.Captcha(t, c, "send-email-code")})
	if r.Code() != "0" {
		t.Fatalf("sendEmailCode: %s", r.Raw)
	}
	m, ok := e.Sent.LastEmail(email)
	if !ok || m.Scene != scene {
		t.Fatalf("no email to %s for %s", email, scene)
	}
	return m.Code
}
