package sms

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// maxBody caps what is read from a provider: a SendSms answer is a few
// hundred bytes, so more means something else answered.
const maxBody = 64 << 10

// client holds what both hand-written clients inject.
type client struct {
	HTTP    *http.Client     // nil means http.DefaultClient
	Timeout time.Duration    // per Send; zero means DefaultTimeout
	Now     func() time.Time // nil means time.Now
}

func (c *client) now() time.Time { return httpcall.Now(c.Now) }

// withTimeout bounds one Send.
func (c *client) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, httpcall.Timeout(c.Timeout, DefaultTimeout))
}

// do sends req and returns the status and body. A failure to send or to
// read is a retryable transport *Error.
func (c *client) do(provider string, req *http.Request) (int, []byte, *Error) {
	a, err := httpcall.Do(c.HTTP, req, maxBody)
	switch {
	case err != nil:
		return 0, nil, transportErr(provider, err)
	case a.Truncated:
		return 0, nil, transportErr(provider, fmt.Errorf("answer exceeds %d bytes", maxBody))
	}
	return a.Status, a.Body, nil
}

// undecodable classifies an answer that is not the provider's JSON. A proxy
// or an error page answered: with a 5xx, a 429 or even a 200 the API may work
// a moment later; another 4xx means the request itself is wrong. The body is
// not quoted, since it may echo the request.
func undecodable(provider string, status int) *Error {
	retry := status == http.StatusOK || httpcall.RetryableStatus(status)
	return &Error{Provider: provider, Code: CodeTransport, Retryable: retry,
		Message: fmt.Sprintf("HTTP %d answer is not the API's JSON", status)}
}
