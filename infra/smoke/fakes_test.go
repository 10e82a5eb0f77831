package smoke

import (
	"fmt"
	"regexp"
	"slices"
	"sync"
	"testing"

	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/families/all"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// The smoke run's delivery fakes: an Aliyun SMS gateway
// (fakeprov.AliyunSMS) and an SES v2 endpoint (fakeprov.SES) on loopback,
// each authenticating requests as the real service does (ACS3-HMAC-SHA256,
// SigV4) before recording them, so the journeys read the codes the real
// senders delivered.

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

// fakeAliyun is fakeprov's Aliyun SMS with the smoke config's AccessKey,
// sign and one template per scene (variables code and expMinute), so it
// refuses what Aliyun would: a request not signed by the key as the V3
// gateway checks it (the date within 15 minutes of now, single-use
// nonces), a SendSms without its params, another sign or template.
type fakeAliyun struct {
	t      *testing.T
	URL    string
	report func(format string, args ...any) // a refused request: t.Errorf
	sms    *fakeprov.AliyunSMS
}

func newFakeAliyun(t *testing.T) *fakeAliyun {
	f := &fakeAliyun{t: t, report: t.Errorf, sms: fakeprov.NewAliyunSMS(t, fakeprov.ACS3Key{ID: aliKeyID, Secret: aliSecret})}
	f.sms.Report = func(format string, args ...any) { f.report(format, args...) }
	f.sms.SignName = aliSign
	f.sms.Templates = map[string][]string{}
	for _, tpl := range smsTemplates {
		f.sms.Templates[tpl] = []string{"code", "expMinute"}
	}
	f.URL = f.sms.URL
	return f
}

var smsCode = regexp.MustCompile(`^[0-9]{6}$`)

// take returns the code of the last SMS to phone (as SendSms names it: 11
// digits for mainland numbers), checking it was sent with scene's
// template and the configured sign, and forgets it.
func (f *fakeAliyun) take(phone, scene string) string {
	f.t.Helper()
	m, ok := f.sms.Take(phone)
	if !ok {
		f.t.Fatalf("the fake Aliyun received no SMS to %s", phone)
	}
	if m.TemplateCode != smsTemplates[scene] || m.SignName != aliSign {
		f.t.Fatalf("SMS to %s: template %s, sign %s; want %s (%s), %s", phone, m.TemplateCode, m.SignName, smsTemplates[scene], scene, aliSign)
	}
	if !smsCode.MatchString(m.TemplateParam["code"]) || m.TemplateParam["expMinute"] == "" {
		f.t.Fatalf("SMS to %s: TemplateParam %v, want a 6-digit code and expMinute", phone, m.TemplateParam)
	}
	return m.TemplateParam["code"]
}

func (f *fakeAliyun) count() int { return len(f.sms.Sent()) }

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
