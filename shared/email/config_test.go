package email

import (
	"reflect"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/config"
)

func TestValidate(t *testing.T) {
	dm := func(f func(*DirectMailConfig)) Config {
		c := DirectMailConfig{AccessKeyID: "id", AccessKeySecret: "secret"}
		if f != nil {
			f(&c)
		}
		return Config{Provider: "aliyun", From: from, Block: &c}
	}
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"ses by default", Config{From: from}, nil},
		{"ses named", Config{Provider: "ses", From: from, ConfigurationSet: "idco-mail", Region: "eu-west-1"}, nil},
		{"aliyun ok", dm(nil), nil},
		{"aliyun every region", dm(func(c *DirectMailConfig) { c.RegionID = "us-east-1"; c.Endpoint = "http://127.0.0.1:9000" }), nil},
		{"aliyun empty", Config{Provider: "aliyun", From: from, Block: &DirectMailConfig{AccessKeySecret: " "}}, []string{
			"idco.email.aliyun.accessKeyId: required", "idco.email.aliyun.accessKeySecret: required"}},
		{"aliyun no block", Config{Provider: "aliyun", From: from}, []string{"idco.email.aliyun: required for provider aliyun"}},
		{"aliyun region", dm(func(c *DirectMailConfig) { c.RegionID = "cn-shanghai" }), []string{
			"idco.email.aliyun.regionId: must be one of cn-hangzhou, ap-southeast-1, us-east-1, eu-central-1 (or set endpoint)"}},
		{"aliyun endpoint", dm(func(c *DirectMailConfig) { c.Endpoint = "ftp://dm.aliyuncs.com" }), []string{
			"idco.email.aliyun.endpoint: scheme must be https or http"}},
		{"aliyun alias of 15", func() Config {
			c := dm(nil)
			c.From = "一二三四五六七八九十一二三四五 <a@b.example>"
			return c
		}(), nil},
		{"aliyun alias of 16", func() Config {
			c := dm(nil)
			c.From = "一二三四五六七八九十一二三四五六 <a@b.example>"
			return c
		}(), []string{
			"idco.email.from: DirectMail shows a sender name of at most 15 characters"}},
		{"aliyun from", func() Config { c := dm(nil); c.From = "Band <a@b.example"; return c }(), []string{
			`idco.email.from: want a DirectMail sender address, such as "MyApp <no-reply@mail.example.com>"`}},
		{"aliyun with ses keys", func() Config { c := dm(nil); c.ConfigurationSet, c.Region = "x", "us-east-1"; return c }(), []string{
			"idco.email.configurationSet: used by provider ses only",
			"idco.email.region: used by provider ses only (DirectMail's is aliyun.regionId)"}},
		{"unknown provider", Config{Provider: "smtp", From: from}, []string{"idco.email.provider: must be ses or aliyun"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cfg.Validate(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Validate() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name, doc string
		wantBlock bool
		wantErr   string
	}{
		{"ses ignores the aliyun block", `{"from":"a@b.example","aliyun":{"accessKeyId":"x"}}`, false, ""},
		{"aliyun keeps its block", `{"provider":"aliyun","from":"a@b.example","aliyun":{"accessKeyId":"x","accessKeySecret":"y"},"welcome":true}`, true, ""},
		{"a misspelt key in a block not in use", `{"from":"a@b.example","aliyun":{"accesKeyId":"x"}}`, false,
			`idco.email.aliyun: json: unknown field "accesKeyId"`},
		{"a block of the wrong type", `{"provider":"aliyun","from":"a@b.example","aliyun":{"replyToAddress":"yes"}}`, false,
			"idco.email.aliyun: json: cannot unmarshal"},
		{"every problem at once", `{"provider":"aliyun","from":"a@b.example","aliyun":{}}`, false,
			"idco.email.aliyun.accessKeyId: required; idco.email.aliyun.accessKeySecret: required"},
		{"not an object", `[]`, false, "idco.email: json: cannot unmarshal array"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseConfig([]byte(tc.doc))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("ParseConfig: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("ParseConfig = %v, want an error with %q", err, tc.wantErr)
			}
			if got := c.Block != nil; got != tc.wantBlock {
				t.Errorf("Block = %v, want a block: %v", c.Block, tc.wantBlock)
			}
		})
	}
}

// TestBlocksAreConfigKeys: idco.email is decoded strictly by the config
// package, so every provider's block must be one of its keys.
func TestBlocksAreConfigKeys(t *testing.T) {
	keys := map[string]bool{}
	typ := reflect.TypeFor[config.EmailConfig]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		keys[name] = true
	}
	for _, p := range Providers {
		if p.Block != "" && !keys[p.Block] {
			t.Errorf("provider %s: its block %q is not a key of config.EmailConfig", p.Name, p.Block)
		}
		if (p.Block == "") != (p.newBlock == nil) {
			t.Errorf("provider %s: Block %q with newBlock %v: want both or neither", p.Name, p.Block, p.newBlock != nil)
		}
		if p.EnvEndpoint == "" {
			t.Errorf("provider %s: no EnvEndpoint", p.Name)
		}
	}
	for _, k := range []string{"provider", "from", "configurationSet", "region"} {
		if !keys[k] {
			t.Errorf("config.EmailConfig lacks %q, which Config reads", k)
		}
	}
}
