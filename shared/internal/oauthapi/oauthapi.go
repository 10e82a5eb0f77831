// Package oauthapi is what idco's web OAuth provider clients
// (shared/providers/github, google, dingtalk, weibo, facebook, twitter)
// share: one call to a provider with its JSON answer read under a size cap,
// the provider's refusal as *Error, the addresses they call, and PKCE.
//
// Providers put client secrets, codes and access tokens in requests, so no
// error from this package repeats a URL or a body: a refusal carries the
// provider's error code and message with the call's secrets masked, and a
// failure to reach the provider or read its answer is retryable
// (httpcall.IsRetryable).
package oauthapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// DefaultTimeout bounds one call when a client's Timeout is zero, as for
// every other idco provider client.
const DefaultTimeout = 5 * time.Second

// maxBody caps what is read from a provider; token and profile answers are
// a few KiB.
const maxBody = 64 << 10

// Error is a provider's refusal: the HTTP status, the provider's own error
// code and message (secrets masked), and what it means for a retry.
type Error struct {
	Provider string
	Status   int
	Code     string
	Msg      string
	// Busy: the provider failed or is overloaded; the same call may work
	// later. Limited: the provider's rate limit.
	Busy    bool
	Limited bool
}

// Error returns the provider, status, code and message, which hold no
// secret of the request.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s: %s", e.Provider, e.Status, e.Code, e.Msg)
}

// Retryable reports Busy.
func (e *Error) Retryable() bool { return e.Busy }

// RateLimited reports Limited.
func (e *Error) RateLimited() bool { return e.Limited }

// Refusal reads a provider's answer (any status) and returns its *Error
// when the answer is a refusal, nil when it is not.
type Refusal func(status int, body []byte) *Error

// Request is one call. Exactly one of Form and JSON may be set as the
// body; Secrets are masked out of any message the provider sends back.
type Request struct {
	Method  string
	URL     string
	Query   url.Values
	Form    url.Values
	JSON    any
	Header  http.Header
	Secrets []string
}

// Do sends the request, bounded by timeout (DefaultTimeout when zero), and
// decodes its JSON answer into out. An answer refuse recognises is its
// *Error; HTTP 5xx or 429 it does not recognise is a Busy or Limited
// *Error; any other status outside 2xx is a final *Error; a 2xx answer
// that is not JSON, a body over the cap and a failure to reach the provider
// are retryable.
func (r *Request) Do(ctx context.Context, hc *http.Client, timeout time.Duration, provider string, out any, refuse Refusal) error {
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(timeout, DefaultTimeout))
	defer cancel()
	req, err := r.build(ctx, provider)
	if err != nil {
		return err
	}
	a, err := httpcall.Do(hc, req, maxBody)
	if err != nil {
		return fmt.Errorf("%s: %w", provider, err)
	}
	if a.Truncated {
		return &Error{Provider: provider, Status: a.Status, Code: "too_long", Msg: "answer exceeds the size cap", Busy: true}
	}
	if e := refuse(a.Status, a.Body); e != nil {
		e.Provider, e.Status = provider, a.Status
		e.Msg = httpcall.Mask(e.Msg, r.Secrets...)
		e.Busy = e.Busy || a.Status >= 500
		e.Limited = e.Limited || a.Status == http.StatusTooManyRequests
		return e
	}
	if a.Status < 200 || a.Status > 299 {
		return &Error{Provider: provider, Status: a.Status, Code: "http", Msg: http.StatusText(a.Status),
			Busy: a.Status >= 500, Limited: a.Status == http.StatusTooManyRequests}
	}
	if err := json.Unmarshal(a.Body, out); err != nil {
		// A proxy or an error page answered; the body is not quoted, since
		// it may echo the request.
		return &Error{Provider: provider, Status: a.Status, Code: "not_json", Msg: "answer is not JSON", Busy: true}
	}
	return nil
}

// build makes the HTTP request; an error quotes no part of the URL.
func (r *Request) build(ctx context.Context, provider string) (*http.Request, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return nil, fmt.Errorf("%s: bad endpoint", provider)
	}
	if len(r.Query) > 0 {
		u.RawQuery = r.Query.Encode()
	}
	var body io.Reader
	ctype := ""
	switch {
	case r.Form != nil:
		body, ctype = strings.NewReader(r.Form.Encode()), "application/x-www-form-urlencoded"
	case r.JSON != nil:
		b, err := json.Marshal(r.JSON)
		if err != nil {
			return nil, fmt.Errorf("%s: encoding the request: %w", provider, err)
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s: building the request", provider)
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	return req, nil
}

// Standard reads the error answer of RFC 6749 section 5.2,
// {"error": "...", "error_description": "..."}: temporarily_unavailable and
// server_error are Busy.
func Standard(_ int, body []byte) *Error {
	var a struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &a) != nil || a.Error == "" {
		return nil
	}
	return &Error{Code: a.Error, Msg: a.Description, Busy: a.Error == "temporarily_unavailable" || a.Error == "server_error"}
}

// Endpoint returns base+path when base (a test's or the dev server's fake,
// serving every host of the provider under one address) is set, else
// def+path.
func Endpoint(base, def, path string) string {
	if base == "" {
		base = def
	}
	return strings.TrimRight(base, "/") + path
}

// AuthURL returns the address of an authorization page with q.
func AuthURL(endpoint string, q url.Values) string {
	return endpoint + "?" + q.Encode()
}

// S256 returns the PKCE S256 code challenge of verifier (RFC 7636 section
// 4.2): base64url, unpadded, of its SHA-256.
func S256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Required reports the first empty argument by name, before any call.
func Required(provider string, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return fmt.Errorf("%s: %s is empty", provider, pairs[i])
		}
	}
	return nil
}

// ErrNoID is wrapped when an answer the provider calls a success lacks the
// user's id: logging someone in as "" must never happen.
var ErrNoID = errors.New("answer lacks the user id")

// Decode reads a JSON body into v and reports whether it was JSON.
func Decode(body []byte, v any) bool { return json.Unmarshal(body, v) == nil }
