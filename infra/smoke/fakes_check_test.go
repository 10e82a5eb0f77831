package smoke

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/idco-dev/idco/shared/email"
	"github.com/idco-dev/idco/shared/sms"
)

// The smoke fakes must refuse what the real services refuse, or a green
// smoke run proves nothing about the senders' signatures and grants. These
// tests drive the fakes with idco's own SMS and SES clients.

// reports collects what a fake refused, instead of failing the test.
type reports struct {
	mu  sync.Mutex
	got []string
}

func (r *reports) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, fmt.Sprintf(format, args...))
}

// take returns what was reported since the last take.
func (r *reports) take() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := strings.Join(r.got, "; ")
	r.got = nil
	return s
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestFakeAliyunAuthenticates(t *testing.T) {
	f := newFakeAliyun(t)
	var rep reports
	f.report = rep.add
	msg := sms.Message{Phone: "+8613800138000", TemplateID: smsTemplates["login-by-sms"],
		Params: []sms.Param{{Name: "code", Value: "204817"}, {Name: "expMinute", Value: "3"}}}
	client := func(keyID, secret string) *sms.Aliyun {
		return sms.NewAliyun(sms.AliyunConfig{AccessKeyID: keyID, AccessKeySecret: secret, SignName: aliSign, Endpoint: f.URL}, nil)
	}
	if err := client(aliKeyID, aliSecret).Send(t.Context(), msg); err != nil {
		t.Fatalf("a genuine SendSms: %v (%s)", err, rep.take())
	}
	if code := f.take("13800138000", "login-by-sms"); code != "204817" {
		t.Errorf("take = %q, want 204817", code)
	}

	stale := client(aliKeyID, aliSecret)
	stale.Now = func() time.Time { return time.Now().Add(-time.Hour) }
	replay := client(aliKeyID, aliSecret)
	replay.Rand = zeros{}
	if err := replay.Send(t.Context(), msg); err != nil {
		t.Fatalf("the first send with a fixed nonce: %v (%s)", err, rep.take())
	}
	f.take("13800138000", "login-by-sms")
	for name, tc := range map[string]struct {
		a    *sms.Aliyun
		want string
	}{
		"wrong secret":   {client(aliKeyID, "not-the-secret"), "SignatureDoesNotMatch"},
		"unknown key":    {client("LTAI5tSomeoneElse", aliSecret), "InvalidAccessKeyId.NotFound"},
		"stale date":     {stale, "InvalidTimeStamp.Expired"},
		"replayed nonce": {replay, "SignatureNonceUsed"},
	} {
		if err := tc.a.Send(t.Context(), msg); err == nil {
			t.Errorf("%s: SendSms succeeded", name)
		}
		if got := rep.take(); !strings.Contains(got, tc.want) {
			t.Errorf("%s: the fake reported %q, want %s", name, got, tc.want)
		}
	}
	if n := f.count(); n != 0 {
		t.Errorf("the fake kept %d refused messages", n)
	}
}

func TestFakeSESAuthenticates(t *testing.T) {
	region, keyID, secret, token := lambdaEnv("AWS_REGION"), lambdaEnv("AWS_ACCESS_KEY_ID"),
		lambdaEnv("AWS_SECRET_ACCESS_KEY"), lambdaEnv("AWS_SESSION_TOKEN")
	f := newFakeSES(t, []string{"send-email-code", "login"}, region, keyID, secret, token)
	var rep reports
	f.report = rep.add
	const to = "dave@example.com"
	msg := email.Message{To: to, Subject: "Your Smoke sign-in code", Text: "Hello,\n\n731904\n\nBye\n"}
	send := func(family, region, keyID, secret, token, configurationSet string) error {
		cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, token)}
		return email.NewSES(cfg, f.urls[family], emailFrom, configurationSet).Send(t.Context(), msg)
	}
	if err := send("send-email-code", region, keyID, secret, token, "idco-smoke"); err != nil {
		t.Fatalf("a genuine SendEmail: %v (%s)", err, rep.take())
	}
	if code, m := f.take("send-email-code", to); code != "731904" || m.ConfigurationSetName != "idco-smoke" {
		t.Errorf("take = %q, %+v", code, m)
	}
	for name, tc := range map[string]struct {
		region, keyID, secret, token string
		want                         string
	}{
		"wrong secret":     {region, keyID, "not-the-secret", token, "signature does not match"},
		"another key":      {region, "ASIAOTHERKEY00000000", secret, token, "credential"},
		"another region":   {"eu-west-1", keyID, secret, token, "credential"},
		"no session token": {region, keyID, secret, "", "x-amz-security-token"},
		"another token":    {region, keyID, secret, "other-session-token", "session token"},
	} {
		if err := send("send-email-code", tc.region, tc.keyID, tc.secret, tc.token, ""); err == nil {
			t.Errorf("%s: SendEmail succeeded", name)
		}
		if got := rep.take(); !strings.Contains(got, tc.want) {
			t.Errorf("%s: the fake reported %q, want %q", name, got, tc.want)
		}
	}
	// A function without ses:SendEmail is refused as IAM would.
	err := send("login", region, keyID, secret, token, "")
	if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") {
		t.Errorf("SendEmail from login = %v, want AccessDeniedException", err)
	}
	if d := f.Denied(); len(d) != 1 || !strings.HasPrefix(d[0], "login: ses:SendEmail") {
		t.Errorf("Denied() = %v", d)
	}
	if n := f.count(); n != 0 {
		t.Errorf("the fake kept %d refused emails", n)
	}
	if got := rep.take(); got != "" {
		t.Errorf("unexpected reports: %s", got)
	}
}

func TestContainsCode(t *testing.T) {
	const code = "482916"
	for _, log := range []string{
		`{"msg":"sent","code":"482916"}`,
		`{"msg":"code 482916 sent"}`,
		`{"params":{"code":482916}}`,
		"482916",
	} {
		if !containsCode(log, code) {
			t.Errorf("containsCode(%s) = false", log)
		}
	}
	for _, log := range []string{
		`{"time":"2026-11-25T12:00:00.482916123Z"}`,
		`{"requestId":"c0ffee00-0000-4000-8000-0000a482916b"}`,
		`{"durationMs":1482916}`,
		`{"requestId":"ab482916-0000-4000-8000-000000000000"}`,
	} {
		if containsCode(log, code) {
			t.Errorf("containsCode(%s) = true", log)
		}
	}
}
