// Package email sends idco's emails through a provider, Amazon SES (v2
// API) or Aliyun DirectMail (SingleSendMail), and renders their text from
// per-scene templates in zh-Hans and en.
// Each provider is declared once, as a Provider in its own file, and listed
// once in Providers.
//
// Templates are filled with strings.Replacer and html.EscapeString rather
// than text/template or html/template: those packages disable the linker's
// dead-code elimination and add about 3 MB to every Lambda binary, and the
// templates here only ever substitute four placeholders.
//
// Every failure of a send is an *Error. Its text carries the provider's
// error code and message, never the recipient or the body (which holds the
// code).
package email

import (
	"context"
	"strings"
)

// Message is one email. An empty HTML sends a text-only email.
type Message struct{ To, Subject, Text, HTML string }

// Sender delivers one Message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Error is every failure of a send. Code is the provider's error code, or
// "InvalidMessage" for a message refused before any call, or "Transport"
// when the provider could not be reached or read.
type Error struct {
	Provider string // a Providers name, such as "ses"
	Code     string
	Message  string
	// Retryable means trying again later may work: throttling, the per-second
	// sending quota, HTTP 5xx, timeouts, refused connections. AWS advises
	// waiting up to 10 minutes after a ThrottlingException.
	Retryable bool
	Cause     error
}

// Code values this package sets itself.
const (
	CodeInvalidMessage = "InvalidMessage"
	CodeTransport      = "Transport"
)

// Error returns the provider, code and message, which hold no recipient or
// body.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("email: " + e.Provider)
	for _, s := range []string{e.Code, e.Message} {
		if s != "" {
			b.WriteString(": " + s)
		}
	}
	if e.Cause != nil {
		b.WriteString(": " + e.Cause.Error())
	}
	return b.String()
}

// Unwrap returns the cause, such as context.DeadlineExceeded.
func (e *Error) Unwrap() error { return e.Cause }
