// Package sms sends one-time-code text messages through a configured
// provider: Aliyun SMS, Tencent Cloud SMS, AWS End User Messaging SMS, or
// Amazon SNS.
//
// Aliyun and Tencent are small hand-written clients (one signed POST each)
// because their SDKs are either not served by the Go proxy or pull in dozens
// of modules. The two AWS providers are one signed POST each too
// (shared/internal/awsapi), since the SDK's service clients cost about
// 1 ms of package init per cold start, with a short retry budget so that
// one send fits a 10 s Lambda.
//
// Each provider is declared once, as a Provider in its own file (its name,
// its config block and checks, whether it sends templates or text, whether
// it is an AWS API, its constructor), and listed once in Providers.
//
// Every failure is an *Error. Its text carries the provider's code and
// message, never the message text, the template parameters (the one-time
// code) or a request URL, so it can be logged as is.
package sms

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// DefaultTimeout bounds one Send when a sender's Timeout is zero: the
// security baseline gives downstream calls 3 s of a 10 s Lambda.
const DefaultTimeout = 3 * time.Second

// Message is one text message to one phone.
type Message struct {
	Phone      string  // E.164, e.g. "+8613812345678"
	TemplateID string  // Aliyun TemplateCode, Tencent TemplateId; unused by SNS and End User Messaging
	Params     []Param // ordered template params, e.g. {code 123456} {expMinute 3}
	Text       string  // the rendered text, for providers that send plain text (SNS, End User Messaging)
}

// Param is one named template parameter. Aliyun sends params as a JSON
// object keyed by Name; Tencent sends only the values, in order.
type Param struct{ Name, Value string }

// Sender delivers one Message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Error is every failure of a Send. Code and Message are the provider's
// (or "InvalidMessage" for a message refused before any call, "Transport"
// when the provider could not be reached or read).
type Error struct {
	Provider string
	Code     string
	Message  string
	// Retryable means nothing is known to have been sent and trying again
	// later may work: throttling, HTTP 5xx, timeouts, refused connections,
	// unreadable answers, the provider's "busy" codes.
	Retryable bool
	// Limited means the provider refused this destination for now by its
	// per-number flow control (Aliyun isv.BUSINESS_LIMIT_CONTROL, Tencent
	// LimitExceeded.PhoneNumber*). Retrying soon will fail again, so it is
	// not Retryable; callers answer "too many requests" instead.
	Limited bool
	Cause   error
}

// Error returns the provider, code and message, which hold no secret.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("sms: ")
	b.WriteString(e.Provider)
	if e.Code != "" {
		b.WriteString(": ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Unwrap returns the cause, such as context.DeadlineExceeded.
func (e *Error) Unwrap() error { return e.Cause }

// Code values this package sets itself.
const (
	CodeInvalidMessage = "InvalidMessage" // refused before any call
	CodeTransport      = "Transport"      // no usable answer from the provider
)

// transportErr wraps a failure to reach the provider or to read its answer.
// *url.Error is unwrapped because its text repeats the request URL, and
// Aliyun's URL carries the template params. The caller's own cancellation is
// not retryable: nobody is waiting for the answer any more.
func transportErr(provider string, err error) *Error {
	err = httpcall.WithoutURL(err)
	return &Error{Provider: provider, Code: CodeTransport, Retryable: !errors.Is(err, context.Canceled), Cause: err}
}

// invalid reports a message refused before any network call.
func invalid(provider, format string, args ...any) *Error {
	return &Error{Provider: provider, Code: CodeInvalidMessage, Message: fmt.Sprintf(format, args...)}
}

// checkPhone accepts E.164: a plus, a non-zero digit, 7 to 15 digits in all.
// The phone itself is never quoted: it is personal data.
func checkPhone(provider, phone string) *Error {
	ok := len(phone) >= 8 && len(phone) <= 16 && phone[0] == '+' && phone[1] != '0'
	for i := 1; ok && i < len(phone); i++ {
		ok = phone[i] >= '0' && phone[i] <= '9'
	}
	if !ok {
		return invalid(provider, "phone is not E.164")
	}
	return nil
}

// mask hides the message's secrets in a provider message, in case the
// provider echoes the request (Aliyun's signature errors quote what they
// signed). Short values such as "3" minutes are left, since masking them
// would garble the message and they reveal nothing.
func mask(s string, m Message) string {
	secrets := []string{m.Text, m.Phone, strings.TrimPrefix(m.Phone, "+"), aliyunPhone(m.Phone)}
	for _, p := range m.Params {
		secrets = append(secrets, p.Value)
	}
	for _, v := range secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "***")
		}
	}
	const max = 300
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "…"
	}
	return s
}
