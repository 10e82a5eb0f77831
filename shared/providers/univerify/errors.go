package univerify

import (
	"errors"
	"fmt"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

var (
	// ErrUnauthorized means the proxy refused the request's signature
	// (HTTP 401/403): the secrets differ or a clock is more than 5 minutes
	// off. It is a configuration problem, not retryable.
	ErrUnauthorized = errors.New("univerify: proxy refused the request signature")
	// ErrSignature is wrapped when an HTTP 200 answer lacks a valid
	// signature for this request. The phone number in it is never used.
	ErrSignature = errors.New("univerify: answer signature missing or invalid")
)

// Error is a non-zero code from uniCloud.getPhoneNumber, passed through by
// the proxy. DCloud documents these server-side codes (univerify.md, 错误码):
// -7 appid missing, 1000 univerify not enabled for the appid, 1001/1002
// account problem or balance too low, 4001 bad request parameters, 4003
// appid check failed, 5000 unknown server error, 40004 app not found,
// 40047 phone number lookup failed, 40053 phone number check failed. No
// code is documented as "token invalid or expired", so beyond that list the
// codes are opaque, and all but 5000 are treated as final for this token.
type Error struct {
	Code    int
	Message string
}

// Error returns the code and DCloud's message, which hold no token.
func (e *Error) Error() string {
	return fmt.Sprintf("univerify: getPhoneNumber code %d: %s", e.Code, e.Message)
}

// Retryable reports whether DCloud blamed itself (5000, "服务器未知异常").
// Note the access_token is single-use, so a retry may still fail.
func (e *Error) Retryable() bool { return e.Code == 5000 }

// transportError marks a failure to reach the proxy or Aliyun, or a
// 5xx/429 answer.
type transportError struct{ err error }

func (e *transportError) Error() string   { return "univerify: " + e.err.Error() }
func (e *transportError) Unwrap() error   { return e.err }
func (e *transportError) Retryable() bool { return true }

// IsRetryable reports whether err may go away on a later attempt: transport
// failures, the per-call timeout, HTTP 5xx and 429, and DCloud's or
// Aliyun's own server errors. A cancelled caller context is not retryable.
func IsRetryable(err error) bool { return httpcall.IsRetryable(err) }
