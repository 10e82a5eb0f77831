package weixin

import (
	"fmt"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// Error is an answer WeChat gave with a non-zero errcode. Msg is errmsg as
// sent, including the "rid: ..." WeChat support asks for, with any secret of
// the request masked.
//
// The codes below come from the code2Session, getPhoneNumber and
// getStableAccessToken pages and WeChat's common error table
// (developers.weixin.qq.com: -1 system error, 40001 invalid credential,
// 40014 invalid access_token, 40029 invalid code, 40163 code been used,
// 40226 code blocked, 41008 missing code, 42001 access_token expired, 42003
// oauth_code expired, 45009 daily quota, 45011 minute quota).
type Error struct {
	Code int
	Msg  string
}

// Error returns the code and message, which hold no secret of the request.
func (e *Error) Error() string {
	return fmt.Sprintf("weixin: errcode %d: %s", e.Code, e.Msg)
}

// Retryable reports errcode -1, "system error, 系统繁忙，此时请开发者稍候再试":
// WeChat failed on its side and one retry is worth it. A code-based call
// may then answer 40163 if the first attempt consumed the code.
func (e *Error) Retryable() bool {
	return e.Code == -1
}

// RateLimited reports errcode 45011, "api minute-quota reach limit must
// slower retry next minute", documented on code2Session as 100 calls per
// user per minute and reported from getuserphonenumber too. Retrying at
// once cannot help; the caller answers "too many requests". 45009 (the
// app's daily quota) is not included: it is an operator problem that no
// client back-off fixes.
func (e *Error) RateLimited() bool {
	return e.Code == 45011
}

// InvalidCode reports that the code cannot be exchanged and the user must
// get a new one: 40029 invalid or expired (codes live 5 minutes), 40163
// already used, 42003 expired, 41008 missing, and 40226, code2Session's
// "code blocked" for a user WeChat rates high-risk (see also Blocked).
func (e *Error) InvalidCode() bool {
	switch e.Code {
	case 40029, 40163, 42003, 41008, 40226:
		return true
	}
	return false
}

// Blocked reports errcode 40226: WeChat refused the login of a user it rates
// high-risk. A new code will be refused too, so callers may say so instead
// of asking the user to try again.
func (e *Error) Blocked() bool {
	return e.Code == 40226
}

// InvalidToken reports that the access token sent is no longer accepted:
// 42001 expired, 40014 invalid, 40001 invalid credential ("access_token is
// invalid or not latest"). On PhoneNumber the caller drops its cached
// mini-program token and retries once with a fresh one. From AccessToken
// itself, 40001 instead means a wrong AppSecret; refetching will not help.
func (e *Error) InvalidToken() bool {
	switch e.Code {
	case 40001, 40014, 42001:
		return true
	}
	return false
}

// transportError marks an answer that is not WeChat's JSON, such as a
// proxy's error page: the API may be fine a moment later. Nothing is known
// about whether WeChat consumed the code.
type transportError struct{ err error }

func (e *transportError) Error() string   { return "weixin: " + e.err.Error() }
func (e *transportError) Unwrap() error   { return e.err }
func (e *transportError) Retryable() bool { return true }

// IsRetryable reports whether err is worth one more attempt: transport
// failures, the per-call timeout, HTTP 5xx and 429, answers that are not
// JSON, and WeChat's own "system busy" (-1). A caller's cancelled context is
// not retryable, nor is a rate limit (see Error.RateLimited).
func IsRetryable(err error) bool { return httpcall.IsRetryable(err) }
