package sms

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	eum "github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	eumtypes "github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

const (
	eumProvider = "aws-eum"
	snsProvider = "sns"
)

// shortRetryer allows one retry with at most 200 ms of back-off, so that a
// send stays well inside a 10 s Lambda. SNS's "Throttled" (HTTP 429) and
// "KMSThrottling" are not in the SDK's default throttle codes, so they are
// added. The client-side retry quota is off: a process-wide token bucket
// would let one provider hiccup silently disable retries for minutes, and the
// send limits and daily budget already bound how often a send is tried.
func shortRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 2
		o.MaxBackoff = 200 * time.Millisecond
		o.RateLimiter = ratelimit.None
		o.Retryables = append(o.Retryables, retry.RetryableErrorCode{
			Codes: map[string]struct{}{"Throttled": {}, "KMSThrottling": {}}})
	})
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

func (c *EUMConfig) check(p *problems) {
	p.oneOf("messageType", c.MessageType, "", "TRANSACTIONAL", "PROMOTIONAL")
}

func (c *EUMConfig) sender(_ *http.Client, awsCfg *aws.Config) Sender { return NewEUM(*awsCfg, *c) }

// EUM sends through AWS End User Messaging SMS (SendTextMessage). It is safe
// for concurrent use.
type EUM struct {
	Client              *eum.Client
	OriginationIdentity string // optional
	ConfigurationSet    string // optional
	MessageType         string // empty means TRANSACTIONAL
	Timeout             time.Duration
}

// NewEUM returns an EUM sender. The HTTP client and BaseEndpoint come from
// awsCfg; c.Region, when set, overrides awsCfg.Region.
func NewEUM(awsCfg aws.Config, c EUMConfig) *EUM {
	if c.Region != "" {
		awsCfg.Region = c.Region
	}
	cl := eum.NewFromConfig(awsCfg, func(o *eum.Options) { o.Retryer = shortRetryer() })
	return &EUM{Client: cl, OriginationIdentity: c.OriginationIdentity,
		ConfigurationSet: c.ConfigurationSet, MessageType: c.MessageType}
}

// Send sends m.Text to m.Phone.
func (s *EUM) Send(ctx context.Context, m Message) error {
	if err := checkText(eumProvider, m); err != nil {
		return err
	}
	mt := eumtypes.MessageTypeTransactional
	if s.MessageType != "" {
		mt = eumtypes.MessageType(s.MessageType)
	}
	in := &eum.SendTextMessageInput{DestinationPhoneNumber: aws.String(m.Phone),
		MessageBody: aws.String(m.Text), MessageType: mt}
	if s.OriginationIdentity != "" {
		in.OriginationIdentity = aws.String(s.OriginationIdentity)
	}
	if s.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.ConfigurationSet)
	}
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(s.Timeout, DefaultTimeout))
	defer cancel()
	if _, err := s.Client.SendTextMessage(ctx, in); err != nil {
		return awsErr(eumProvider, err, m)
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

func (c *SNSConfig) check(p *problems) {
	p.oneOf("smsType", c.SMSType, "", "Transactional", "Promotional")
}

func (c *SNSConfig) sender(_ *http.Client, awsCfg *aws.Config) Sender { return NewSNS(*awsCfg, *c) }

// SNS sends through Amazon SNS (Publish to a phone number). It is safe for
// concurrent use.
type SNS struct {
	Client   *sns.Client
	SenderID string // optional AWS.SNS.SMS.SenderID
	SMSType  string // empty means Transactional
	Timeout  time.Duration
}

// NewSNS returns an SNS sender. The HTTP client and BaseEndpoint come from
// awsCfg; c.Region, when set, overrides awsCfg.Region.
func NewSNS(awsCfg aws.Config, c SNSConfig) *SNS {
	if c.Region != "" {
		awsCfg.Region = c.Region
	}
	cl := sns.NewFromConfig(awsCfg, func(o *sns.Options) { o.Retryer = shortRetryer() })
	return &SNS{Client: cl, SenderID: c.SenderID, SMSType: c.SMSType}
}

// Send publishes m.Text to m.Phone as a transactional SMS: SNS's default,
// Promotional, is the cheaper route that drops messages first.
func (s *SNS) Send(ctx context.Context, m Message) error {
	if err := checkText(snsProvider, m); err != nil {
		return err
	}
	typ := s.SMSType
	if typ == "" {
		typ = "Transactional"
	}
	attrs := map[string]snstypes.MessageAttributeValue{
		"AWS.SNS.SMS.SMSType": {DataType: aws.String("String"), StringValue: aws.String(typ)},
	}
	if s.SenderID != "" {
		attrs["AWS.SNS.SMS.SenderID"] = snstypes.MessageAttributeValue{DataType: aws.String("String"),
			StringValue: aws.String(s.SenderID)}
	}
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(s.Timeout, DefaultTimeout))
	defer cancel()
	_, err := s.Client.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String(m.Phone),
		Message: aws.String(m.Text), MessageAttributes: attrs})
	if err != nil {
		return awsErr(snsProvider, err, m)
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

// awsErr classifies an SDK error. An answer from AWS keeps its code and
// (masked) message but not the SDK's error text, which may quote the phone.
// Anything else is a transport failure, except parameters the SDK refused
// before sending.
func awsErr(provider string, err error, m Message) *Error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		status := 0
		var re *awshttp.ResponseError
		if errors.As(err, &re) {
			status = re.HTTPStatusCode()
		}
		msg := mask(ae.ErrorMessage(), m)
		if re != nil && re.ServiceRequestID() != "" {
			msg += " (RequestId " + re.ServiceRequestID() + ")"
		}
		return &Error{Provider: provider, Code: ae.ErrorCode(), Message: msg,
			Retryable: status >= 500 || awsRetryable(ae.ErrorCode())}
	}
	var ip smithy.InvalidParamsError
	if errors.As(err, &ip) {
		return &Error{Provider: provider, Code: CodeInvalidMessage, Message: "the SDK refused the parameters"}
	}
	return transportErr(provider, err)
}
