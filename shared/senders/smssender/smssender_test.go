package smssender

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/sms"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
	"github.com/idco-dev/idco/shared/wiring"
)

// Values the fakes know. The code is distinctive so that a test can tell it
// from anything else in a request.
const (
	aliKeyID   = "LTAI5tFakeKeyId7Q"
	aliSecret  = "fake-aliyun-secret-9d2c"
	aliSign    = "阿里云短信测试"
	aliTplCode = "SMS_154950909"
	otpCode    = "739201"
	phone      = "+8613812345678"
	appName    = "Band"

	awsKeyID  = "AKIAFAKEIDCO0000TEST"
	awsSecret = "fake/aws/secret/key/0000000000000000000"
)

// parse builds a config set the way the functions do, from a JSON document:
// the test config's tokenSecret plus idco.sms and service.sms.
func parse(t *testing.T, idcoSMS, serviceSMS map[string]any) *config.Set {
	t.Helper()
	doc := map[string]any{
		"tokenSecret": "test-token-secret-0123456789abcdef0123456789",
		"idco":        map[string]any{"sms": idcoSMS},
	}
	if serviceSMS != nil {
		doc["service"] = map[string]any{"sms": serviceSMS}
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

// cfgOf returns the set's only config.
func cfgOf(t *testing.T, set *config.Set) *config.Config {
	t.Helper()
	cfg, err := set.For("__UNI__TEST", "app")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// aliyunSMS is a complete idco.sms block for Aliyun at endpoint.
func aliyunSMS(endpoint string, templateParams ...string) map[string]any {
	m := map[string]any{
		"provider": "aliyun",
		"aliyun": map[string]any{"accessKeyId": aliKeyID, "accessKeySecret": aliSecret, "signName": aliSign,
			"endpoint": endpoint},
	}
	if len(templateParams) > 0 {
		m["templateParams"] = templateParams
	}
	return m
}

// serviceSMS is uni-id's service.sms with a template for every SMS scene.
func serviceSMS() map[string]any {
	scenes := map[string]any{}
	for scene := range config.SMSScenes {
		scenes[scene] = map[string]any{"templateId": aliTplCode}
	}
	return map[string]any{"name": appName, "codeExpiresIn": 180, "scene": scenes}
}

// message is the account.SMS sendSmsCode builds for cfg.
func message(cfg *config.Config, scene, locale string) account.SMS {
	return account.SMS{Config: cfg, Phone: phone, Scene: scene, TemplateID: aliTplCode, Code: otpCode,
		Minutes: 3, AppName: appName, Locale: locale}
}

// newFakeAliyun starts fakeprov's Aliyun SMS, taking SendSms signed by
// the configured AccessKey with the configured sign.
func newFakeAliyun(t *testing.T) *fakeprov.AliyunSMS {
	t.Helper()
	f := fakeprov.NewAliyunSMS(t, fakeprov.ACS3Key{ID: aliKeyID, Secret: aliSecret})
	f.SignName = aliSign
	return f
}

// noAWS fails the test: Aliyun needs no AWS config.
func noAWS(t *testing.T) func() (aws.Config, error) {
	return func() (aws.Config, error) {
		t.Error("the AWS config was loaded for a provider that does not use it")
		return aws.Config{}, errors.New("no AWS here")
	}
}

func TestAliyunSendsTemplateParams(t *testing.T) {
	tests := []struct {
		name           string
		templateParams []string
		scene          string
		want           map[string]string
	}{
		{"default params", nil, "login-by-sms", map[string]string{"code": otpCode, "expMinute": "3"}},
		{"uni-id's four", []string{"name", "code", "expMinute", "action"}, "login-by-sms",
			map[string]string{"name": appName, "code": otpCode, "expMinute": "3", "action": "登录"}},
		{"action of another scene", []string{"code", "action"}, "bind-mobile-by-sms",
			map[string]string{"code": otpCode, "action": "验证手机号"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAliyun(t)
			cfg := cfgOf(t, parse(t, aliyunSMS(f.URL, tc.templateParams...), serviceSMS()))
			s := &SMS{AWS: noAWS(t), HTTP: f.Client()}
			if err := s.SendSMS(t.Context(), message(cfg, tc.scene, "zh-Hans")); err != nil {
				t.Fatalf("SendSMS: %v", err)
			}
			got := f.Sent()
			if len(got) != 1 {
				t.Fatalf("requests = %d, want 1", len(got))
			}
			q := got[0].Query
			if q.Get("PhoneNumbers") != "13812345678" || q.Get("SignName") != aliSign || q.Get("TemplateCode") != aliTplCode {
				t.Errorf("PhoneNumbers, SignName, TemplateCode = %q, %q, %q", q.Get("PhoneNumbers"), q.Get("SignName"), q.Get("TemplateCode"))
			}
			var params map[string]string
			if err := json.Unmarshal([]byte(q.Get("TemplateParam")), &params); err != nil {
				t.Fatalf("TemplateParam %q is not a JSON object of strings: %v", q.Get("TemplateParam"), err)
			}
			if !reflect.DeepEqual(params, tc.want) {
				t.Errorf("TemplateParam = %v, want %v", params, tc.want)
			}
			// Aliyun renders the text from the template: the request carries
			// the params in the template's order and nothing else.
			var order []string
			dec := json.NewDecoder(strings.NewReader(q.Get("TemplateParam")))
			for tok, err := dec.Token(); err == nil; tok, err = dec.Token() {
				if k, ok := tok.(string); ok && dec.More() {
					order = append(order, k)
					_, _ = dec.Token()
				}
			}
			wantOrder := tc.templateParams
			if wantOrder == nil {
				wantOrder = []string{"code", "expMinute"}
			}
			if !reflect.DeepEqual(order, wantOrder) {
				t.Errorf("TemplateParam order = %v, want %v", order, wantOrder)
			}
		})
	}
}

func TestAliyunErrors(t *testing.T) {
	tests := []struct {
		name               string
		fault              fakeprov.Reply
		limited, retryable bool
	}{
		{name: "per-number flow control", fault: fakeprov.AliyunSMSBusinessLimit, limited: true},
		{name: "HTTP 500", fault: fakeprov.HTMLPage(500, "500 Internal Server Error"), retryable: true},
		{name: "system error", fault: fakeprov.AliyunSMSSystemError, retryable: true},
		{name: "timeout", fault: fakeprov.Hang, retryable: true},
		{name: "bad number", fault: fakeprov.AliyunSMSMobileNumber},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAliyun(t)
			f.Fail(tc.fault, -1)
			hc := f.Client()
			delay := tc.fault.Hang
			if delay {
				f.Delay = 2 * time.Second
				hc.Timeout = 100 * time.Millisecond
			}
			cfg := cfgOf(t, parse(t, aliyunSMS(f.URL), serviceSMS()))
			s := &SMS{AWS: noAWS(t), HTTP: hc}
			start := time.Now()
			err := s.SendSMS(t.Context(), message(cfg, "login-by-sms", "zh-Hans"))
			if err == nil {
				t.Fatal("SendSMS succeeded")
			}
			if delay && time.Since(start) > time.Second {
				t.Errorf("a timed-out send took %v", time.Since(start))
			}
			if got := errors.Is(err, account.ErrDeliveryLimited); got != tc.limited {
				t.Errorf("errors.Is(%v, ErrDeliveryLimited) = %v, want %v", err, got, tc.limited)
			}
			if got := errors.Is(err, account.ErrDeliveryRetryable); got != tc.retryable {
				t.Errorf("errors.Is(%v, ErrDeliveryRetryable) = %v, want %v", err, got, tc.retryable)
			}
			var se *sms.Error
			if !errors.As(err, &se) || se.Provider != "aliyun" {
				t.Errorf("error %v is not the provider's *sms.Error", err)
			}
			if strings.Contains(err.Error(), otpCode) {
				t.Errorf("error %q holds the code", err)
			}
		})
	}
}

// TestOneClientPerConfig counts the clients built by what they do: each
// config's client sends to that config's endpoint, and a config equal to
// one seen before reuses its client.
func TestOneClientPerConfig(t *testing.T) {
	fa, fb := newFakeAliyun(t), newFakeAliyun(t)
	cfgA := cfgOf(t, parse(t, aliyunSMS(fa.URL), serviceSMS()))
	cfgA2 := cfgOf(t, parse(t, aliyunSMS(fa.URL), serviceSMS())) // parsed apart, equal
	cfgB := cfgOf(t, parse(t, aliyunSMS(fb.URL), serviceSMS()))
	s := &SMS{AWS: noAWS(t), HTTP: http.DefaultClient}
	for _, cfg := range []*config.Config{cfgA, cfgB, cfgA2, cfgA} {
		if err := s.SendSMS(t.Context(), message(cfg, "login-by-sms", "zh-Hans")); err != nil {
			t.Fatalf("SendSMS: %v", err)
		}
	}
	if a, b := len(fa.Sent()), len(fb.Sent()); a != 3 || b != 1 {
		t.Errorf("requests to A, B = %d, %d, want 3, 1", a, b)
	}
	if len(s.by) != 2 {
		t.Errorf("clients built = %d, want 2", len(s.by))
	}

	// The AWS providers load the AWS config once per client they build.
	var loads atomic.Int32
	f := newFakeSNS(t)
	s = &SMS{AWS: func() (aws.Config, error) { loads.Add(1); return snsConfig(f), nil }}
	snsA := cfgOf(t, parse(t, map[string]any{"provider": "sns", "sns": map[string]any{"region": "ap-southeast-1"}}, nil))
	snsB := cfgOf(t, parse(t, map[string]any{"provider": "sns", "sns": map[string]any{"region": "ap-southeast-1", "senderId": "BAND"}}, nil))
	for _, cfg := range []*config.Config{snsA, snsA, snsB, snsB, snsA} {
		if err := s.SendSMS(t.Context(), message(cfg, "login-by-sms", "en")); err != nil {
			t.Fatalf("SendSMS: %v", err)
		}
	}
	if n := loads.Load(); n != 2 {
		t.Errorf("AWS config loads = %d, want 2 (one per distinct config)", n)
	}
	if got := snsParams(f); len(got) != 5 || got[2]["MessageAttributes.entry.2.Value.StringValue"] != "BAND" ||
		got[0]["MessageAttributes.entry.2.Value.StringValue"] != "" {
		t.Errorf("SNS requests = %v, want 5, the third and fourth with sender ID BAND", got)
	}
}

func TestConcurrentSendsShareOneClient(t *testing.T) {
	f := newFakeAliyun(t)
	cfg := cfgOf(t, parse(t, aliyunSMS(f.URL), serviceSMS()))
	s := &SMS{AWS: noAWS(t), HTTP: f.Client()}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := s.SendSMS(context.Background(), message(cfg, "login-by-sms", "zh-Hans")); err != nil {
				t.Errorf("SendSMS: %v", err)
			}
		})
	}
	wg.Wait()
	if n := len(f.Sent()); n != 8 || len(s.by) != 1 {
		t.Errorf("requests, clients = %d, %d, want 8, 1", n, len(s.by))
	}
}

func TestSendWithoutSMSConfig(t *testing.T) {
	set := parse(t, nil, nil)
	s := &SMS{AWS: noAWS(t)}
	err := s.SendSMS(t.Context(), message(cfgOf(t, set), "login-by-sms", "en"))
	if err == nil || errors.Is(err, account.ErrDeliveryRetryable) || errors.Is(err, account.ErrDeliveryLimited) {
		t.Errorf("SendSMS without idco.sms = %v, want a permanent error", err)
	}
}

// wire runs Wire over a config document and returns its error and the
// service.
func wire(t *testing.T, set *config.Set) (*account.Service, error) {
	t.Helper()
	svc := &account.Service{Config: set}
	err := Wire.Apply(t.Context(), svc, wiring.Runtime{Getenv: func(string) string { return "" }, AWS: noAWS(t)})
	return svc, err
}

func TestWireRefusesIncompleteConfigs(t *testing.T) {
	tests := []struct {
		name       string
		idcoSMS    map[string]any
		serviceSMS map[string]any
		want       []string // every problem, each in the error
	}{
		{"aliyun block missing", map[string]any{"provider": "aliyun"}, serviceSMS(),
			[]string{"idco.sms.aliyun: required for this provider"}},
		{"aliyun keys missing, no templates",
			map[string]any{"provider": "aliyun", "aliyun": map[string]any{"accessKeyId": aliKeyID, "endpoint": "ftp://x"}}, nil,
			[]string{"idco.sms.aliyun.accessKeySecret: required", "idco.sms.aliyun.signName: required",
				"idco.sms.aliyun.endpoint: scheme must be https or http",
				"service.sms.scene.login-by-sms.templateId: required by aliyun",
				"service.sms.scene.reset-pwd-by-sms.templateId: required by aliyun",
				"service.sms.scene.bind-mobile-by-sms.templateId: required by aliyun",
				"service.sms.scene.set-pwd-by-sms.templateId: required by aliyun"}},
		{"tencent with one template missing",
			map[string]any{"provider": "tencent", "tencent": map[string]any{"secretId": "AKIDfake", "sdkAppId": "1400006666", "signName": "Band"}},
			map[string]any{"name": appName, "scene": map[string]any{
				"login-by-sms": map[string]any{"templateId": "449739"}, "reset-pwd-by-sms": map[string]any{"templateId": "449740"},
				"bind-mobile-by-sms": map[string]any{"templateId": "449741"}}},
			[]string{"idco.sms.tencent.secretKey: required", "service.sms.scene.set-pwd-by-sms.templateId: required by tencent"}},
		{"no provider", map[string]any{"allowedRegions": []string{"+86"}}, nil, []string{"idco.sms.provider: required"}},
		{"unknown provider", map[string]any{"provider": "twilio"}, nil, []string{"idco.sms.provider: must be aliyun, tencent, aws-eum or sns"}},
		{"sns type", map[string]any{"provider": "sns", "sns": map[string]any{"smsType": "Bulk"}}, nil,
			[]string{"idco.sms.sns.smsType: must be one of Transactional, Promotional"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svc, err := wire(t, parse(t, tc.idcoSMS, tc.serviceSMS))
			if err == nil {
				t.Fatal("Wire accepted the config")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Wire error %q does not list %q", err, w)
				}
			}
			if n := strings.Count(err.Error(), "; ") + 1; n != len(tc.want) {
				t.Errorf("Wire error lists %d problems, want %d: %q", n, len(tc.want), err)
			}
			if svc.SMS != nil {
				t.Error("Wire set a sender despite the problems")
			}
			if strings.Contains(err.Error(), aliSecret) {
				t.Errorf("Wire error %q holds a secret", err)
			}
		})
	}
}

// TestWireListsEveryAppsProblems: a per-app config document is checked app
// by app, and a problem several apps share is listed once.
func TestWireListsEveryAppsProblems(t *testing.T) {
	doc := `[
	  {"dcloudAppid": "__UNI__A", "isDefaultConfig": true, "tokenSecret": "test-token-secret-0123456789abcdef0123456789",
	   "idco": {"sms": {"provider": "aliyun", "aliyun": {"accessKeyId": "k", "signName": "s"}}}},
	  {"dcloudAppid": "__UNI__B", "tokenSecret": "test-token-secret-0123456789abcdef0123456789",
	   "idco": {"sms": {"provider": "aliyun", "aliyun": {"accessKeyId": "k2", "signName": "s2"}}}},
	  {"dcloudAppid": "__UNI__C", "tokenSecret": "test-token-secret-0123456789abcdef0123456789",
	   "idco": {"sms": {"provider": "tencent"}}}
	]`
	set, err := config.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	_, err = wire(t, set)
	if err == nil {
		t.Fatal("Wire accepted the config")
	}
	want := []string{"idco.sms.aliyun.accessKeySecret: required", "idco.sms.tencent: required for this provider"}
	for scene := range config.SMSScenes {
		want = append(want, "service.sms.scene."+scene+".templateId: required by aliyun",
			"service.sms.scene."+scene+".templateId: required by tencent")
	}
	for _, w := range want {
		if c := strings.Count(err.Error(), w); c != 1 {
			t.Errorf("Wire error lists %q %d times, want once: %q", w, c, err)
		}
	}
	if n := strings.Count(err.Error(), "; ") + 1; n != len(want) {
		t.Errorf("Wire error lists %d problems, want %d: %q", n, len(want), err)
	}
}

func TestWireAcceptsCompleteConfigs(t *testing.T) {
	tests := []struct {
		name       string
		idcoSMS    map[string]any
		serviceSMS map[string]any
	}{
		{"aliyun", aliyunSMS("https://dysmsapi.aliyuncs.com"), serviceSMS()},
		{"tencent", map[string]any{"provider": "tencent", "tencent": map[string]any{"secretId": "AKIDfake", "secretKey": "k",
			"sdkAppId": "1400006666", "signName": "Band", "region": "ap-guangzhou"}}, serviceSMS()},
		// The AWS providers send text, not templates: no templateId needed.
		{"aws-eum", map[string]any{"provider": "aws-eum", "awsEum": map[string]any{"originationIdentity": "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123"}}, nil},
		{"sns", map[string]any{"provider": "sns"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svc, err := wire(t, parse(t, tc.idcoSMS, tc.serviceSMS))
			if err != nil {
				t.Fatalf("Wire: %v", err)
			}
			if _, ok := svc.SMS.(*SMS); !ok {
				t.Errorf("svc.SMS = %T, want *SMS", svc.SMS)
			}
		})
	}
	// No idco.sms at all: the sender is wired, and refuses each send.
	svc, err := wire(t, parse(t, nil, nil))
	if err != nil || svc.SMS == nil {
		t.Errorf("Wire without idco.sms = %v, %v; want a sender", svc.SMS, err)
	}
}

const snsRegion = "ap-southeast-1"

// newFakeSNS starts fakeprov's SNS, taking Publish SigV4-signed for sns in
// snsRegion.
func newFakeSNS(t *testing.T) *fakeprov.SNS {
	t.Helper()
	return fakeprov.NewSNS(t, fakeprov.AWSKey{ID: awsKeyID, Secret: awsSecret, Region: snsRegion})
}

// snsConfig points the SDK at f, from a region other than the config's,
// which must win.
func snsConfig(f *fakeprov.SNS) aws.Config {
	return aws.Config{Region: "us-east-1", HTTPClient: f.Client(), BaseEndpoint: aws.String(f.URL),
		Credentials: credentials.NewStaticCredentialsProvider(awsKeyID, awsSecret, "")}
}

// snsParams returns the form of each Publish f sent.
func snsParams(f *fakeprov.SNS) []map[string]string {
	var out []map[string]string
	for _, m := range f.Sent() {
		out = append(out, m.Params)
	}
	return out
}

func TestSNSSendsTheRenderedText(t *testing.T) {
	tests := []struct{ locale, want string }{
		{"zh-Hans", "【Band】您的验证码为 739201，3 分钟内有效，请勿泄露。"},
		{"en", "[Band] Your verification code is 739201, valid for 3 minutes. Do not share it."},
	}
	for _, tc := range tests {
		t.Run(tc.locale, func(t *testing.T) {
			f := newFakeSNS(t)
			cfg := cfgOf(t, parse(t, map[string]any{"provider": "sns", "sns": map[string]any{"region": snsRegion}}, nil))
			s := &SMS{AWS: func() (aws.Config, error) { return snsConfig(f), nil }}
			if err := s.SendSMS(t.Context(), message(cfg, "login-by-sms", tc.locale)); err != nil {
				t.Fatalf("SendSMS: %v", err)
			}
			want := map[string]string{"Action": "Publish", "Version": "2010-03-31", "PhoneNumber": phone, "Message": tc.want,
				"MessageAttributes.entry.1.Name":              "AWS.SNS.SMS.SMSType",
				"MessageAttributes.entry.1.Value.DataType":    "String",
				"MessageAttributes.entry.1.Value.StringValue": "Transactional",
			}
			if got := snsParams(f); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
				t.Errorf("requests = %v, want [%v]", got, want)
			}
		})
	}
}
