// Package apierr owns idco's error codes: the error type methods return, the
// catalogue of localised messages (uni-id's codes plus idco's own), and the HTTP
// status class of each code.
package apierr

import (
	"errors"
	"fmt"
	"strings"
)

// Error is a failure a client may see: a catalogue code, placeholder values for
// its message, optional extra envelope fields, and a cause that is logged but
// never sent.
type Error struct {
	Code   string
	Values map[string]string // fills {param}, {field}, ... in the message
	Extra  map[string]any    // extra envelope fields, e.g. retryAfter
	Msg    string            // overrides the catalogue message (uni-id test modes)
	MsgKey string            // takes the message of another catalogue code
	Cause  error
}

// Error reports the code and the cause, for logs.
func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Code + ": " + e.Cause.Error()
	}
	return e.Code
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// New returns an Error with code.
func New(code string) *Error { return &Error{Code: code} }

// Param returns code with its {param} placeholder set, as uni-id's
// uni-id-param-required.
func Param(code, param string) *Error {
	return &Error{Code: code, Values: map[string]string{"param": param}}
}

// Wrap returns an Error with code whose cause is err.
func Wrap(code string, err error) *Error { return &Error{Code: code, Cause: err} }

// Systemf returns a uni-id-system-error whose logged cause is formatted from
// format and args.
func Systemf(format string, args ...any) *Error {
	return &Error{Code: SystemError, Cause: fmt.Errorf(format, args...)}
}

// With returns a copy of e carrying an extra envelope field.
func (e *Error) With(key string, v any) *Error {
	c := *e
	c.Extra = make(map[string]any, len(e.Extra)+1)
	for k, x := range e.Extra {
		c.Extra[k] = x
	}
	c.Extra[key] = v
	return &c
}

// As returns err as an *Error; anything that is not one becomes
// uni-id-system-error with err as its cause.
func As(err error) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	return &Error{Code: SystemError, Cause: err}
}

// Is reports whether err carries code.
func Is(err error, code string) bool {
	e, ok := errors.AsType[*Error](err)
	return ok && e.Code == code
}

// Message returns the localised message for e in locale, placeholders
// filled. A param value whose message has no {param} (uni-id's
// uni-id-invalid-param, "参数错误") follows it after a colon, as in
// uni-id-param-required's, so the answer names the field.
func (e *Error) Message(locale string) string {
	if e.Msg != "" {
		return e.Msg
	}
	key := e.Code
	if e.MsgKey != "" {
		key = e.MsgKey
	}
	msg := Lookup(key, locale)
	if p, ok := e.Values["param"]; ok && p != "" && !strings.Contains(msg, "{param}") {
		msg += ": " + p
	}
	for k, v := range e.Values {
		msg = strings.ReplaceAll(msg, "{"+k+"}", v)
	}
	return msg
}
