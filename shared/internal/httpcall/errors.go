package httpcall

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// Error is a failure to reach a server or to read its answer, or an answer
// saying the server failed or is busy, or too long to be the API's: the
// request may succeed later.
// Nothing is known about whether the server acted on it. Its text holds no
// part of the request URL.
type Error struct{ err error }

// Error returns the cause's text.
func (e *Error) Error() string { return e.err.Error() }

// Unwrap returns the cause, such as context.DeadlineExceeded.
func (e *Error) Unwrap() error { return e.err }

// Retryable reports true unless the caller cancelled the call: then nobody
// is waiting for the answer any more.
func (e *Error) Retryable() bool { return !errors.Is(e.err, context.Canceled) }

// RetryableStatus reports HTTP 5xx and 429: the server failed or asks the
// client to slow down, so the same request may succeed later.
func RetryableStatus(status int) bool {
	return status >= 500 || status == http.StatusTooManyRequests
}

// IsRetryable reports whether err is worth another attempt. The first error
// in its chain with a Retryable method decides, as *Error and the clients'
// own error types have; an error without one is final. An error holding
// context.Canceled, the caller giving up, never is retryable.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var r interface{ Retryable() bool }
	return errors.As(err, &r) && r.Retryable()
}

// Mask hides each non-empty secret in msg. Providers are not known to echo
// request values in their messages, but those messages reach logs, so this
// is cheap insurance.
func Mask(msg string, secrets ...string) string {
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "***")
		}
	}
	return msg
}
