package alipay

import (
	"fmt"
	"strings"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// Error is an error Alipay answered with a verified signature, in either
// the error_response node or the method's own node. Codes follow Alipay's
// public gateway table (10000 success, 20000 service unavailable, 20001
// token, 40001 missing parameter, 40002 invalid parameter, 40004 business
// failure, 40006 permission); SubCode carries the detail.
type Error struct {
	Code    string
	Msg     string
	SubCode string
	SubMsg  string
}

// Error returns the codes and messages, which never hold the auth code or a
// token.
func (e *Error) Error() string {
	return fmt.Sprintf("alipay: %s %s (%s: %s)", e.Code, e.Msg, e.SubCode, e.SubMsg)
}

// InvalidCode reports whether the auth code was wrong, already used or
// expired. Alipay folds all three into isv.code-invalid ("授权码(auth_code)
// 错误、状态不对或过期"); there is no separate "already used" sub-code. The
// user must authorise again, so retrying the same code is pointless.
func (e *Error) InvalidCode() bool {
	return e.SubCode == "isv.code-invalid"
}

// Retryable reports whether Alipay said it failed on its side: code 20000
// ("服务不可用", sub-codes isp.unknow-error and aop.unknow-error, "稍后重试")
// or any isp.* sub-code, plus aop.ACQ.SYSTEM_ERROR, which Alipay's support
// pages group with them as a system error.
func (e *Error) Retryable() bool {
	return e.Code == "20000" ||
		strings.HasPrefix(e.SubCode, "isp.") ||
		e.SubCode == "aop.unknow-error" ||
		e.SubCode == "aop.ACQ.SYSTEM_ERROR"
}

// transportError marks a failure to reach Alipay or to read its answer:
// connection errors, timeouts and HTTP 5xx. Nothing is known about whether
// Alipay consumed the code.
type transportError struct{ err error }

func (e *transportError) Error() string   { return "alipay: " + e.err.Error() }
func (e *transportError) Unwrap() error   { return e.err }
func (e *transportError) Retryable() bool { return true }

// IsRetryable reports whether err is worth retrying later with a fresh
// request: transport failures, the per-call timeout, HTTP 5xx and Alipay's
// own system errors. A caller's cancelled context is not retryable, nor is a
// signature failure, which means misconfiguration or tampering. Note that an
// auth code is single-use: after a timeout the first attempt may have
// consumed it, and a retry can then answer isv.code-invalid.
func IsRetryable(err error) bool { return httpcall.IsRetryable(err) }
