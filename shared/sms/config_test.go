package sms

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestValidate(t *testing.T) {
	aliyun := func(f func(*AliyunConfig)) Config {
		a := AliyunConfig{AccessKeyID: "id", AccessKeySecret: "secret", SignName: "sign"}
		f(&a)
		return Config{Provider: "aliyun", Block: &a}
	}
	tencent := func(f func(*TencentConfig)) Config {
		c := TencentConfig{SecretID: "id", SecretKey: "key", SDKAppID: "1400000000", SignName: "sign"}
		f(&c)
		return Config{Provider: "tencent", Block: &c}
	}
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"aliyun ok", aliyun(func(*AliyunConfig) {}), nil},
		{"aliyun endpoint url", aliyun(func(a *AliyunConfig) { a.Endpoint = "http://127.0.0.1:9000" }), nil},
		{"aliyun empty", Config{Provider: "aliyun", Block: &AliyunConfig{}}, []string{
			"idco.sms.aliyun.accessKeyId: required", "idco.sms.aliyun.accessKeySecret: required",
			"idco.sms.aliyun.signName: required"}},
		{"aliyun missing block", Config{Provider: "aliyun"}, []string{"idco.sms.aliyun: required for this provider"}},
		{"aliyun endpoint path", aliyun(func(a *AliyunConfig) { a.Endpoint = "https://dysmsapi.aliyuncs.com/api" }),
			[]string{"idco.sms.aliyun.endpoint: must not have a path"}},
		{"aliyun endpoint scheme", aliyun(func(a *AliyunConfig) { a.Endpoint = "ftp://dysmsapi.aliyuncs.com" }),
			[]string{"idco.sms.aliyun.endpoint: scheme must be https or http"}},
		{"tencent ok", tencent(func(*TencentConfig) {}), nil},
		{"tencent blank", Config{Provider: "tencent", Block: &TencentConfig{SecretID: " "}}, []string{
			"idco.sms.tencent.secretId: required", "idco.sms.tencent.secretKey: required",
			"idco.sms.tencent.sdkAppId: required", "idco.sms.tencent.signName: required"}},
		{"tencent endpoint query", tencent(func(c *TencentConfig) { c.Endpoint = "sms.tencentcloudapi.com?x=1" }),
			[]string{"idco.sms.tencent.endpoint: must be a host or a base URL without credentials, query or fragment"}},
		{"eum defaults", Config{Provider: "aws-eum"}, nil},
		{"eum type", Config{Provider: "aws-eum", Block: &EUMConfig{MessageType: "transactional"}},
			[]string{"idco.sms.awsEum.messageType: must be one of TRANSACTIONAL, PROMOTIONAL"}},
		{"sns defaults", Config{Provider: "sns"}, nil},
		{"sns type", Config{Provider: "sns", Block: &SNSConfig{SMSType: "OTP"}},
			[]string{"idco.sms.sns.smsType: must be one of Transactional, Promotional"}},
		{"no provider", Config{}, []string{"idco.sms.provider: required (aliyun, tencent, aws-eum or sns)"}},
		{"unknown provider", Config{Provider: "twilio"}, []string{"idco.sms.provider: must be aliyun, tencent, aws-eum or sns"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cfg.Validate(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s: Validate() = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}

func TestConfigFromIdcoBlock(t *testing.T) {
	// The idco.sms block as config.SMSConfig keeps it raw, with keys this
	// package does not own.
	raw := `{"provider":"tencent","allowedRegions":["+86"],"testMode":false,
		"tencent":{"secretId":"AKID1","secretKey":"k","sdkAppId":"1400000001","signName":"s","region":"ap-beijing"}}`
	var c Config
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		t.Fatal(err)
	}
	want := TencentConfig{SecretID: "AKID1", SecretKey: "k", SDKAppID: "1400000001", SignName: "s", Region: "ap-beijing"}
	if tc, ok := c.Block.(*TencentConfig); c.Provider != "tencent" || !ok || *tc != want {
		t.Errorf("decoded %+v, want tencent %+v", c, want)
	}
}

func TestNew(t *testing.T) {
	awsCfg := &aws.Config{Region: "us-east-1"}
	tests := []struct {
		cfg     Config
		awsCfg  *aws.Config
		want    string // the Sender's type, or the error's start
		wantErr bool
	}{
		{Config{Provider: "aliyun", Block: &AliyunConfig{AccessKeyID: "a", AccessKeySecret: "b", SignName: "c"}}, nil, "*sms.Aliyun", false},
		{Config{Provider: "tencent", Block: &TencentConfig{SecretID: "a", SecretKey: "b", SDKAppID: "c", SignName: "d"}}, nil, "*sms.Tencent", false},
		{Config{Provider: "aws-eum"}, awsCfg, "*sms.EUM", false},
		{Config{Provider: "sns", Block: &SNSConfig{SenderID: "IDCO"}}, awsCfg, "*sms.SNS", false},
		{Config{Provider: "sns"}, nil, "sms config: provider sns needs an AWS config", true},
		{Config{Provider: "aliyun", Block: &AliyunConfig{}}, nil,
			"sms config: idco.sms.aliyun.accessKeyId: required; idco.sms.aliyun.accessKeySecret: required; idco.sms.aliyun.signName: required", true},
	}
	for _, tc := range tests {
		s, err := New(tc.cfg, http.DefaultClient, tc.awsCfg)
		if tc.wantErr {
			if err == nil || err.Error() != tc.want {
				t.Errorf("New(%s) error = %v, want %q", tc.cfg.Provider, err, tc.want)
			}
			continue
		}
		if err != nil {
			t.Fatalf("New(%s): %v", tc.cfg.Provider, err)
		}
		if got := reflect.TypeOf(s).String(); got != tc.want {
			t.Errorf("New(%s) = %s, want %s", tc.cfg.Provider, got, tc.want)
		}
	}
}

func TestNewAliyunEndpoint(t *testing.T) {
	tests := []struct{ region, endpoint, want string }{
		{"", "", ""},
		{"cn-hangzhou", "", ""},
		{"cn-hongkong", "", ""},
		{"ap-southeast-1", "", "dysmsapi.ap-southeast-1.aliyuncs.com"},
		{"eu-central-1", "", "dysmsapi.eu-central-1.aliyuncs.com"},
		{"ap-southeast-1", "http://127.0.0.1:1", "http://127.0.0.1:1"},
	}
	for i, tc := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			if got := NewAliyun(AliyunConfig{RegionID: tc.region, Endpoint: tc.endpoint}, nil).Endpoint; got != tc.want {
				t.Errorf("region %q endpoint %q: Endpoint = %q, want %q", tc.region, tc.endpoint, got, tc.want)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Provider: "aliyun", Code: "isv.BUSINESS_LIMIT_CONTROL", Message: "触发分钟级流控Permits:1"},
			"sms: aliyun: isv.BUSINESS_LIMIT_CONTROL: 触发分钟级流控Permits:1"},
		{&Error{Provider: "sns", Code: CodeTransport, Cause: http.ErrHandlerTimeout},
			"sms: sns: Transport: http: Handler timeout"},
	}
	for i, tc := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMask(t *testing.T) {
	m := otpMessage("+8613812345678")
	long := strings.Repeat("x", 400)
	tests := []struct{ in, want string }{
		{"code 739201 for 13812345678 (+8613812345678), 3 minutes", "code *** for *** (***), 3 minutes"},
		{long, long[:300] + "…"},
	}
	for i, tc := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			if got := mask(tc.in, m); got != tc.want {
				t.Errorf("mask(%.40q) = %.60q, want %.60q", tc.in, got, tc.want)
			}
		})
	}
}

// TestProviders checks the registry: names and blocks are unique, Lookup
// finds each provider, and each one's block decodes, defaults and builds
// as its descriptor says.
func TestProviders(t *testing.T) {
	names, blocks := map[string]bool{}, map[string]bool{}
	for _, p := range Providers {
		t.Run(p.Name, func(t *testing.T) {
			if names[p.Name] || blocks[p.Block] || p.Name == "" || p.Block == "" {
				t.Errorf("name %q or block %q is empty or taken", p.Name, p.Block)
			}
			names[p.Name], blocks[p.Block] = true, true
			if got, ok := Lookup(p.Name); !ok || got != p {
				t.Errorf("Lookup(%q) = %v, %v", p.Name, got, ok)
			}
			var c Config
			if err := json.Unmarshal([]byte(`{"provider":"`+p.Name+`","`+p.Block+`":{}}`), &c); err != nil || !p.owns(c.Block) {
				t.Fatalf("decoding an empty %s block: %v, %T", p.Block, err, c.Block)
			}
			c.Block = nil
			want := []string{"idco.sms." + p.Block + ": required for this provider"}
			if p.Optional {
				want = nil
			}
			if got := c.Validate(); !reflect.DeepEqual(got, want) {
				t.Errorf("Validate without the block = %q, want %q", got, want)
			}
		})
	}
	if _, ok := Lookup("twilio"); ok {
		t.Error(`Lookup("twilio") found a provider`)
	}
}

// TestConfigDecodeErrors: a config decodes, and fails, as a struct with a
// field per provider block would.
func TestConfigDecodeErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{`{"provider":"aliyun","aliyun":{"accessKeyId":1}}`,
			"json: cannot unmarshal number into Go struct field AliyunConfig.aliyun.accessKeyId of type string"},
		{`{"provider":"aliyun","tencent":[1]}`,
			"json: cannot unmarshal array into Go struct field Config.tencent of type sms.TencentConfig"},
		{`{"provider":2}`, "json: cannot unmarshal number into Go struct field Config.provider of type string"},
		{`[1]`, "json: cannot unmarshal array into Go value of type sms.Config"},
		{`{"provider":"sns","SNS":{"smsType":"Promotional"}}`, ""},
		{`{"provider":"aliyun","aliyun":null,"tencent":{"secretId":"x"}}`, ""},
	}
	for i, tc := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			var c Config
			err := json.Unmarshal([]byte(tc.doc), &c)
			if got := fmt.Sprint(err); tc.want != "" && got != tc.want || tc.want == "" && err != nil {
				t.Errorf("Unmarshal(%s) = %v, want %q", tc.doc, err, tc.want)
			}
		})
	}
	var c Config
	if err := json.Unmarshal([]byte(tests[4].doc), &c); err != nil || *c.Block.(*SNSConfig) != (SNSConfig{SMSType: "Promotional"}) {
		t.Errorf("a block's key matches without regard to case: %+v, %v", c, err)
	}
	if err := json.Unmarshal([]byte(tests[5].doc), &c); err != nil || c.Block != nil {
		t.Errorf("a null block is no block: %+v, %v", c, err)
	}
}
