package emailsender

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/email"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
	"github.com/idco-dev/idco/shared/wiring"
)

const (
	dmKeyID   = "LTAI5tFakeDirectMail01"
	dmSecret  = "fake-directmail-secret-51ab"
	dmFrom    = "Band 乐队 <No-Reply@Mail.Band.example>"
	dmAccount = "no-reply@mail.band.example" // as the console stores it
)

// newFakeDirectMail starts fakeprov's DirectMail with one sender address.
func newFakeDirectMail(t *testing.T) *fakeprov.DirectMail {
	t.Helper()
	f := fakeprov.NewDirectMail(t, fakeprov.ACS3Key{ID: dmKeyID, Secret: dmSecret})
	f.AccountNames = []string{dmAccount}
	return f
}

// directMail is idco.email for DirectMail with block changed by edit.
func directMail(edit func(block map[string]any)) map[string]any {
	block := map[string]any{"accessKeyId": dmKeyID, "accessKeySecret": dmSecret, "replyToAddress": true, "tagName": "idco"}
	if edit != nil {
		edit(block)
	}
	return map[string]any{"provider": "aliyun", "from": dmFrom, "aliyun": block}
}

// wiredDM returns the sender Wire builds, with IDCO_DIRECTMAIL_ENDPOINT
// pointing at the fake, or Wire's error.
func wiredDM(t *testing.T, f *fakeprov.DirectMail, idcoEmail map[string]any) (account.EmailSender, error) {
	t.Helper()
	svc := &account.Service{Config: parseSet(t, idcoEmail)}
	rt := wiring.Runtime{Getenv: func(k string) string {
		if k == email.EnvDirectMailEndpoint {
			return f.URL
		}
		return ""
	}, AWS: func() (aws.Config, error) { return aws.Config{}, errors.New("DirectMail needs no AWS config") }}
	err := Wire.Apply(t.Context(), svc, rt)
	return svc.Email, err
}

func TestDirectMailSendsTheScene(t *testing.T) {
	tests := []struct {
		scene, locale, subject string
		textHas                []string
	}{
		{"login-by-email", "zh-Hans", "Band 登录验证码", []string{"您正在登录 Band，本次的验证码是：", otpCode, "验证码 5 分钟内有效"}},
		{"register", "en", "Your Band sign-up code", []string{"finish signing up for Band", otpCode}},
		{"reset-pwd-by-email", "en", "Reset your Band password", []string{otpCode, "your password will not change"}},
		{"bind-email", "zh-Hans", "Band 绑定邮箱验证码", []string{"您正在将邮箱 " + recipient + " 绑定到 Band 账号", otpCode}},
		{"welcome", "en", "Welcome to Band", []string{"Your account was created with " + recipient}},
		{"password-changed", "zh-Hans", "Band 账号密码已变更", []string{"您的 Band 账号密码刚刚被更改。"}},
	}
	for _, tc := range tests {
		t.Run(tc.scene+" "+tc.locale, func(t *testing.T) {
			f := newFakeDirectMail(t)
			s, err := wiredDM(t, f, directMail(nil))
			if err != nil {
				t.Fatalf("Wire: %v", err)
			}
			cfg := parse(t, directMail(nil))
			m := codeEmail(cfg, tc.scene, tc.locale)
			if tc.scene == "welcome" || tc.scene == "password-changed" {
				m.Code, m.Minutes = "", 0
			}
			if err := s.SendEmail(t.Context(), m); err != nil {
				t.Fatalf("SendEmail: %v", err)
			}
			got, ok := f.Take(recipient)
			if !ok {
				t.Fatalf("DirectMail sent nothing to %s; sent %+v", recipient, f.Sent())
			}
			want := fakeprov.DirectMailMessage{AccountName: dmAccount, FromAlias: "Band 乐队", ToAddress: recipient,
				Subject: tc.subject, AddressType: "1", ReplyToAddress: "true", TagName: "idco"}
			if got.AccountName != want.AccountName || got.FromAlias != want.FromAlias || got.ToAddress != want.ToAddress ||
				got.Subject != want.Subject || got.AddressType != want.AddressType || got.ReplyToAddress != want.ReplyToAddress ||
				got.TagName != want.TagName {
				t.Errorf("SingleSendMail = %+v, want %+v", got, want)
			}
			for _, s := range tc.textHas {
				if !strings.Contains(got.TextBody, s) || !strings.Contains(got.HtmlBody, s) {
					t.Errorf("TextBody %q or HtmlBody lacks %q", got.TextBody, s)
				}
			}
			if m.Code == "" && strings.Contains(got.TextBody+got.HtmlBody, otpCode) {
				t.Errorf("a mail without code holds %s", otpCode)
			}
			if strings.Contains(got.Subject, otpCode) {
				t.Errorf("Subject %q holds the code: subjects show on lock screens", got.Subject)
			}
		})
	}
}

func TestDirectMailErrors(t *testing.T) {
	tests := []struct {
		name      string
		fault     fakeprov.Reply
		edit      func(map[string]any)
		code      string
		retryable bool
	}{
		{name: "throttled", fault: fakeprov.DirectMailThrottled, code: "Throttling.User", retryable: true},
		{name: "unavailable", fault: fakeprov.DirectMailUnavailable, code: "ServiceUnavailable", retryable: true},
		{name: "gateway page", fault: fakeprov.HTMLPage(502, "502 Bad Gateway"), code: email.CodeTransport, retryable: true},
		{name: "spam filter", fault: fakeprov.DirectMailSpam, code: "InvalidSendMail.Spam"},
		{name: "bad recipient", fault: fakeprov.DirectMailError(400, "InvalidToAddress.Spam",
			"Sendmail rejected by invalid address: "+recipient), code: "InvalidToAddress.Spam"},
		{name: "wrong secret", edit: func(b map[string]any) { b["accessKeySecret"] = "not-the-secret" }, code: "SignatureDoesNotMatch"},
		{name: "unknown key", edit: func(b map[string]any) { b["accessKeyId"] = "LTAI5tSomeoneElse" }, code: "InvalidAccessKeyId.NotFound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDirectMail(t)
			f.Report = t.Logf // the gateway's refusals are what some cases ask for
			if tc.fault.Status != 0 {
				f.Fail(tc.fault, -1)
			}
			idcoEmail := directMail(tc.edit)
			s, err := wiredDM(t, f, idcoEmail)
			if err != nil {
				t.Fatalf("Wire: %v", err)
			}
			err = s.SendEmail(t.Context(), codeEmail(parse(t, idcoEmail), "login-by-email", "en"))
			if err == nil {
				t.Fatal("SendEmail succeeded")
			}
			if got := errors.Is(err, account.ErrDeliveryRetryable); got != tc.retryable {
				t.Errorf("errors.Is(%v, ErrDeliveryRetryable) = %v, want %v", err, got, tc.retryable)
			}
			var ee *email.Error
			if !errors.As(err, &ee) || ee.Code != tc.code || ee.Provider != "aliyun" {
				t.Errorf("error %v: want an aliyun *email.Error with code %s", err, tc.code)
			}
			for _, secret := range []string{recipient, otpCode, dmSecret} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q holds %q", err, secret)
				}
			}
			if n := len(f.Sent()); n != 0 {
				t.Errorf("the fake sent %d emails", n)
			}
		})
	}
}

// TestWireChecksDirectMailConfig: a bad idco.email stops the cold start
// with every problem named, before any send.
func TestWireChecksDirectMailConfig(t *testing.T) {
	tests := []struct {
		name      string
		idcoEmail map[string]any
		want      []string
	}{
		{"empty block", map[string]any{"provider": "aliyun", "from": dmFrom, "aliyun": map[string]any{}},
			[]string{"idco.email.aliyun.accessKeyId: required", "idco.email.aliyun.accessKeySecret: required"}},
		{"no block", map[string]any{"provider": "aliyun", "from": dmFrom},
			[]string{"idco.email.aliyun: required for provider aliyun"}},
		{"unknown provider", map[string]any{"provider": "sendgrid", "from": dmFrom},
			[]string{"idco.email.provider: must be ses or aliyun"}},
		{"misspelt key", directMail(func(b map[string]any) { b["accesKeyId"] = "x" }),
			[]string{`idco.email.aliyun: json: unknown field "accesKeyId"`}},
		{"region and endpoint", directMail(func(b map[string]any) { b["regionId"] = "cn-beijing"; b["endpoint"] = "https://dm.aliyuncs.com/x" }),
			[]string{"idco.email.aliyun.regionId: must be one of", "idco.email.aliyun.endpoint: must not have a path"}},
		{"long alias and SES keys", func() map[string]any {
			e := directMail(nil)
			e["from"], e["configurationSet"], e["region"] = "A sender name of twenty <no-reply@mail.band.example>", "idco-mail", "us-east-1"
			return e
		}(), []string{"idco.email.from: DirectMail shows a sender name of at most 15 characters",
			"idco.email.configurationSet: used by provider ses only", "idco.email.region: used by provider ses only"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDirectMail(t)
			_, err := wiredDM(t, f, tc.idcoEmail)
			if err == nil {
				t.Fatal("Wire accepted the config")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Wire: %v\nwant it to name %q", err, w)
				}
			}
			if strings.Contains(err.Error(), dmSecret) {
				t.Errorf("Wire's error %q holds the secret", err)
			}
		})
	}
	// The same keys with every required one: accepted.
	if _, err := wiredDM(t, newFakeDirectMail(t), directMail(nil)); err != nil {
		t.Errorf("Wire with a complete block: %v", err)
	}
}
