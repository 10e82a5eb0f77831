package sms

import (
	"cmp"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idco-dev/idco/shared/internal/awsapi"
	"github.com/idco-dev/idco/shared/internal/httpcall"
	"github.com/idco-dev/idco/shared/internal/problems"
)

const (
	eumProvider = "aws-eum"
	snsProvider = "sns"
)

// shortRetries allows one retry with at most 200 ms of back-off, so that a
// send stays well inside a 10 s Lambda. SNS's "Throttled" (HTTP 429) and
// "KMSThrottling" are not in the SDK's default throttle codes, so they are
// added. There is no client-side retry quota: a process-wide token bucket
// would let one provider hiccup silently disable retries for minutes, and the
// send limits and daily budget already bound how often a send is tried.
func shortRetries(awsCfg aws.Config, region string, svc awsapi.Service) *awsapi.Client {
	if region != "" {
		awsCfg.Region = region
	}
	return &awsapi.Client{Config: awsCfg, Service: svc, Attempts: 2, MaxBackoff: 200 * time.Millisecond,
		RetryCodes: []string{"Throttled", "KMSThrottling"}}
}

// EUMProvider declares AWS End User Messaging SMS: idco.sms.provider
// "aws-eum", its optional block idco.sms.awsEum, text messages, an AWS
// API (sms-voice:SendTextMessage).
var EUMProvider = declare[EUMConfig](Provider{Name: eumProvider, Block: "awsEum", Optional: true, AWS: true})

// EUMConfig is idco.sms.awsEum, AWS End User Messaging SMS (the
// pinpoint-sms-voice-v2 API).
type EUMConfig struct {
	Region              string `json:"region"`              // default the function's
	OriginationIdentity string `json:"originationIdentity"` // phone number, sender ID or pool, optional
	ConfigurationSet    string `json:"configurationSet"`    // optional
	MessageType         string `json:"messageType"`         // TRANSACTIONAL (default) or PROMOTIONAL
}

func (c *EUMConfig) check(p *problems.List) {
	p.OneOf("messageType", c.MessageType, "", "TRANSACTIONAL", "PROMOTIONAL")
}

func (c *EUMConfig) sender(_ *http.Client, awsCfg *aws.Config) Sender { return NewEUM(*awsCfg, *c) }

// EUM sends through AWS End User Messaging SMS (SendTextMessage). It is safe
// for concurrent use.
type EUM struct {
	API                 *awsapi.Client
	OriginationIdentity string // optional
	ConfigurationSet    string // optional
	MessageType         string // empty means TRANSACTIONAL
	Timeout             time.Duration
}

// eumService is the pinpoint-sms-voice-v2 API: awsJson1_0, endpoint and
// signing name sms-voice.
var eumService = awsapi.Service{Prefix: "sms-voice", SDKID: "Pinpoint SMS Voice V2"}

// NewEUM returns an EUM sender. The HTTP client and BaseEndpoint come from
// awsCfg; c.Region, when set, overrides awsCfg.Region.
func NewEUM(awsCfg aws.Config, c EUMConfig) *EUM {
	return &EUM{API: shortRetries(awsCfg, c.Region, eumService), OriginationIdentity: c.OriginationIdentity,
		ConfigurationSet: c.ConfigurationSet, MessageType: c.MessageType}
}

// Send sends m.Text to m.Phone.
func (s *EUM) Send(ctx context.Context, m Message) error {
	if err := checkText(eumProvider, m); err != nil {
		return err
	}
	in := map[string]string{"DestinationPhoneNumber": m.Phone, "MessageBody": m.Text,
		"MessageType": cmp.Or(s.MessageType, "TRANSACTIONAL")}
	if s.OriginationIdentity != "" {
		in["OriginationIdentity"] = s.OriginationIdentity
	}
	if s.ConfigurationSet != "" {
		in["ConfigurationSetName"] = s.ConfigurationSet
	}
	body, _ := json.Marshal(in) // strings only: it cannot fail
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(s.Timeout, DefaultTimeout))
	defer cancel()
	out, err := s.API.Do(ctx, awsapi.Request{Path: "/", ContentType: "application/x-amz-json-1.0",
		Target: "PinpointSMSVoiceV2.SendTextMessage", Body: body})
	if err != nil {
		return awsErr(eumProvider, err, m)
	}
	if json.Unmarshal(out, new(struct{ MessageId string })) != nil {
		return transportErr(eumProvider, errors.New("the answer to SendTextMessage is not JSON"))
	}
	return nil
}

// SNSProvider declares Amazon SNS: idco.sms.provider "sns", its optional
// block idco.sms.sns, text messages, an AWS API (sns:Publish).
var SNSProvider = declare[SNSConfig](Provider{Name: snsProvider, Block: "sns", Optional: true, AWS: true})

// SNSConfig is idco.sms.sns.
type SNSConfig struct {
	Region   string `json:"region"`   // default the function's
	SenderID string `json:"senderId"` // optional AWS.SNS.SMS.SenderID
	SMSType  string `json:"smsType"`  // Transactional (default) or Promotional
}

func (c *SNSConfig) check(p *problems.List) {
	p.OneOf("smsType", c.SMSType, "", "Transactional", "Promotional")
}

func (c *SNSConfig) sender(_ *http.Client, awsCfg *aws.Config) Sender { return NewSNS(*awsCfg, *c) }

// SNS sends through Amazon SNS (Publish to a phone number). It is safe for
// concurrent use.
type SNS struct {
	API      *awsapi.Client
	SenderID string // optional AWS.SNS.SMS.SenderID
	SMSType  string // empty means Transactional
	Timeout  time.Duration
}

// snsService is SNS: awsquery, endpoint and signing name sns.
var snsService = awsapi.Service{Prefix: "sns", SDKID: "SNS", Query: true}

// NewSNS returns an SNS sender. The HTTP client and BaseEndpoint come from
// awsCfg; c.Region, when set, overrides awsCfg.Region.
func NewSNS(awsCfg aws.Config, c SNSConfig) *SNS {
	return &SNS{API: shortRetries(awsCfg, c.Region, snsService), SenderID: c.SenderID, SMSType: c.SMSType}
}

// Send publishes m.Text to m.Phone as a transactional SMS: SNS's default,
// Promotional, is the cheaper route that drops messages first.
func (s *SNS) Send(ctx context.Context, m Message) error {
	if err := checkText(snsProvider, m); err != nil {
		return err
	}
	form := url.Values{"Action": {"Publish"}, "Version": {"2010-03-31"}, "PhoneNumber": {m.Phone}, "Message": {m.Text}}
	// The message attributes in the SDK's order, sorted by name.
	attrs := [][2]string{{"AWS.SNS.SMS.SMSType", cmp.Or(s.SMSType, "Transactional")}}
	if s.SenderID != "" {
		attrs = append(attrs, [2]string{"AWS.SNS.SMS.SenderID", s.SenderID})
	}
	for i, a := range attrs {
		entry := "MessageAttributes.entry." + strconv.Itoa(i+1)
		form.Set(entry+".Name", a[0])
		form.Set(entry+".Value.DataType", "String")
		form.Set(entry+".Value.StringValue", a[1])
	}
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(s.Timeout, DefaultTimeout))
	defer cancel()
	out, err := s.API.Do(ctx, awsapi.Request{Path: "/", ContentType: "application/x-www-form-urlencoded",
		Body: []byte(form.Encode())})
	if err != nil {
		return awsErr(snsProvider, err, m)
	}
	if xml.Unmarshal(out, new(struct {
		MessageID string `xml:"PublishResult>MessageId"`
	})) != nil {
		return transportErr(snsProvider, errors.New("the answer to Publish is not XML"))
	}
	return nil
}

func checkText(provider string, m Message) *Error {
	if m.Text == "" {
		return invalid(provider, "Text is empty")
	}
	return checkPhone(provider, m.Phone)
}

// awsRetryable are the throttling and server codes of SendTextMessage
// (ThrottlingException, InternalServerException) and Publish (Throttled,
// InternalError, KMSThrottling). ServiceQuotaExceededException (spend or
// message limits) is not: it is the operator's to raise.
func awsRetryable(code string) bool {
	switch code {
	case "ThrottlingException", "InternalServerException", "ServiceUnavailable",
		"Throttled", "InternalError", "KMSThrottling", "Throttling", "RequestLimitExceeded":
		return true
	}
	return false
}

// awsErr classifies an error of awsapi. An answer from AWS keeps its code and
// (masked) message; anything else is a transport failure.
func awsErr(provider string, err error, m Message) *Error {
	var ae *awsapi.APIError
	if errors.As(err, &ae) {
		msg := mask(ae.Message, m)
		if ae.RequestID != "" {
			msg += " (RequestId " + ae.RequestID + ")"
		}
		return &Error{Provider: provider, Code: ae.Code, Message: msg,
			Retryable: ae.Status >= 500 || awsRetryable(ae.Code)}
	}
	return transportErr(provider, err)
}
