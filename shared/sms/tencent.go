package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idco-dev/idco/shared/internal/httpcall"
	"github.com/idco-dev/idco/shared/internal/problems"
)

// Tencent Cloud SendSms (sms 2021-01-11), as documented on "SendSms"
// (https://www.tencentcloud.com/document/api/382/40536) and "Responses"
// (https://www.tencentcloud.com/document/product/382/40469): a signed JSON
// POST of PhoneNumberSet (E.164), SmsSdkAppId, SignName, TemplateId and
// TemplateParamSet, answered with HTTP 200 and either
// {"Response":{"Error":{"Code","Message"},"RequestId"}} or
// {"Response":{"SendStatusSet":[{"Code":"Ok",...}],"RequestId"}}. A number
// the platform refuses is reported only in its SendStatus (the official SDK
// returns err == nil for it), so each status Code is checked.
const (
	tencentProvider = "tencent"
	tencentService  = "sms"
	tencentAction   = "SendSms"
	tencentVersion  = "2021-01-11"
	tencentJSON     = "application/json; charset=utf-8"
	// DefaultTencentEndpoint is the China site's endpoint; the
	// international site uses sms.intl.tencentcloudapi.com.
	DefaultTencentEndpoint = "sms.tencentcloudapi.com"
	// DefaultTencentRegion is the region of Tencent's own examples.
	DefaultTencentRegion = "ap-guangzhou"
)

// TencentProvider declares Tencent Cloud SMS: idco.sms.provider
// "tencent", its block idco.sms.tencent, one template per scene.
var TencentProvider = declare[TencentConfig](Provider{Name: tencentProvider, Block: "tencent", Templates: true})

// TencentConfig is idco.sms.tencent.
type TencentConfig struct {
	SecretID  string `json:"secretId"`
	SecretKey string `json:"secretKey"`
	SDKAppID  string `json:"sdkAppId"` // SmsSdkAppId, e.g. "1400006666"
	SignName  string `json:"signName"`
	Region    string `json:"region"`   // default ap-guangzhou
	Endpoint  string `json:"endpoint"` // host or base URL, default sms.tencentcloudapi.com
}

func (c *TencentConfig) check(p *problems.List) {
	p.Required("secretId", c.SecretID)
	p.Required("secretKey", c.SecretKey)
	p.Required("sdkAppId", c.SDKAppID)
	p.Required("signName", c.SignName)
	p.Endpoint("endpoint", c.Endpoint)
}

func (c *TencentConfig) sender(httpClient *http.Client, _ *aws.Config) Sender {
	return NewTencent(*c, httpClient)
}

// Tencent sends through Tencent Cloud SMS. HTTP, Timeout and Now, from the
// embedded client, inject the HTTP client (nil: http.DefaultClient), the
// bound of one Send (zero: DefaultTimeout) and the clock (nil: time.Now). It
// is safe for concurrent use.
type Tencent struct {
	client
	SecretID  string
	SecretKey string
	SDKAppID  string
	SignName  string
	Region    string // empty means DefaultTencentRegion
	Endpoint  string // host or base URL; empty means DefaultTencentEndpoint
}

// NewTencent returns a Tencent sender for c; httpClient nil means
// http.DefaultClient.
func NewTencent(c TencentConfig, httpClient *http.Client) *Tencent {
	return &Tencent{client: client{HTTP: httpClient}, SecretID: c.SecretID, SecretKey: c.SecretKey,
		SDKAppID: c.SDKAppID, SignName: c.SignName, Region: c.Region, Endpoint: c.Endpoint}
}

type tencentRequest struct {
	PhoneNumberSet   []string
	SmsSdkAppId      string
	SignName         string
	TemplateId       string
	TemplateParamSet []string
}

type tencentAnswer struct {
	Response *struct {
		Error *struct {
			Code    string
			Message string
		}
		SendStatusSet []struct {
			Code    string
			Message string
		}
		RequestId string
	}
}

// Send sends m.TemplateID with the values of m.Params, in order, to m.Phone.
func (t *Tencent) Send(ctx context.Context, m Message) error {
	if m.TemplateID == "" {
		return invalid(tencentProvider, "TemplateID is empty")
	}
	if err := checkPhone(tencentProvider, m.Phone); err != nil {
		return err
	}
	ctx, cancel := t.withTimeout(ctx)
	defer cancel()
	req, err := t.newRequest(ctx, m)
	if err != nil {
		return err
	}
	status, body, terr := t.do(tencentProvider, req)
	if terr != nil {
		return terr
	}
	var ans tencentAnswer
	if json.Unmarshal(body, &ans) != nil || ans.Response == nil {
		return undecodable(tencentProvider, status)
	}
	r := ans.Response
	switch {
	case r.Error != nil:
		return tencentErr(r.Error.Code, r.Error.Message, r.RequestId, status, m)
	case len(r.SendStatusSet) != 1:
		return &Error{Provider: tencentProvider, Code: CodeTransport, Retryable: true,
			Message: "answer has " + strconv.Itoa(len(r.SendStatusSet)) + " send statuses, want 1 (RequestId " + r.RequestId + ")"}
	case r.SendStatusSet[0].Code != "Ok":
		s := r.SendStatusSet[0]
		return tencentErr(s.Code, s.Message, r.RequestId, status, m)
	case status != http.StatusOK:
		return undecodable(tencentProvider, status)
	}
	return nil
}

func (t *Tencent) newRequest(ctx context.Context, m Message) (*http.Request, error) {
	base, err := httpcall.BaseURL(t.Endpoint, DefaultTencentEndpoint)
	if err != nil {
		return nil, &Error{Provider: tencentProvider, Code: CodeInvalidMessage, Message: "endpoint " + err.Error()}
	}
	values := make([]string, len(m.Params))
	for i, p := range m.Params {
		values[i] = p.Value
	}
	body, err := json.Marshal(tencentRequest{PhoneNumberSet: []string{m.Phone}, SmsSdkAppId: t.SDKAppID,
		SignName: t.SignName, TemplateId: m.TemplateID, TemplateParamSet: values})
	if err != nil {
		return nil, &Error{Provider: tencentProvider, Code: CodeInvalidMessage, Message: "encoding the request"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base.String(), bytes.NewReader(body))
	if err != nil {
		return nil, &Error{Provider: tencentProvider, Code: CodeInvalidMessage, Message: "building the request"}
	}
	region := t.Region
	if region == "" {
		region = DefaultTencentRegion
	}
	ts := t.now().Unix()
	req.Header.Set("Content-Type", tencentJSON)
	req.Header.Set("X-TC-Action", tencentAction)
	req.Header.Set("X-TC-Version", tencentVersion)
	req.Header.Set("X-TC-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-TC-Region", region)
	req.Header.Set("Authorization", tc3Authorization(t.SecretID, t.SecretKey, tencentService, base.Host, tencentJSON, body, ts))
	return req, nil
}

// tencentErr classifies an error code, from the common error table
// (InternalError, RequestLimitExceeded, AuthFailure.*) or the SMS one
// (https://cloud.tencent.com/document/api/382/59177).
func tencentErr(code, msg, requestID string, status int, m Message) *Error {
	return &Error{Provider: tencentProvider, Code: code,
		Message:   mask(msg, m) + " (RequestId " + requestID + ")",
		Retryable: status >= 500 || tencentRetryable(code),
		Limited:   tencentLimited(code)}
}

// tencentRetryable reports server-side failures (InternalError and its
// sub-codes, such as InternalError.Timeout "请求下发短信超时") and the
// API's own request-rate limit (RequestLimitExceeded*).
func tencentRetryable(code string) bool {
	return code == "InternalError" || strings.HasPrefix(code, "InternalError.") ||
		strings.HasPrefix(code, "RequestLimitExceeded")
}

// tencentLimited reports the per-number flow controls:
// LimitExceeded.PhoneNumberThirtySecondLimit, ...OneHourLimit, ...DailyLimit,
// ...SameContentDailyLimit, and DeliveryFrequencyLimit (the console's
// frequency policy). The app-wide caps (LimitExceeded.AppDailyLimit,
// LimitExceeded.DailyLimit) are neither limited nor retryable: they are the
// operator's to raise.
func tencentLimited(code string) bool {
	return strings.HasPrefix(code, "LimitExceeded.PhoneNumber") || code == "LimitExceeded.DeliveryFrequencyLimit"
}
