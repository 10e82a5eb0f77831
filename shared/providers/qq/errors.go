package qq

import (
	"errors"
	"fmt"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// ErrForeignToken is returned by Me when the access token was issued to
// another QQ app (client_id is not ours). Accepting it would let any app
// that the user ever logged in to replay its token here and be logged in
// as that user: the "token substitution" attack.
var ErrForeignToken = errors.New("qq: access token was issued to another app")

// Error is an answer QQ gave. Graph is false for the mini-program API
// (errcode/errmsg: -1 busy, 40029 invalid code, 45011 frequency limit,
// 100 calls per user per minute) and true for graph.qq.com, whose numbers
// mean something else: "me" answers error/error_description with QQ
// Connect's 1000xx codes, get_user_info answers ret/msg, where -1 means bad
// parameters, not "busy".
type Error struct {
	Code  int
	Msg   string
	Graph bool
}

// Error returns the code and message, which hold no secret of the request.
func (e *Error) Error() string {
	if e.Graph {
		return fmt.Sprintf("qq: graph error %d: %s", e.Code, e.Msg)
	}
	return fmt.Sprintf("qq: errcode %d: %s", e.Code, e.Msg)
}

// Retryable reports the mini-program API's -1, "系统繁忙，此时请开发者稍候
// 再试". QQ Connect documents no "busy" code.
func (e *Error) Retryable() bool {
	return !e.Graph && e.Code == -1
}

// RateLimited reports the mini-program API's 45011 frequency limit.
// Retrying at once cannot help; the caller answers "too many requests".
func (e *Error) RateLimited() bool {
	return !e.Graph && e.Code == 45011
}

// InvalidCode reports that a mini-program code cannot be exchanged: 40029
// (documented: invalid or expired) and 40163 (already used: WeChat's code,
// kept because QQ's API copies WeChat's path for path). The user must log
// in again.
func (e *Error) InvalidCode() bool {
	return !e.Graph && (e.Code == 40029 || e.Code == 40163)
}

// InvalidToken reports that QQ Connect refused the access token: 100013
// invalid, 100014 expired, 100015 revoked, 100016 check failed (QQ
// Connect's common return codes). The user must authorise the app again.
func (e *Error) InvalidToken() bool {
	return e.Graph && e.Code >= 100013 && e.Code <= 100016
}

// transportError marks an answer from QQ that is not JSON, such as a
// proxy's error page.
type transportError struct{ err error }

func (e *transportError) Error() string   { return "qq: " + e.err.Error() }
func (e *transportError) Unwrap() error   { return e.err }
func (e *transportError) Retryable() bool { return true }

// IsRetryable reports whether err is worth one more attempt: transport
// failures, the per-call timeout, HTTP 5xx and 429, answers that are not
// JSON, and the mini-program API's "busy" (-1). A caller's cancelled context
// is not retryable, nor is a rate limit.
func IsRetryable(err error) bool { return httpcall.IsRetryable(err) }
