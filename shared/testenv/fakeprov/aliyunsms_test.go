package fakeprov_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/internal/acs3"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// collect makes a fake's Report collect what it refuses, instead of
// failing the test, and returns what was reported since the last call.
func collect(report *func(format string, args ...any)) func() string {
	ch := make(chan string, 64)
	*report = func(format string, args ...any) { ch <- fmt.Sprintf(format, args...) }
	return func() string {
		var got []string
		for {
			select {
			case r := <-ch:
				got = append(got, r)
			default:
				return strings.Join(got, "; ")
			}
		}
	}
}

// aliyunCall is one SendSms as sendSms makes it; zero fields take the
// genuine values.
type aliyunCall struct {
	key     acs3.Key
	action  string
	params  [][2]string
	at      time.Time
	nonce   string
	timeout time.Duration
}

// aliyunAPI sends an Aliyun fake RPC calls signed by idco's own ACS3
// signer: the genuine call of one action, or what a call changes.
type aliyunAPI struct {
	t               *testing.T
	url             string
	client          *http.Client
	key             fakeprov.ACS3Key
	action, version string
	genuine         [][2]string
	nonces          int
}

// do sends c, the genuine call but for what c sets (a fresh nonce each
// time unless c names one).
func (a *aliyunAPI) do(c aliyunCall) (*http.Response, error) {
	a.t.Helper()
	if c.key == (acs3.Key{}) {
		c.key = acs3.Key{ID: a.key.ID, Secret: a.key.Secret}
	}
	if c.action == "" {
		c.action = a.action
	}
	if c.params == nil {
		c.params = a.genuine
	}
	if c.at.IsZero() {
		c.at = time.Now()
	}
	if c.nonce == "" {
		a.nonces++
		c.nonce = fmt.Sprintf("nonce-%d", a.nonces)
	}
	base, _ := url.Parse(a.url + "/")
	req, err := acs3.NewRequest(a.t.Context(), base, c.key, acs3.RPC{Action: c.action, Version: a.version, Params: c.params}, c.at, c.nonce)
	if err != nil {
		a.t.Fatal(err)
	}
	hc := *a.client
	hc.Timeout = c.timeout
	return hc.Do(req)
}

// aliyunRefusal is a call an Aliyun fake must refuse, with the HTTP
// status and code it answers.
type aliyunRefusal struct {
	name   string
	call   aliyunCall
	status int
	code   string
}

// gatewayRefusals are what Aliyun's gateway refuses before any API runs
// (fakeprov.ACS3Gate): a wrong secret or key, a stale date, a replayed
// nonce (the first genuine call's), another action of the product.
func gatewayRefusals(key fakeprov.ACS3Key, otherAction string) []aliyunRefusal {
	return []aliyunRefusal{
		{"another secret", aliyunCall{key: acs3.Key{ID: key.ID, Secret: "nope"}}, 400, "SignatureDoesNotMatch"},
		{"another key", aliyunCall{key: acs3.Key{ID: "LTAI5tSomeoneElse", Secret: key.Secret}}, 404, "InvalidAccessKeyId.NotFound"},
		{"stale date", aliyunCall{at: time.Now().Add(-time.Hour)}, 400, "InvalidTimeStamp.Expired"},
		{"replayed nonce", aliyunCall{nonce: "nonce-1"}, 400, "SignatureNonceUsed"},
		{"another action", aliyunCall{action: otherAction}, 404, "InvalidAction.NotFound"},
	}
}

// TestAliyunSMS drives the fake with requests signed by idco's own ACS3
// signer: genuine ones are sent, and each thing the gateway or SendSms
// refuses is refused and reported with Aliyun's code.
func TestAliyunSMS(t *testing.T) {
	key := fakeprov.ACS3Key{ID: "LTAI5tFakeSMSTest01", Secret: "aliyun-sms-secret"}
	f := fakeprov.NewAliyunSMS(t, key)
	reported := collect(&f.Report)
	genuine := [][2]string{{"PhoneNumbers", "13800138000"}, {"SignName", "Band"}, {"TemplateCode", "SMS_1"},
		{"TemplateParam", `{"code":"204817","expMinute":"3"}`}}
	api := &aliyunAPI{t: t, url: f.URL, client: f.Client(), key: key, action: "SendSms", version: "2017-05-25", genuine: genuine}
	send := func(c aliyunCall) (status int, code string) {
		t.Helper()
		resp, err := api.do(c)
		if err != nil {
			return 0, "Transport"
		}
		defer resp.Body.Close()
		var ans struct{ Code string }
		body, _ := io.ReadAll(resp.Body)
		if json.Unmarshal(body, &ans) != nil {
			return resp.StatusCode, "not JSON: " + string(body)
		}
		return resp.StatusCode, ans.Code
	}
	without := func(name string) [][2]string {
		var out [][2]string
		for _, p := range genuine {
			if p[0] != name {
				out = append(out, p)
			}
		}
		return out
	}

	if status, code := send(aliyunCall{}); status != 200 || code != "OK" {
		t.Fatalf("a genuine SendSms: %d %s (%s)", status, code, reported())
	}
	refusals := append(gatewayRefusals(key, "QuerySendDetails"), []aliyunRefusal{
		{"no PhoneNumbers", aliyunCall{params: without("PhoneNumbers")}, 400, "MissingPhoneNumbers"},
		{"a number param", aliyunCall{params: append(without("TemplateParam"), [2]string{"TemplateParam", `{"code":204817}`})},
			200, "isv.INVALID_JSON_PARAM"},
	}...)
	for _, tc := range refusals {
		if status, code := send(tc.call); status != tc.status || code != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, status, code, tc.status, tc.code)
		}
		if r := reported(); !strings.Contains(r, tc.code) {
			t.Errorf("%s: reported %q, want %s", tc.name, r, tc.code)
		}
	}

	// The account's sign and templates.
	f.SignName = "Band"
	f.Templates = map[string][]string{"SMS_1": {"code", "expMinute"}, "SMS_2": {"code", "name"}}
	account := []struct {
		name   string
		params [][2]string
		code   string
	}{
		{"another sign", append(without("SignName"), [2]string{"SignName", "Other"}), "isv.SMS_SIGNATURE_ILLEGAL"},
		{"another template", append(without("TemplateCode"), [2]string{"TemplateCode", "SMS_3"}), "isv.SMS_TEMPLATE_ILLEGAL"},
		{"a variable missing", append(without("TemplateCode"), [2]string{"TemplateCode", "SMS_2"}), "isv.TEMPLATE_MISSING_PARAMETERS"},
	}
	for _, tc := range account {
		if status, code := send(aliyunCall{params: tc.params}); status != 200 || code != tc.code {
			t.Errorf("%s: %d %s, want 200 %s", tc.name, status, code, tc.code)
		}
		if r := reported(); !strings.Contains(r, tc.code) {
			t.Errorf("%s: reported %q", tc.name, r)
		}
	}

	// Faults: one throttled answer, then a hang the client gives up on,
	// then the message is sent.
	f.Fail(fakeprov.AliyunSMSThrottled, 1)
	if status, code := send(aliyunCall{}); status != 400 || code != "Throttling.User" {
		t.Errorf("Fail(AliyunSMSThrottled, 1): %d %s", status, code)
	}
	f.Fail(fakeprov.Hang, 1)
	if _, code := send(aliyunCall{timeout: 100 * time.Millisecond}); code != "Transport" {
		t.Errorf("Fail(Hang, 1): %s, want the client to give up", code)
	}
	if status, code := send(aliyunCall{}); status != 200 || code != "OK" {
		t.Errorf("after the faults: %d %s", status, code)
	}

	sent := f.Sent()
	if len(sent) != 2 || sent[0].BizID == sent[1].BizID || sent[1].TemplateParam["code"] != "204817" ||
		sent[1].Query.Get("TemplateParam") != `{"code":"204817","expMinute":"3"}` {
		t.Errorf("Sent = %+v", sent)
	}
	if m, ok := f.Take("13800138000"); !ok || m.SignName != "Band" || m.TemplateCode != "SMS_1" {
		t.Errorf("Take = %+v, %v", m, ok)
	}
	if n, want := f.Calls(), 1+len(refusals)+len(account)+3; n != want {
		t.Errorf("Calls = %d, want %d", n, want)
	}
	if r := reported(); r != "" {
		t.Errorf("unexpected reports: %s", r)
	}
	if _, ok := f.Take("13900139000"); ok {
		t.Error("Take found a message to a number never sent to")
	}
}
