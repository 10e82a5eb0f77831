package sms

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	tcSecretID = "AKIDfakeTencentSecretId01"
	tcSecret   = "fake-tencent-secret-5be1"
	tcAppID    = "1400787878"
	tcSign     = "腾讯云测试"
	tcTemplate = "1110011"
	tcRegion   = "ap-guangzhou"
)

var tencentNow = time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC) // 00:30 the next day in UTC+8

// fakeTencent answers POST / as sms.tencentcloudapi.com does: HTTP 200 with
// a Response envelope. It authenticates the request first, recomputing the
// TC3-HMAC-SHA256 signature from the headers named in SignedHeaders and
// the body as received.
type fakeTencent struct {
	t        *testing.T
	scenario string
	mu       sync.Mutex
	got      []tencentRequest
}

func newFakeTencent(t *testing.T, scenario string) (*fakeTencent, *Tencent) {
	t.Helper()
	f := &fakeTencent{t: t, scenario: scenario}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	tc := NewTencent(TencentConfig{SecretID: tcSecretID, SecretKey: tcSecret, SDKAppID: tcAppID,
		SignName: tcSign, Endpoint: srv.URL}, srv.Client())
	tc.Now = func() time.Time { return tencentNow }
	tc.Timeout = 200 * time.Millisecond
	return f, tc
}

const tcRequestID = `"RequestId":"a0aabda6-cf91-4f3e-a81f-9198114a2279"`

func tcStatus(code, msg string) string {
	return `{"Response":{"SendStatusSet":[{"SerialNo":"","PhoneNumber":"+8613812345678","Fee":0,"SessionContext":"","Code":"` +
		code + `","Message":"` + msg + `","IsoCode":"CN"}],` + tcRequestID + `}}`
}

func tcError(code, msg string) string {
	return `{"Response":{"Error":{"Code":"` + code + `","Message":"` + msg + `"},` + tcRequestID + `}}`
}

// Tencent's answers, from its SendSms, Responses and error-code pages.
var tencentAnswers = map[string]struct {
	status int
	body   string
}{
	"ok": {200, `{"Response":{"SendStatusSet":[{"SerialNo":"5000:1045710669157053657849499619","PhoneNumber":"+8613812345678",` +
		`"Fee":1,"SessionContext":"","Code":"Ok","Message":"send success","IsoCode":"CN"}],` + tcRequestID + `}}`},
	"daily":     {200, tcStatus("LimitExceeded.PhoneNumberDailyLimit", "the number of sms messages sent from a single mobile number every day exceeds the upper limit")},
	"30s":       {200, tcStatus("LimitExceeded.PhoneNumberThirtySecondLimit", "the number of sms messages sent from a single mobile number within 30 seconds exceeds the upper limit")},
	"badnumber": {200, tcStatus("InvalidParameterValue.IncorrectPhoneNumber", "incorrect phone number")},
	"appdaily":  {200, tcStatus("LimitExceeded.AppDailyLimit", "the number of sms messages sent every day exceeds the upper limit")},
	"template":  {200, tcError("FailedOperation.TemplateIncorrectOrUnapproved", "template is not approved or request content does not match the approved template content")},
	"timeout":   {200, tcError("InternalError.Timeout", "request timed out")},
	"ratelimit": {200, tcError("RequestLimitExceeded", "Your current request times equals to `3001` in a second, which exceeds the frequency limit `3000` for a second. Please reduce the frequency of calls.")},
	"empty":     {200, `{"Response":{"SendStatusSet":[],` + tcRequestID + `}}`},
	"http500":   {500, `<html><body>502 Bad Gateway</body></html>`},
	"badjson":   {200, `{"Response":{"SendStatusSet":[`},
}

func (f *fakeTencent) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if code, msg := f.authenticate(r, body); code != "" {
		writeJSON(w, 200, tcError(code, msg))
		return
	}
	var in tencentRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeJSON(w, 200, tcError("FailedOperation.FailResolvePacket", "request package parsing failed"))
		return
	}
	f.mu.Lock()
	f.got = append(f.got, in)
	f.mu.Unlock()
	if f.scenario == "slow" {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
		return
	}
	a, ok := tencentAnswers[f.scenario]
	if !ok {
		f.t.Errorf("fake tencent: unknown scenario %q", f.scenario)
	}
	writeJSON(w, a.status, a.body)
}

// authenticate returns the common error code and message of a request the
// API would refuse, or "".
func (f *fakeTencent) authenticate(r *http.Request, body []byte) (code, msg string) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return "UnsupportedProtocol", "POST / only"
	}
	if r.Header.Get("X-TC-Action") != "SendSms" || r.Header.Get("X-TC-Version") != "2021-01-11" {
		return "InvalidAction", "action or version not found"
	}
	if r.Header.Get("X-TC-Region") != tcRegion {
		return "InvalidParameterValue", "region"
	}
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "TC3-HMAC-SHA256 ")
	if !ok {
		return "AuthFailure.InvalidAuthorization", "Authorization header is invalid"
	}
	parts := map[string]string{}
	for _, kv := range strings.Split(auth, ", ") {
		k, v, _ := strings.Cut(kv, "=")
		parts[k] = v
	}
	cred := strings.Split(parts["Credential"], "/")
	if len(cred) != 4 || cred[0] != tcSecretID {
		return "AuthFailure.SecretIdNotFound", "The SecretId is not found"
	}
	ts, err := strconv.ParseInt(r.Header.Get("X-TC-Timestamp"), 10, 64)
	if err != nil || time.Unix(ts, 0).Sub(tencentNow).Abs() > 5*time.Minute {
		return "AuthFailure.SignatureExpire", "Signature expired"
	}
	date := time.Unix(ts, 0).UTC().Format("2006-01-02")
	if cred[1] != date || cred[2] != "sms" || cred[3] != "tc3_request" {
		return "AuthFailure.InvalidAuthorization", "Credential scope is invalid"
	}
	signed := strings.Split(parts["SignedHeaders"], ";")
	if !slices.Contains(signed, "content-type") || !slices.Contains(signed, "host") {
		return "AuthFailure.InvalidAuthorization", "content-type and host must be signed"
	}
	var canon strings.Builder
	for _, h := range signed {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		canon.WriteString(h + ":" + strings.ToLower(strings.TrimSpace(v)) + "\n")
	}
	request := "POST\n/\n\n" + canon.String() + "\n" + parts["SignedHeaders"] + "\n" + sha256Hex(body)
	toSign := "TC3-HMAC-SHA256\n" + r.Header.Get("X-TC-Timestamp") + "\n" + date + "/sms/tc3_request\n" + sha256Hex([]byte(request))
	key := []byte("TC3" + tcSecret)
	for _, part := range []string{date, "sms", "tc3_request", toSign} {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(part))
		key = m.Sum(nil)
	}
	got, _ := hex.DecodeString(parts["Signature"])
	if !hmac.Equal(got, key) {
		return "AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct."
	}
	return "", ""
}

func (f *fakeTencent) requests() []tencentRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]tencentRequest(nil), f.got...)
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
