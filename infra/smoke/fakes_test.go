package smoke

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/families/all"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// The smoke run's delivery fakes: an Aliyun SMS gateway and an SES v2
// endpoint (fakeprov.SES) on loopback, each authenticating requests as the
// real service does (ACS3-HMAC-SHA256, SigV4) before recording them, so the
// journeys read the codes the real senders delivered.

// Aliyun SMS credentials of the smoke config.
const (
	aliKeyID  = "LTAI5tSmokeKeyId0Q"
	aliSecret = "smoke-aliyun-secret-5e1f"
	aliSign   = "idco冒烟测试"
)

// smsTemplates is service.sms.scene: one Aliyun template per SMS scene, so
// the fake can tell which scene a message was sent for.
var smsTemplates = map[string]string{
	"login-by-sms":       "SMS_900000001",
	"reset-pwd-by-sms":   "SMS_900000002",
	"bind-mobile-by-sms": "SMS_900000003",
	"set-pwd-by-sms":     "SMS_900000004",
}

// textMessage is one SendSms the fake Aliyun accepted.
type textMessage struct {
	Phone, Sign, Template string
	Params                map[string]string // TemplateParam
}

// fakeAliyun answers POST / as dysmsapi.aliyuncs.com does for SendSms
// (2017-05-25): the gateway's signature check first (the ACS3 canonical
// request rebuilt from what arrived, the AccessKey's HMAC, the date within
// 15 minutes of now, single-use nonces), then the SendSms params, answered
// {"Code":"OK",...}.
type fakeAliyun struct {
	t      *testing.T
	URL    string
	report func(format string, args ...any) // a refused request: t.Errorf
	mu     sync.Mutex
	nonces map[string]bool
	got    []textMessage
}

func newFakeAliyun(t *testing.T) *fakeAliyun {
	f := &fakeAliyun{t: t, report: t.Errorf, nonces: map[string]bool{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *fakeAliyun) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if code, status, msg := f.authenticate(r, body); code != "" {
		f.report("fake aliyun: %s: %s", code, msg)
		aliyunAnswer(w, status, `{"RequestId":"D0E1F2A3-B4C5-D6E7-F8A9-B0C1D2E3F4A5","HostId":"dysmsapi.aliyuncs.com","Code":"`+
			code+`","Message":"`+msg+`"}`)
		return
	}
	q := r.URL.Query()
	m := textMessage{Phone: q.Get("PhoneNumbers"), Sign: q.Get("SignName"), Template: q.Get("TemplateCode")}
	if err := json.Unmarshal([]byte(q.Get("TemplateParam")), &m.Params); err != nil || m.Phone == "" || m.Sign == "" || m.Template == "" {
		f.report("fake aliyun: SendSms without PhoneNumbers, SignName, TemplateCode or a TemplateParam object: %v", q)
		aliyunAnswer(w, http.StatusOK, `{"Code":"isv.INVALID_PARAMETERS","Message":"参数异常","RequestId":"3C4D5E6F-7A8B-9C0D-1E2F-3A4B5C6D7E8F"}`)
		return
	}
	f.mu.Lock()
	f.got = append(f.got, m)
	f.mu.Unlock()
	aliyunAnswer(w, http.StatusOK, `{"Code":"OK","Message":"OK","BizId":"9006197469364984400","RequestId":"F655A8D5-B967-440B-8683-DAD6FF8DE990"}`)
}

// authenticate returns the gateway's error code, status and message, or ""
// for a genuine SendSms request.
func (f *fakeAliyun) authenticate(r *http.Request, body []byte) (code string, status int, msg string) {
	if r.Method != http.MethodPost || r.URL.Path != "/" ||
		r.Header.Get("x-acs-action") != "SendSms" || r.Header.Get("x-acs-version") != "2017-05-25" {
		return "InvalidAction.NotFound", 404, "Specified api is not found: " + r.Method + " " + r.URL.Path
	}
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "ACS3-HMAC-SHA256 ")
	if !ok {
		return "IncompleteSignature", 400, "The request signature does not conform to Aliyun standards."
	}
	parts := map[string]string{}
	for _, kv := range strings.Split(auth, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		parts[k] = v
	}
	if parts["Credential"] != aliKeyID {
		return "InvalidAccessKeyId.NotFound", 404, "Specified access key is not found."
	}
	signed := strings.Split(parts["SignedHeaders"], ";")
	for _, need := range []string{"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"} {
		if !slices.Contains(signed, need) {
			return "IncompleteSignature", 400, "SignedHeaders lacks " + need
		}
	}
	if sha256Hex(body) != r.Header.Get("x-acs-content-sha256") {
		return "ContentSHA256NotMatched", 400, "The content hash does not match."
	}
	date, err := time.Parse("2006-01-02T15:04:05Z", r.Header.Get("x-acs-date"))
	if err != nil || time.Since(date).Abs() > 15*time.Minute {
		return "InvalidTimeStamp.Expired", 400, "Specified time stamp or date value is expired."
	}
	nonce := r.Header.Get("x-acs-signature-nonce")
	f.mu.Lock()
	replay := f.nonces[nonce]
	f.nonces[nonce] = true
	f.mu.Unlock()
	if replay {
		return "SignatureNonceUsed", 400, "Specified signature nonce was used already."
	}
	// The canonical request, as the V3 signature document defines it.
	canonical := fakeprov.ACS3Canonical(r, signed)
	mac := hmac.New(sha256.New, []byte(aliSecret))
	mac.Write([]byte("ACS3-HMAC-SHA256\n" + sha256Hex([]byte(canonical))))
	want := mac.Sum(nil)
	got, _ := hex.DecodeString(parts["Signature"])
	if !hmac.Equal(got, want) {
		return "SignatureDoesNotMatch", 400, "Specified signature does not match our calculation."
	}
	return "", 0, ""
}

// take returns the code of the last SMS to phone (as SendSms names it: 11
// digits for mainland numbers), checking it was sent with scene's
// template and the configured sign, and forgets it.
func (f *fakeAliyun) take(phone, scene string) string {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.got) - 1; i >= 0; i-- {
		m := f.got[i]
		if m.Phone != phone {
			continue
		}
		f.got = slices.Delete(f.got, i, i+1)
		if m.Template != smsTemplates[scene] || m.Sign != aliSign {
			f.t.Fatalf("SMS to %s: template %s, sign %s; want %s (%s), %s", phone, m.Template, m.Sign, smsTemplates[scene], scene, aliSign)
		}
		if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(m.Params["code"]) || m.Params["expMinute"] == "" {
			f.t.Fatalf("SMS to %s: TemplateParam %v, want a 6-digit code and expMinute", phone, m.Params)
		}
		return m.Params["code"]
	}
	f.t.Fatalf("the fake Aliyun received no SMS to %s", phone)
	return ""
}

func (f *fakeAliyun) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.got)
}

func aliyunAnswer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// fakeSES is fakeprov's SES with one endpoint per function, so it can
// refuse what IAM would: a SendEmail from a function without ses:SendEmail
// on the identity (and on the configuration set, when one is named)
// answers AccessDeniedException. A request must carry a valid SigV4
// signature for ses in the region, by the Lambda environment's credentials
// and session token.
type fakeSES struct {
	t      *testing.T
	ses    *fakeprov.SES
	report func(format string, args ...any) // a refused request: t.Errorf
	urls   map[string]string                // family -> its endpoint
	mu     sync.Mutex
	denied []string
}

func newFakeSES(t *testing.T, fams []string, region, keyID, secret, token string) *fakeSES {
	f := &fakeSES{t: t, report: t.Errorf, urls: map[string]string{},
		ses: fakeprov.NewSES(t, fakeprov.AWSKey{ID: keyID, Secret: secret, Token: token, Region: region})}
	f.ses.Report = func(format string, args ...any) { f.report(format, args...) }
	f.ses.Authorize = f.authorize
	for _, fam := range fams {
		f.urls[fam] = f.ses.URLFor(fam)
	}
	return f
}

// authorize refuses a SendEmail family's grants (shared/families Access)
// do not allow.
func (f *fakeSES) authorize(family string, m fakeprov.SESEmail) error {
	need := []string{families.ResourceSESIdentity}
	if m.ConfigurationSetName != "" {
		need = append(need, families.ResourceSESConfigurationSet)
	}
	for _, res := range need {
		if !granted(family, res, "ses:SendEmail") {
			f.mu.Lock()
			f.denied = append(f.denied, family+": ses:SendEmail on "+res)
			f.mu.Unlock()
			return fmt.Errorf("function %s is not authorized to perform: ses:SendEmail on %s", family, res)
		}
	}
	return nil
}

// granted reports whether family's grants (shared/families Access) allow
// action on resource.
func granted(family, resource, action string) bool {
	grants, _ := all.Access(family)
	for _, g := range grants {
		if g.Resource == resource && slices.Contains(g.Actions, action) {
			return true
		}
	}
	return false
}

var mailCode = regexp.MustCompile(`(?m)^([0-9]{6})$`)

// take returns the last email to to (its code, "" for none, and the
// message), checking that family sent it, and forgets it.
func (f *fakeSES) take(family, to string) (string, fakeprov.SESMessage) {
	f.t.Helper()
	m, ok := f.ses.Take(to)
	if !ok {
		f.t.Fatalf("the fake SES received no email to %s", to)
	}
	if m.Caller != family {
		f.t.Fatalf("the email to %s came from %s, want %s", to, m.Caller, family)
	}
	code := ""
	if c := mailCode.FindStringSubmatch(m.Content.Simple.Body.Text.Data); c != nil {
		code = c[1]
	}
	return code, m
}

func (f *fakeSES) count() int { return len(f.ses.Sent()) }

// Denied lists the SendEmail calls refused for want of a grant.
func (f *fakeSES) Denied() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.denied)
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
