package sms

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// Values the fake Aliyun knows. The code is distinctive so that a test can
// assert it never shows up in an error.
const (
	aliKeyID   = "LTAI5tFakeKeyId7Q"
	aliSecret  = "fake-aliyun-secret-9d2c"
	aliSign    = "阿里云短信测试"
	aliTplCode = "SMS_154950909"
	otpCode    = "739201"
)

// aliyunNow is the fake's clock; clients under test use the same one.
var aliyunNow = time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC)

// Aliyun's answers by scenario, as its SendSms and error-code pages show
// them; "ok" sends.
var aliyunFaults = map[string]fakeprov.Reply{
	"limit":     fakeprov.AliyunSMSBusinessLimit,
	"badnumber": fakeprov.AliyunSMSMobileNumber,
	"template":  fakeprov.AliyunSMSError(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板"),
	"daylimit":  fakeprov.AliyunSMSDayLimit,
	"syserror":  fakeprov.AliyunSMSSystemError,
	"throttled": fakeprov.AliyunSMSThrottled,
	"unavail":   fakeprov.AliyunSMSUnavailable,
	"http500":   fakeprov.HTMLPage(500, "500 Internal Server Error"),
	"http403":   fakeprov.HTMLPage(403, "403 Forbidden"),
	"badjson": {Status: 200, Header: map[string]string{"Content-Type": "application/json;charset=utf-8"},
		Body: `{"Code":"OK","Message":`},
	// An answer quoting the request back, to check that errors mask it.
	"echo": fakeprov.AliyunSMSError(200, "isv.INVALID_PARAMETERS",
		`参数异常: TemplateParam={"code":"`+otpCode+`"} PhoneNumbers=13812345678`),
	"slow": fakeprov.Hang,
}

// fakeAliyun is fakeprov's Aliyun SMS, answering as its scenario says.
type fakeAliyun struct{ *fakeprov.AliyunSMS }

// newFakeAliyun starts a fake on aliyunNow and an Aliyun client for it.
// The gateway's refusals (another key, a stale date, a reused nonce) are
// what some tests ask for: they are logged, not failures.
func newFakeAliyun(t *testing.T, scenario string) (fakeAliyun, *Aliyun) {
	t.Helper()
	f := fakeprov.NewAliyunSMS(t, fakeprov.ACS3Key{ID: aliKeyID, Secret: aliSecret})
	f.Now = func() time.Time { return aliyunNow }
	f.Report = t.Logf
	scripted(t, f, aliyunFaults, scenario)
	a := NewAliyun(AliyunConfig{AccessKeyID: aliKeyID, AccessKeySecret: aliSecret, SignName: aliSign,
		Endpoint: f.URL}, f.Client())
	a.Now = func() time.Time { return aliyunNow }
	a.Timeout = 200 * time.Millisecond
	return fakeAliyun{f}, a
}

// requests returns the params of each SendSms sent.
func (f fakeAliyun) requests() []url.Values {
	var out []url.Values
	for _, m := range f.Sent() {
		out = append(out, m.Query)
	}
	return out
}

// scripted makes f answer every request as scenario says, looked up in
// answers ("ok" sends), and returns it.
func scripted[F interface{ Fail(fakeprov.Reply, int) }](t *testing.T, f F, answers map[string]fakeprov.Reply, scenario string) F {
	t.Helper()
	if scenario != "ok" {
		a, ok := answers[scenario]
		if !ok {
			t.Fatalf("fake: unknown scenario %q", scenario)
		}
		f.Fail(a, -1)
	}
	return f
}

// templateParam decodes a TemplateParam as Aliyun does.
func templateParam(t *testing.T, s string) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("TemplateParam %q is not a JSON object of strings: %v", s, err)
	}
	return m
}
