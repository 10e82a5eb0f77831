package fakeprov_test

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// TestDirectMail drives the fake with requests signed by idco's own ACS3
// signer: genuine ones are sent, and each thing the gateway or
// SingleSendMail refuses is refused and reported with DirectMail's code.
func TestDirectMail(t *testing.T) {
	key := fakeprov.ACS3Key{ID: "LTAI5tFakeDMTest01", Secret: "aliyun-dm-secret"}
	f := fakeprov.NewDirectMail(t, key)
	reported := collect(&f.Report)
	genuine := [][2]string{{"AccountName", "no-reply@mail.band.example"}, {"AddressType", "1"}, {"ReplyToAddress", "false"},
		{"ToAddress", "bob@example.com"}, {"Subject", "Band 登录验证码"}, {"TextBody", "验证码 204817"},
		{"HtmlBody", "<p>验证码 <b>204817</b></p>"}, {"FromAlias", "Band"}}
	api := &aliyunAPI{t: t, url: f.URL, client: f.Client(), key: key, action: "SingleSendMail", version: "2015-11-23", genuine: genuine}
	send := func(c aliyunCall) (status int, code string) {
		t.Helper()
		resp, err := api.do(c)
		if err != nil {
			return 0, "Transport"
		}
		defer resp.Body.Close()
		var ans struct {
			Code  string
			EnvID string `json:"EnvId"`
		}
		body, _ := io.ReadAll(resp.Body)
		if json.Unmarshal(body, &ans) != nil {
			return resp.StatusCode, "not JSON: " + string(body)
		}
		if ans.Code == "" && ans.EnvID != "" {
			return resp.StatusCode, "OK"
		}
		return resp.StatusCode, ans.Code
	}
	with := func(name, v string) [][2]string {
		var out [][2]string
		for _, p := range genuine {
			if p[0] != name {
				out = append(out, p)
			}
		}
		if v != "" {
			out = append(out, [2]string{name, v})
		}
		return out
	}

	if status, code := send(aliyunCall{}); status != 200 || code != "OK" {
		t.Fatalf("a genuine SingleSendMail: %d %s (%s)", status, code, reported())
	}
	refusals := append(gatewayRefusals(key, "BatchSendMail"), []aliyunRefusal{
		{"no AccountName", aliyunCall{params: with("AccountName", "")}, 400, "MissingAccountName"},
		{"no ReplyToAddress", aliyunCall{params: with("ReplyToAddress", "")}, 400, "MissingReplyToAddress"},
		{"a boolean as 1", aliyunCall{params: with("ReplyToAddress", "1")}, 400, "InvalidParameter"},
		{"AddressType 2", aliyunCall{params: with("AddressType", "2")}, 400, "InvalidParameter"},
		{"an unknown param", aliyunCall{params: with("Cc", "eve@example.com")}, 400, "InvalidParameter"},
		{"no body", aliyunCall{params: with("HtmlBody", "")[:5]}, 400, "InvalidBody"},
		{"a subject of 101", aliyunCall{params: with("Subject", strings.Repeat("码", 101))}, 400, "InvalidSubject.Malformed"},
		{"an alias of 16", aliyunCall{params: with("FromAlias", strings.Repeat("B", 16))}, 400, "InvalidFromAlias.Malformed"},
		{"two recipients", aliyunCall{params: with("ToAddress", "bob@example.com,eve@example.com")}, 400, "InvalidToAddress"},
	}...)
	for _, tc := range refusals {
		if status, code := send(tc.call); status != tc.status || code != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, status, code, tc.status, tc.code)
		}
		if r := reported(); !strings.Contains(r, tc.code) {
			t.Errorf("%s: reported %q, want %s", tc.name, r, tc.code)
		}
	}

	// The account's sender addresses.
	f.AccountNames = []string{"no-reply@mail.band.example"}
	if status, code := send(aliyunCall{params: with("AccountName", "other@mail.band.example")}); status != 404 || code != "InvalidMailAddress.NotFound" {
		t.Errorf("another sender address: %d %s", status, code)
	}
	if r := reported(); !strings.Contains(r, "InvalidMailAddress.NotFound") {
		t.Errorf("another sender address: reported %q", r)
	}

	// Faults: one throttled answer, then a hang the client gives up on,
	// then the message is sent.
	f.Fail(fakeprov.DirectMailThrottled, 1)
	if status, code := send(aliyunCall{}); status != 400 || code != "Throttling.User" {
		t.Errorf("Fail(DirectMailThrottled, 1): %d %s", status, code)
	}
	f.Fail(fakeprov.Hang, 1)
	if _, code := send(aliyunCall{timeout: 100 * time.Millisecond}); code != "Transport" {
		t.Errorf("Fail(Hang, 1): %s, want the client to give up", code)
	}
	if status, code := send(aliyunCall{params: with("TextBody", "")}); status != 200 || code != "OK" {
		t.Errorf("after the faults, HTML only: %d %s", status, code)
	}

	sent := f.Sent()
	if len(sent) != 2 || sent[0].EnvID == sent[1].EnvID || sent[0].TextBody != "验证码 204817" || sent[1].TextBody != "" ||
		sent[0].Subject != "Band 登录验证码" || sent[0].FromAlias != "Band" {
		t.Errorf("Sent = %+v", sent)
	}
	if m, ok := f.Take("bob@example.com"); !ok || m.HtmlBody != "<p>验证码 <b>204817</b></p>" {
		t.Errorf("Take = %+v, %v", m, ok)
	}
	if n, want := f.Calls(), 1+len(refusals)+1+3; n != want {
		t.Errorf("Calls = %d, want %d", n, want)
	}
	if r := reported(); r != "" {
		t.Errorf("unexpected reports: %s", r)
	}
}
