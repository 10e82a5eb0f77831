package sms

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idco-dev/idco/shared/internal/acs3"
	"github.com/idco-dev/idco/shared/internal/httpcall"
	"github.com/idco-dev/idco/shared/internal/problems"
)

// Aliyun SendSms (dysmsapi 2017-05-25), as documented on "SendSms - 发送短信"
// (https://help.aliyun.com/document_detail/419273.html): params
// PhoneNumbers, SignName, TemplateCode and TemplateParam (a JSON object of
// string values) in the query of a POST, answered by
// {"Code":"OK","Message":"OK","BizId":"...","RequestId":"..."}; any other
// Code is a failure. Gateway failures (SignatureDoesNotMatch,
// InvalidAccessKeyId.NotFound, Throttling.User) come with HTTP 4xx/5xx and the
// same Code/Message JSON.
const (
	aliyunProvider = "aliyun"
	aliyunAction   = "SendSms"
	aliyunVersion  = "2017-05-25"
	// DefaultAliyunEndpoint serves mainland China and most regions.
	DefaultAliyunEndpoint = "dysmsapi.aliyuncs.com"
)

// AliyunProvider declares Aliyun SMS: idco.sms.provider "aliyun", its
// block idco.sms.aliyun, one template per scene.
var AliyunProvider = declare[AliyunConfig](Provider{Name: aliyunProvider, Block: "aliyun", Templates: true})

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

func (c *AliyunConfig) check(p *problems.List) {
	p.Required("accessKeyId", c.AccessKeyID)
	p.Required("accessKeySecret", c.AccessKeySecret)
	p.Required("signName", c.SignName)
	p.Endpoint("endpoint", c.Endpoint)
}

func (c *AliyunConfig) sender(httpClient *http.Client, _ *aws.Config) Sender {
	return NewAliyun(*c, httpClient)
}

// Aliyun sends through Aliyun SMS. HTTP, Timeout and Now, from the embedded
// client, inject the HTTP client (nil: http.DefaultClient), the bound of one
// Send (zero: DefaultTimeout) and the clock (nil: time.Now). It is safe for
// concurrent use.
type Aliyun struct {
	client
	AccessKeyID     string
	AccessKeySecret string
	SignName        string
	Endpoint        string    // host or base URL; empty means DefaultAliyunEndpoint
	Rand            io.Reader // signature nonces; nil means crypto/rand
}

// NewAliyun returns an Aliyun sender for c; httpClient nil means
// http.DefaultClient.
func NewAliyun(c AliyunConfig, httpClient *http.Client) *Aliyun {
	ep := c.Endpoint
	switch c.RegionID {
	// The regions with their own endpoint in Aliyun's endpoint table
	// (https://help.aliyun.com/document_detail/68360.html); every other
	// region, Hong Kong included, uses DefaultAliyunEndpoint.
	case "ap-southeast-1", "ap-southeast-5", "eu-central-1":
		if ep == "" {
			ep = "dysmsapi." + c.RegionID + ".aliyuncs.com"
		}
	}
	return &Aliyun{client: client{HTTP: httpClient}, AccessKeyID: c.AccessKeyID,
		AccessKeySecret: c.AccessKeySecret, SignName: c.SignName, Endpoint: ep}
}

// aliyunAnswer is SendSms's answer and the gateway's error answer.
type aliyunAnswer struct {
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	BizID     string `json:"BizId"`
	RequestID string `json:"RequestId"`
}

// Send sends m.TemplateID with m.Params to m.Phone.
func (a *Aliyun) Send(ctx context.Context, m Message) error {
	if m.TemplateID == "" {
		return invalid(aliyunProvider, "TemplateID is empty")
	}
	if err := checkPhone(aliyunProvider, m.Phone); err != nil {
		return err
	}
	ctx, cancel := a.withTimeout(ctx)
	defer cancel()
	req, err := a.newRequest(ctx, m)
	if err != nil {
		return err
	}
	status, body, terr := a.do(aliyunProvider, req)
	if terr != nil {
		return terr
	}
	var ans aliyunAnswer
	if json.Unmarshal(body, &ans) != nil || ans.Code == "" {
		return undecodable(aliyunProvider, status)
	}
	if ans.Code == "OK" && status == http.StatusOK {
		return nil
	}
	return &Error{Provider: aliyunProvider, Code: ans.Code,
		Message:   mask(ans.Message, m) + " (RequestId " + ans.RequestID + ")",
		Retryable: status >= 500 || aliyunRetryable(ans.Code),
		Limited:   ans.Code == "isv.BUSINESS_LIMIT_CONTROL"}
}

// newRequest builds the signed POST: the params in the query, as the
// official SDK sends them for this RPC-style API, and an empty body.
func (a *Aliyun) newRequest(ctx context.Context, m Message) (*http.Request, error) {
	base, err := httpcall.BaseURL(a.Endpoint, DefaultAliyunEndpoint)
	if err != nil {
		return nil, &Error{Provider: aliyunProvider, Code: CodeInvalidMessage, Message: "endpoint " + err.Error()}
	}
	params := [][2]string{{"PhoneNumbers", aliyunPhone(m.Phone)}, {"SignName", a.SignName},
		{"TemplateCode", m.TemplateID}}
	if len(m.Params) > 0 {
		params = append(params, [2]string{"TemplateParam", aliyunTemplateParam(m.Params)})
	}
	nonce, err := acs3.Nonce(a.Rand)
	if err != nil {
		return nil, &Error{Provider: aliyunProvider, Code: CodeTransport, Message: "no nonce", Cause: err}
	}
	req, err := acs3.NewRequest(ctx, base, acs3.Key{ID: a.AccessKeyID, Secret: a.AccessKeySecret},
		acs3.RPC{Action: aliyunAction, Version: aliyunVersion, Params: params}, a.now(), nonce)
	if err != nil {
		return nil, &Error{Provider: aliyunProvider, Code: CodeInvalidMessage, Message: "building the request"}
	}
	return req, nil
}

// aliyunPhone is SendSms's PhoneNumbers form: a mainland number as its 11
// digits, any other as country code and number without the plus
// ("852000012****" in the SendSms page).
func aliyunPhone(e164 string) string {
	if s, ok := strings.CutPrefix(e164, "+86"); ok {
		return s
	}
	return strings.TrimPrefix(e164, "+")
}

// aliyunTemplateParam encodes params as a JSON object in their order.
// Values stay strings: Aliyun refuses {"code":123456} with
// isv.INVALID_JSON_PARAM.
func aliyunTemplateParam(params []Param) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, p := range params {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p.Name)
		v, _ := json.Marshal(p.Value)
		fmt.Fprintf(&b, "%s:%s", k, v)
	}
	b.WriteByte('}')
	return b.String()
}

// aliyunRetryable reports codes that mean "busy, try later": isp.SYSTEM_ERROR
// (the SMS error table's system error), the gateway's ServiceUnavailable and
// InternalError, and every Throttling* flow control of the API itself.
// isv.BUSINESS_LIMIT_CONTROL (per-number limits) and isv.DAY_LIMIT_CONTROL
// (the account's daily cap) are not: retrying within minutes fails again.
func aliyunRetryable(code string) bool {
	switch code {
	case "isp.SYSTEM_ERROR", "ServiceUnavailable", "InternalError":
		return true
	}
	return strings.HasPrefix(code, "Throttling")
}
