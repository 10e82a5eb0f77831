package emailsender

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/email"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
	"github.com/idco-dev/idco/shared/wiring"
)

const (
	from      = "Band <no-reply@band.example>"
	recipient = "user@example.com"
	otpCode   = "482916"
	appName   = "Band"
	sesRegion = "eu-west-1"

	awsKeyID  = "AKIAFAKEIDCO0000TEST"
	awsSecret = "fake/aws/secret/key/0000000000000000000"
)

// newFakeSES starts fakeprov's SES, taking requests SigV4-signed for ses
// in sesRegion.
func newFakeSES(t *testing.T) *fakeprov.SES {
	t.Helper()
	return fakeprov.NewSES(t, fakeprov.AWSKey{ID: awsKeyID, Secret: awsSecret, Region: sesRegion})
}

// awsConfig is the functions' AWS config for f, from a region other than
// SES's: idco.email.region must win.
func awsConfig(f *fakeprov.SES) func() (aws.Config, error) {
	return func() (aws.Config, error) {
		return aws.Config{Region: "us-east-1", HTTPClient: f.Client(),
			Credentials: credentials.NewStaticCredentialsProvider(awsKeyID, awsSecret, "")}, nil
	}
}

// parseSet builds a config set from a JSON document, as the functions do:
// the test config's tokenSecret plus idco.email.
func parseSet(t *testing.T, idcoEmail map[string]any) *config.Set {
	t.Helper()
	doc := map[string]any{
		"tokenSecret": "test-token-secret-0123456789abcdef0123456789",
		"idco":        map[string]any{"email": idcoEmail},
	}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	set, err := config.Parse(data)
	if err != nil {
		t.Fatalf("config.Parse: %v", err)
	}
	return set
}

// parse is parseSet's config for the test app.
func parse(t *testing.T, idcoEmail map[string]any) *config.Config {
	t.Helper()
	cfg, err := parseSet(t, idcoEmail).For("__UNI__TEST", "web")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// wired returns the sender Wire builds, with IDCO_SES_ENDPOINT pointing at
// the fake.
func wired(t *testing.T, f *fakeprov.SES) account.EmailSender {
	t.Helper()
	svc := &account.Service{}
	rt := wiring.Runtime{Getenv: func(k string) string {
		if k == email.EnvSESEndpoint {
			return f.URL
		}
		return ""
	}, AWS: awsConfig(f)}
	if err := Wire.Apply(t.Context(), svc, rt); err != nil {
		t.Fatalf("Wire: %v", err)
	}
	return svc.Email
}

func codeEmail(cfg *config.Config, scene, locale string) account.Email {
	return account.Email{Config: cfg, To: recipient, Scene: scene, Code: otpCode, Minutes: 5, AppName: appName, Locale: locale}
}

func TestSendEmailRendersTheScene(t *testing.T) {
	tests := []struct {
		scene, locale        string
		subject              string
		textHas, textHasNot  []string
		htmlHas              string
		configurationSetName string
	}{
		{scene: "login-by-email", locale: "en", subject: "Your Band sign-in code",
			textHas: []string{"Use this code to sign in to Band:", otpCode, "The code expires in 5 minutes."}},
		{scene: "login-by-email", locale: "zh-Hans", subject: "Band 登录验证码",
			textHas: []string{"您正在登录 Band，本次的验证码是：", otpCode, "验证码 5 分钟内有效"}},
		{scene: "register", locale: "en", subject: "Your Band sign-up code",
			textHas: []string{"finish signing up for Band", otpCode, "5 minutes"}},
		{scene: "reset-pwd-by-email", locale: "zh-Hans", subject: "Band 重置密码验证码",
			textHas: []string{"重置 Band 账号的密码", otpCode, "5 分钟"}},
		{scene: "bind-email", locale: "en", subject: "Confirm your email for Band",
			textHas: []string{"link " + recipient + " to your Band account", otpCode}},
		// A locale without templates falls back to zh-Hans, as uni-id.
		{scene: "login-by-email", locale: "fr", subject: "Band 登录验证码", textHas: []string{otpCode}},
		{scene: "welcome", locale: "en", subject: "Welcome to Band",
			textHas: []string{"Your account was created with " + recipient}, textHasNot: []string{otpCode}},
	}
	for _, tc := range tests {
		t.Run(tc.scene+" "+tc.locale, func(t *testing.T) {
			f := newFakeSES(t)
			cfg := parse(t, map[string]any{"from": from, "region": sesRegion, "configurationSet": "idco-mail"})
			m := codeEmail(cfg, tc.scene, tc.locale)
			if tc.scene == "welcome" {
				m.Code, m.Minutes = "", 0
			}
			if err := wired(t, f).SendEmail(t.Context(), m); err != nil {
				t.Fatalf("SendEmail: %v", err)
			}
			reqs := f.Sent()
			if len(reqs) != 1 {
				t.Fatalf("requests = %d, want 1", len(reqs))
			}
			got := reqs[0]
			if got.FromEmailAddress != from || !reflect.DeepEqual(got.Destination.ToAddresses, []string{recipient}) ||
				got.ConfigurationSetName != "idco-mail" {
				t.Errorf("From, To, ConfigurationSetName = %q, %q, %q", got.FromEmailAddress, got.Destination.ToAddresses,
					got.ConfigurationSetName)
			}
			simple := got.Content.Simple
			if simple.Subject != (fakeprov.SESContent{Data: tc.subject, Charset: "UTF-8"}) {
				t.Errorf("Subject = %+v, want %q", simple.Subject, tc.subject)
			}
			// The code and its lifetime are in the body only: subjects show
			// on lock screens.
			if strings.Contains(simple.Subject.Data, otpCode) || strings.Contains(simple.Subject.Data, "5") {
				t.Errorf("Subject %q holds the code or its lifetime", simple.Subject.Data)
			}
			if simple.Body.Text == nil || simple.Body.Text.Charset != "UTF-8" {
				t.Fatalf("Body.Text = %+v", simple.Body.Text)
			}
			for _, s := range tc.textHas {
				if !strings.Contains(simple.Body.Text.Data, s) {
					t.Errorf("Text %q lacks %q", simple.Body.Text.Data, s)
				}
			}
			for _, s := range tc.textHasNot {
				if strings.Contains(simple.Body.Text.Data, s) {
					t.Errorf("Text %q holds %q", simple.Body.Text.Data, s)
				}
			}
			if simple.Body.Html == nil || !strings.Contains(simple.Body.Html.Data, "<html") ||
				tc.scene != "welcome" && !strings.Contains(simple.Body.Html.Data, otpCode) {
				t.Errorf("Body.Html = %+v, want the HTML version with the code", simple.Body.Html)
			}
		})
	}
}

func TestTemplateOverrides(t *testing.T) {
	f := newFakeSES(t)
	cfg := parse(t, map[string]any{"from": from, "region": sesRegion, "templates": map[string]any{
		"login-by-email": map[string]any{
			"en": map[string]any{"subject": "Sign in to {appName}", "text": "Code: {code} ({minutes} min)"},
		},
		"bind-email": map[string]any{
			"zh-Hans": map[string]any{"subject": "绑定 {appName} 邮箱"},
		},
	}})
	s := wired(t, f)
	for _, m := range []account.Email{codeEmail(cfg, "login-by-email", "en"), codeEmail(cfg, "login-by-email", "zh-Hans"),
		codeEmail(cfg, "bind-email", "zh-Hans")} {
		if err := s.SendEmail(t.Context(), m); err != nil {
			t.Fatalf("SendEmail: %v", err)
		}
	}
	reqs := f.Sent()
	if len(reqs) != 3 {
		t.Fatalf("requests = %d, want 3", len(reqs))
	}
	// The overridden text replaces the body: no default HTML alongside.
	en := reqs[0].Content.Simple
	if en.Subject.Data != "Sign in to Band" || en.Body.Text == nil || en.Body.Text.Data != "Code: "+otpCode+" (5 min)" || en.Body.Html != nil {
		t.Errorf("overridden en = %q, %+v, %+v", en.Subject.Data, en.Body.Text, en.Body.Html)
	}
	// Other locales of the scene keep the defaults.
	if zh := reqs[1].Content.Simple; zh.Subject.Data != "Band 登录验证码" || zh.Body.Html == nil {
		t.Errorf("zh-Hans login-by-email = %q, html %v: want the default", zh.Subject.Data, zh.Body.Html != nil)
	}
	// A subject-only override keeps the default body.
	bind := reqs[2].Content.Simple
	if bind.Subject.Data != "绑定 Band 邮箱" || bind.Body.Text == nil || !strings.Contains(bind.Body.Text.Data, otpCode) ||
		!strings.Contains(bind.Body.Text.Data, "您正在将邮箱 "+recipient+" 绑定到 Band 账号") {
		t.Errorf("bind-email with a subject override = %q, %+v", bind.Subject.Data, bind.Body.Text)
	}
}

func TestSESErrors(t *testing.T) {
	tests := []struct {
		name      string
		fault     fakeprov.SESFault
		code      string
		retryable bool
	}{
		{"throttling", fakeprov.SESError(400, "ThrottlingException", "Rate exceeded"), "ThrottlingException", true},
		{"sending rate", fakeprov.SESMaxSendRate, "LimitExceededException", true},
		{"rejected", fakeprov.SESError(400, "MessageRejected", "Email address is not verified. The following identities failed the check in region EU-WEST-1: "+recipient),
			"MessageRejected", false},
		{"paused", fakeprov.SESError(400, "SendingPausedException", "Sending is paused for this account."), "SendingPausedException", false},
		{"server", fakeprov.SESUnavailable, email.CodeTransport, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeSES(t)
			f.Fail(tc.fault, -1)
			cfg := parse(t, map[string]any{"from": from, "region": sesRegion})
			err := wired(t, f).SendEmail(t.Context(), codeEmail(cfg, "login-by-email", "en"))
			if err == nil {
				t.Fatal("SendEmail succeeded")
			}
			if got := errors.Is(err, account.ErrDeliveryRetryable); got != tc.retryable {
				t.Errorf("errors.Is(%v, ErrDeliveryRetryable) = %v, want %v", err, got, tc.retryable)
			}
			if errors.Is(err, account.ErrDeliveryLimited) {
				t.Errorf("errors.Is(%v, ErrDeliveryLimited): SES has no per-destination limit", err)
			}
			var ee *email.Error
			if !errors.As(err, &ee) || ee.Code != tc.code {
				t.Errorf("error %v: want an *email.Error with code %s", err, tc.code)
			}
			if strings.Contains(err.Error(), recipient) || strings.Contains(err.Error(), otpCode) {
				t.Errorf("error %q holds the recipient or the code", err)
			}
		})
	}
}

func TestOneMailerPerConfig(t *testing.T) {
	f := newFakeSES(t)
	var loads atomic.Int32
	e := &Email{Endpoints: map[string]string{"ses": f.URL}, AWS: func() (aws.Config, error) { loads.Add(1); return awsConfig(f)() }}
	a := parse(t, map[string]any{"from": from, "region": sesRegion})
	a2 := parse(t, map[string]any{"from": from, "region": sesRegion}) // parsed apart, equal
	b := parse(t, map[string]any{"from": "Other <no-reply@other.example>", "region": sesRegion})
	for _, cfg := range []*config.Config{a, a2, b, a} {
		if err := e.SendEmail(t.Context(), codeEmail(cfg, "login-by-email", "en")); err != nil {
			t.Fatalf("SendEmail: %v", err)
		}
	}
	if n := loads.Load(); n != 2 {
		t.Errorf("AWS config loads = %d, want 2 (one per distinct idco.email)", n)
	}
	var froms []string
	for _, r := range f.Sent() {
		froms = append(froms, r.FromEmailAddress)
	}
	if want := []string{from, from, "Other <no-reply@other.example>", from}; !reflect.DeepEqual(froms, want) {
		t.Errorf("From = %q, want %q", froms, want)
	}
}

func TestSendEmailRefusesBeforeSending(t *testing.T) {
	f := newFakeSES(t)
	s := wired(t, f)
	noEmail := parse(t, nil)
	badTemplates := parse(t, map[string]any{"from": from, "region": sesRegion, "templates": map[string]any{"welcome": "not an object"}})
	unknownScene := codeEmail(parse(t, map[string]any{"from": from, "region": sesRegion}), "set-pwd-by-email", "en")
	for name, m := range map[string]account.Email{
		"no idco.email": codeEmail(noEmail, "login-by-email", "en"),
		"bad templates": codeEmail(badTemplates, "login-by-email", "en"),
		"unknown scene": unknownScene,
		"no single recipient": func() account.Email {
			m := codeEmail(parse(t, map[string]any{"from": from, "region": sesRegion}), "login-by-email", "en")
			m.To = "a@example.com\r\nBcc: b@example.com"
			return m
		}(),
	} {
		err := s.SendEmail(t.Context(), m)
		if err == nil || errors.Is(err, account.ErrDeliveryRetryable) {
			t.Errorf("%s: SendEmail = %v, want a permanent error", name, err)
		}
	}
	if n := f.Calls(); n != 0 {
		t.Errorf("SES was called %d times", n)
	}
}
