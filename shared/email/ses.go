package email

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idco-dev/idco/shared/internal/awsapi"
	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// DefaultTimeout bounds one Send when SES.Timeout is zero: the security
// baseline gives downstream calls 3 s of a 10 s Lambda.
const DefaultTimeout = 3 * time.Second

const sesProvider = "ses"

// EnvSESEndpoint replaces SES's endpoint (tests, a VPC endpoint).
const EnvSESEndpoint = "IDCO_SES_ENDPOINT"

// SESProvider declares Amazon SES (v2 API): an AWS API
// (ses:SendEmail), idco.email.region its region, no block of its own.
var SESProvider = &Provider{Name: sesProvider, AWS: true, EnvEndpoint: EnvSESEndpoint, New: func(s Settings) Sender {
	if s.Region != "" {
		s.AWS.Region = s.Region
	}
	return NewSES(s.AWS, s.Endpoint, s.From, s.ConfigurationSet)
}}

// SES sends through Amazon SES v2 SendEmail with Simple content. It is safe
// for concurrent use.
type SES struct {
	API              *awsapi.Client
	From             string        // a verified SES identity, e.g. "App <no-reply@example.com>"
	ConfigurationSet string        // optional
	Timeout          time.Duration // per Send; zero means DefaultTimeout
}

// sesService is SES v2: restJson1, endpoint email.<region>, signed for ses.
var sesService = awsapi.Service{Prefix: "email", Signing: "ses", SDKID: "SESv2"}

// NewSES returns an SES sender. The region, credentials and HTTP client come
// from awsCfg; endpoint, when not empty, replaces SES's (a local fake or a
// VPC endpoint). A send is tried twice at most, with at most 200 ms of
// back-off, so that it fits a 10 s Lambda. There is no process-wide retry
// quota: it would silently turn retries off after a bad minute, and the
// send limits already bound how often a send is tried.
func NewSES(awsCfg aws.Config, endpoint, from, configurationSet string) *SES {
	api := &awsapi.Client{Config: awsCfg, Service: sesService, Endpoint: endpoint,
		Attempts: 2, MaxBackoff: 200 * time.Millisecond}
	return &SES{API: api, From: from, ConfigurationSet: configurationSet}
}

// sendEmail is SendEmail's body, as the SDK would send it.
type sendEmail struct {
	FromEmailAddress     string
	Destination          struct{ ToAddresses []string }
	Content              struct{ Simple sesMessage }
	ConfigurationSetName string `json:",omitempty"`
}

type sesMessage struct {
	Subject sesContent
	Body    struct {
		Text *sesContent
		Html *sesContent `json:",omitempty"`
	}
}

type sesContent struct{ Data, Charset string }

// Send sends m to m.To.
func (s *SES) Send(ctx context.Context, m Message) error {
	switch {
	case m.To == "" || strings.ContainsAny(m.To, "\r\n"):
		return &Error{Provider: sesProvider, Code: CodeInvalidMessage, Message: "no single recipient"}
	case m.Subject == "" || m.Text == "":
		return &Error{Provider: sesProvider, Code: CodeInvalidMessage, Message: "subject or text is empty"}
	}
	in := sendEmail{FromEmailAddress: s.From, ConfigurationSetName: s.ConfigurationSet}
	in.Destination.ToAddresses = []string{m.To}
	in.Content.Simple.Subject = sesUTF8(m.Subject)
	text := sesUTF8(m.Text)
	in.Content.Simple.Body.Text = &text
	if m.HTML != "" {
		html := sesUTF8(m.HTML)
		in.Content.Simple.Body.Html = &html
	}
	body, _ := json.Marshal(in) // strings only: it cannot fail
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(s.Timeout, DefaultTimeout))
	defer cancel()
	out, err := s.API.Do(ctx, awsapi.Request{Path: "/v2/email/outbound-emails", ContentType: "application/json", Body: body})
	if err != nil {
		return sesErr(err, m.To)
	}
	if json.Unmarshal(out, new(struct{ MessageId string })) != nil {
		return &Error{Provider: sesProvider, Code: CodeTransport, Retryable: true, Cause: errors.New("the answer to SendEmail is not JSON")}
	}
	return nil
}

func sesUTF8(s string) sesContent { return sesContent{Data: s, Charset: "UTF-8"} }

// sesErr classifies an error by SendEmail's documented errors:
// TooManyRequestsException and LimitExceededException (the per-second
// sending rate) are retryable, as are ThrottlingException, 5xx and transport
// failures; MessageRejected, MailFromDomainNotVerifiedException,
// AccountSuspendedException, SendingPausedException, NotFoundException and
// BadRequestException are not. The recipient is masked in SES's message,
// because SES quotes addresses it refuses ("...failed the check in region
// US-EAST-1: a@b.c").
func sesErr(err error, to string) *Error {
	var ae *awsapi.APIError
	if errors.As(err, &ae) {
		msg := strings.ReplaceAll(ae.Message, to, "***")
		if ae.RequestID != "" {
			msg += " (RequestId " + ae.RequestID + ")"
		}
		retry := ae.Status >= 500 || ae.Code == "TooManyRequestsException" ||
			ae.Code == "LimitExceededException" || ae.Code == "ThrottlingException"
		return &Error{Provider: sesProvider, Code: ae.Code, Message: msg, Retryable: retry}
	}
	return &Error{Provider: sesProvider, Code: CodeTransport, Retryable: !errors.Is(err, context.Canceled), Cause: err}
}
