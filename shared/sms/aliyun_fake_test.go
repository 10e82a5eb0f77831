package sms

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
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

// fakeAliyun answers POST / the way dysmsapi.aliyuncs.com does: it first
// authenticates the request as the V3 gateway would, recomputing the
// ACS3-HMAC-SHA256 signature from what arrived (its own canonicalisation,
// following the doc's Java recipe), then checks the SendSms params and
// answers with the scenario's body.
type fakeAliyun struct {
	t        *testing.T
	scenario string
	mu       sync.Mutex
	nonces   map[string]bool
	got      []url.Values // the params of each authenticated request
}

func newFakeAliyun(t *testing.T, scenario string) (*fakeAliyun, *Aliyun) {
	t.Helper()
	f := &fakeAliyun{t: t, scenario: scenario, nonces: map[string]bool{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	a := NewAliyun(AliyunConfig{AccessKeyID: aliKeyID, AccessKeySecret: aliSecret, SignName: aliSign,
		Endpoint: srv.URL}, srv.Client())
	a.Now = func() time.Time { return aliyunNow }
	a.Timeout = 200 * time.Millisecond
	return f, a
}

// Aliyun's answers, as its SendSms and error-code pages show them.
var aliyunAnswers = map[string]struct {
	status int
	body   string
}{
	"ok":        {200, `{"Code":"OK","Message":"OK","BizId":"9006197469364984400","RequestId":"F655A8D5-B967-440B-8683-DAD6FF8DE990"}`},
	"limit":     {200, `{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"触发分钟级流控Permits:1","RequestId":"2184201F-BFB3-446B-B1F2-C746B7BF0657"}`},
	"badnumber": {200, `{"Code":"isv.MOBILE_NUMBER_ILLEGAL","Message":"非法手机号","RequestId":"8A7C5B2E-1D3F-4A6B-9C8D-0E1F2A3B4C5D"}`},
	"template":  {200, `{"Code":"isv.SMS_TEMPLATE_ILLEGAL","Message":"该账号下找不到对应模板","RequestId":"5A0E0D5C-3F2B-4C1A-8E7D-6B5A4C3D2E1F"}`},
	"daylimit":  {200, `{"Code":"isv.DAY_LIMIT_CONTROL","Message":"触发日发送限额","RequestId":"1B2C3D4E-5F6A-7B8C-9D0E-1F2A3B4C5D6E"}`},
	"syserror":  {200, `{"Code":"isp.SYSTEM_ERROR","Message":"isp.SYSTEM_ERROR","RequestId":"6E5D4C3B-2A1F-0E9D-8C7B-6A5F4E3D2C1B"}`},
	"throttled": {400, `{"RequestId":"7F6E5D4C-3B2A-1F0E-9D8C-7B6A5F4E3D2C","HostId":"dysmsapi.aliyuncs.com","Code":"Throttling.User","Message":"Request was denied due to user flow control.","Recommend":"https://api.aliyun.com/troubleshoot?q=Throttling.User"}`},
	"unavail":   {503, `{"RequestId":"0A1B2C3D-4E5F-6A7B-8C9D-0E1F2A3B4C5D","HostId":"dysmsapi.aliyuncs.com","Code":"ServiceUnavailable","Message":"The request has failed due to a temporary failure of the server."}`},
	"http500":   {500, `<html><body><h1>500 Internal Server Error</h1></body></html>`},
	"http403":   {403, `<html><body><h1>403 Forbidden</h1></body></html>`},
	"badjson":   {200, `{"Code":"OK","Message":`},
	// An answer quoting the request back, to check that errors mask it.
	"echo": {200, `{"Code":"isv.INVALID_PARAMETERS","Message":"参数异常: TemplateParam={\"code\":\"` + otpCode + `\"} PhoneNumbers=13812345678","RequestId":"3C4D5E6F-7A8B-9C0D-1E2F-3A4B5C6D7E8F"}`},
}

func (f *fakeAliyun) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if code, msg, status := f.authenticate(r, body); code != "" {
		writeJSON(w, status, `{"RequestId":"D0E1F2A3-B4C5-D6E7-F8A9-B0C1D2E3F4A5","HostId":"dysmsapi.aliyuncs.com","Code":"`+code+`","Message":"`+msg+`"}`)
		return
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	f.mu.Lock()
	f.got = append(f.got, q)
	f.mu.Unlock()
	if f.scenario == "slow" {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
		return
	}
	a, ok := aliyunAnswers[f.scenario]
	if !ok {
		f.t.Errorf("fake aliyun: unknown scenario %q", f.scenario)
		a = aliyunAnswers["http500"]
	}
	writeJSON(w, a.status, a.body)
}

// authenticate returns the gateway's error code, message and status, or ""
// when the request is genuine.
func (f *fakeAliyun) authenticate(r *http.Request, body []byte) (code, msg string, status int) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return "InvalidAction.NotFound", "Specified api is not found, please check your url and method.", 404
	}
	if r.Header.Get("x-acs-action") != "SendSms" || r.Header.Get("x-acs-version") != "2017-05-25" {
		return "InvalidAction.NotFound", "Specified api is not found.", 404
	}
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "ACS3-HMAC-SHA256 ")
	if !ok {
		return "IncompleteSignature", "The request signature does not conform to Aliyun standards.", 400
	}
	parts := map[string]string{}
	for _, kv := range strings.Split(auth, ",") {
		k, v, _ := strings.Cut(kv, "=")
		parts[k] = v
	}
	if parts["Credential"] != aliKeyID {
		return "InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404
	}
	signed := strings.Split(parts["SignedHeaders"], ";")
	for _, need := range []string{"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"} {
		if !contains(signed, need) {
			return "IncompleteSignature", "SignedHeaders lacks " + need, 400
		}
	}
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != r.Header.Get("x-acs-content-sha256") {
		return "ContentSHA256NotMatched", "The content hash does not match.", 400
	}
	date, err := time.Parse("2006-01-02T15:04:05Z", r.Header.Get("x-acs-date"))
	if err != nil || date.Sub(aliyunNow).Abs() > 15*time.Minute {
		return "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.", 400
	}
	f.mu.Lock()
	replay := f.nonces[r.Header.Get("x-acs-signature-nonce")]
	f.nonces[r.Header.Get("x-acs-signature-nonce")] = true
	f.mu.Unlock()
	if replay {
		return "SignatureNonceUsed", "Specified signature nonce was used already.", 400
	}
	want := hmac.New(sha256.New, []byte(aliSecret))
	want.Write([]byte("ACS3-HMAC-SHA256\n" + sha256Hex([]byte(fakeprov.ACS3Canonical(r, signed)))))
	got, _ := hex.DecodeString(parts["Signature"])
	if !hmac.Equal(got, want.Sum(nil)) {
		return "SignatureDoesNotMatch", "Specified signature does not match our calculation.", 400
	}
	return "", "", 0
}

func (f *fakeAliyun) requests() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.got...)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	if strings.HasPrefix(body, "{") {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/html")
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
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
