package sms

import (
	"errors"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// Config is the idco.sms block: the provider's name and its own block. The
// block may carry other idco.sms keys (allowedRegions, testMode), which are
// ignored here. Secrets are config values, read from SSM Parameter Store or
// Secrets Manager, and never have defaults.
type Config struct {
	Provider string         `json:"provider"` // "aliyun" | "tencent" | "aws-eum" | "sns"
	Aliyun   *AliyunConfig  `json:"aliyun"`
	Tencent  *TencentConfig `json:"tencent"`
	AWSEUM   *EUMConfig     `json:"awsEum"`
	SNS      *SNSConfig     `json:"sns"`
}

// AliyunConfig is idco.sms.aliyun.
type AliyunConfig struct {
	AccessKeyID     string `json:"accessKeyId"`
	AccessKeySecret string `json:"accessKeySecret"`
	SignName        string `json:"signName"`
	// Endpoint is a host (https is used) or a full base URL; by default the
	// one RegionID names, else dysmsapi.aliyuncs.com.
	Endpoint string `json:"endpoint"`
	// RegionID only picks the default endpoint: V3 signatures do not
	// include a region.
	RegionID string `json:"regionId"`
}

// TencentConfig is idco.sms.tencent.
type TencentConfig struct {
	SecretID  string `json:"secretId"`
	SecretKey string `json:"secretKey"`
	SDKAppID  string `json:"sdkAppId"` // SmsSdkAppId, e.g. "1400006666"
	SignName  string `json:"signName"`
	Region    string `json:"region"`   // default ap-guangzhou
	Endpoint  string `json:"endpoint"` // host or base URL, default sms.tencentcloudapi.com
}

// EUMConfig is idco.sms.awsEum, AWS End User Messaging SMS (the
// pinpoint-sms-voice-v2 API).
type EUMConfig struct {
	Region              string `json:"region"`              // default the function's
	OriginationIdentity string `json:"originationIdentity"` // phone number, sender ID or pool, optional
	ConfigurationSet    string `json:"configurationSet"`    // optional
	MessageType         string `json:"messageType"`         // TRANSACTIONAL (default) or PROMOTIONAL
}

// SNSConfig is idco.sms.sns.
type SNSConfig struct {
	Region   string `json:"region"`   // default the function's
	SenderID string `json:"senderId"` // optional AWS.SNS.SMS.SenderID
	SMSType  string `json:"smsType"`  // Transactional (default) or Promotional
}

// Provider names.
const (
	ProviderAliyun  = "aliyun"
	ProviderTencent = "tencent"
	ProviderEUM     = "aws-eum"
	ProviderSNS     = "sns"
)

// Validate lists every problem of the block, each as "path: problem" from the
// config root, so that a deployment learns of them all at once.
func (c Config) Validate() []string {
	var p problems
	switch c.Provider {
	case ProviderAliyun:
		if p.present(c.Aliyun != nil, "aliyun") {
			a := c.Aliyun
			p.required("aliyun.accessKeyId", a.AccessKeyID)
			p.required("aliyun.accessKeySecret", a.AccessKeySecret)
			p.required("aliyun.signName", a.SignName)
			p.endpoint("aliyun.endpoint", a.Endpoint)
		}
	case ProviderTencent:
		if p.present(c.Tencent != nil, "tencent") {
			tc := c.Tencent
			p.required("tencent.secretId", tc.SecretID)
			p.required("tencent.secretKey", tc.SecretKey)
			p.required("tencent.sdkAppId", tc.SDKAppID)
			p.required("tencent.signName", tc.SignName)
			p.endpoint("tencent.endpoint", tc.Endpoint)
		}
	case ProviderEUM:
		if c.AWSEUM != nil {
			p.oneOf("awsEum.messageType", c.AWSEUM.MessageType, "", "TRANSACTIONAL", "PROMOTIONAL")
		}
	case ProviderSNS:
		if c.SNS != nil {
			p.oneOf("sns.smsType", c.SNS.SMSType, "", "Transactional", "Promotional")
		}
	case "":
		p.add("provider", "required (aliyun, tencent, aws-eum or sns)")
	default:
		p.add("provider", "must be aliyun, tencent, aws-eum or sns")
	}
	return p
}

// New builds the Sender cfg.Provider names. httpClient is used by Aliyun and
// Tencent (nil means http.DefaultClient); awsCfg is required by aws-eum and
// sns, whose HTTP client and endpoint come from it. The error lists every
// problem of cfg.
func New(cfg Config, httpClient *http.Client, awsCfg *aws.Config) (Sender, error) {
	if probs := cfg.Validate(); len(probs) > 0 {
		return nil, errors.New("sms config: " + strings.Join(probs, "; "))
	}
	switch cfg.Provider {
	case ProviderAliyun:
		return NewAliyun(*cfg.Aliyun, httpClient), nil
	case ProviderTencent:
		return NewTencent(*cfg.Tencent, httpClient), nil
	}
	if awsCfg == nil {
		return nil, errors.New("sms config: provider " + cfg.Provider + " needs an AWS config")
	}
	if cfg.Provider == ProviderEUM {
		var e EUMConfig
		if cfg.AWSEUM != nil {
			e = *cfg.AWSEUM
		}
		return NewEUM(*awsCfg, e), nil
	}
	var s SNSConfig
	if cfg.SNS != nil {
		s = *cfg.SNS
	}
	return NewSNS(*awsCfg, s), nil
}

// problems collects "idco.sms.<path>: <problem>" lines.
type problems []string

func (p *problems) add(path, msg string) { *p = append(*p, "idco.sms."+path+": "+msg) }

func (p *problems) present(ok bool, path string) bool {
	if !ok {
		p.add(path, "required for this provider")
	}
	return ok
}

func (p *problems) required(path, v string) {
	if strings.TrimSpace(v) == "" {
		p.add(path, "required")
	}
}

func (p *problems) oneOf(path, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	p.add(path, "must be one of "+strings.Join(allowed[1:], ", "))
}

// endpoint accepts a bare host or an http(s) base URL without a path.
func (p *problems) endpoint(path, v string) {
	if v == "" {
		return
	}
	if _, err := httpcall.BaseURL(v, ""); err != nil {
		p.add(path, err.Error())
	}
}
