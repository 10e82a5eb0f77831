package email

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
)

// DefaultTimeout bounds one Send when SES.Timeout is zero: the security
// baseline gives downstream calls 3 s of a 10 s Lambda.
const DefaultTimeout = 3 * time.Second

const sesProvider = "ses"

// SESProvider declares Amazon SES (v2 API): an AWS API
// (ses:SendEmail), idco.email.region its region.
var SESProvider = &Provider{Name: sesProvider, AWS: true, New: func(s Settings) Sender {
	if s.Region != "" {
		s.AWS.Region = s.Region
	}
	return NewSES(s.AWS, s.Endpoint, s.From, s.ConfigurationSet)
}}

// SES sends through Amazon SES v2 SendEmail with Simple content. It is safe
// for concurrent use.
type SES struct {
	Client           *sesv2.Client
	From             string        // a verified SES identity, e.g. "App <no-reply@example.com>"
	ConfigurationSet string        // optional
	Timeout          time.Duration // per Send; zero means DefaultTimeout
}

// NewSES returns an SES sender. The region, credentials and HTTP client come
// from awsCfg; endpoint, when not empty, replaces SES's (a local fake or a
// VPC endpoint). The client retries once with at most 200 ms of back-off,
// so that a send fits a 10 s Lambda.
func NewSES(awsCfg aws.Config, endpoint, from, configurationSet string) *SES {
	cl := sesv2.NewFromConfig(awsCfg, func(o *sesv2.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		o.Retryer = retry.NewStandard(func(r *retry.StandardOptions) {
			r.MaxAttempts = 2
			r.MaxBackoff = 200 * time.Millisecond
			// No process-wide retry quota: it would silently turn
			// retries off after a bad minute, and the send limits
			// already bound how often a send is tried.
			r.RateLimiter = ratelimit.None
		})
	})
	return &SES{Client: cl, From: from, ConfigurationSet: configurationSet}
}

// Send sends m to m.To.
func (s *SES) Send(ctx context.Context, m Message) error {
	switch {
	case m.To == "" || strings.ContainsAny(m.To, "\r\n"):
		return &Error{Provider: sesProvider, Code: CodeInvalidMessage, Message: "no single recipient"}
	case m.Subject == "" || m.Text == "":
		return &Error{Provider: sesProvider, Code: CodeInvalidMessage, Message: "subject or text is empty"}
	}
	body := &types.Body{Text: utf8(m.Text)}
	if m.HTML != "" {
		body.Html = utf8(m.HTML)
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.From),
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content:          &types.EmailContent{Simple: &types.Message{Subject: utf8(m.Subject), Body: body}},
	}
	if s.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.ConfigurationSet)
	}
	d := s.Timeout
	if d <= 0 {
		d = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if _, err := s.Client.SendEmail(ctx, in); err != nil {
		return sesErr(err, m.To)
	}
	return nil
}

func utf8(s string) *types.Content {
	return &types.Content{Data: aws.String(s), Charset: aws.String("UTF-8")}
}

// sesErr classifies an SDK error by SendEmail's documented errors:
// TooManyRequestsException and LimitExceededException (the per-second
// sending rate) are retryable, as are ThrottlingException, 5xx and transport
// failures; MessageRejected, MailFromDomainNotVerifiedException,
// AccountSuspendedException, SendingPausedException, NotFoundException and
// BadRequestException are not. The SDK's own error text is dropped for API
// errors, and the recipient masked in SES's message, because SES quotes
// addresses it refuses ("...failed the check in region US-EAST-1: a@b.c").
func sesErr(err error, to string) *Error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		status := 0
		var re *awshttp.ResponseError
		if errors.As(err, &re) {
			status = re.HTTPStatusCode()
		}
		msg := strings.ReplaceAll(ae.ErrorMessage(), to, "***")
		if re != nil && re.ServiceRequestID() != "" {
			msg += " (RequestId " + re.ServiceRequestID() + ")"
		}
		code := ae.ErrorCode()
		retry := status >= 500 || code == "TooManyRequestsException" ||
			code == "LimitExceededException" || code == "ThrottlingException"
		return &Error{Provider: sesProvider, Code: code, Message: msg, Retryable: retry}
	}
	var ip smithy.InvalidParamsError
	if errors.As(err, &ip) {
		return &Error{Provider: sesProvider, Code: CodeInvalidMessage, Message: "the SDK refused the parameters"}
	}
	return &Error{Provider: sesProvider, Code: CodeTransport, Retryable: !errors.Is(err, context.Canceled), Cause: err}
}
