// Package httpcall owns the HTTP plumbing that idco's thin third-party
// clients (the login providers, the SMS APIs, face verification) share: the
// defaults for an unset HTTP client, timeout and clock; reading a configured
// endpoint; sending one request and reading its answer under a size cap;
// keeping the request URL out of every error, because providers put secrets
// and one-time codes in it; and telling the failures worth another attempt
// from the rest.
//
// What an answer means stays with each client: which statuses it accepts,
// how it decodes the body, and its own error types.
package httpcall

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client returns hc, or http.DefaultClient when hc is nil.
func Client(hc *http.Client) *http.Client {
	if hc == nil {
		return http.DefaultClient
	}
	return hc
}

// Timeout returns d, or def when d is zero or negative.
func Timeout(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Now returns now(), or time.Now() when now is nil.
func Now(now func() time.Time) time.Time {
	if now == nil {
		return time.Now()
	}
	return now()
}

// Answer is what a server sent back, read up to the limit given to Do.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte // at most limit bytes
	// Truncated reports that the body was longer than limit and Body
	// holds only its start: something other than the API may have answered.
	Truncated bool
}

// Do sends req through hc (nil means http.DefaultClient) and reads at most
// limit bytes of the answer's body, whatever its status. A failure to send or
// to read is an *Error that does not repeat the URL.
func Do(hc *http.Client, req *http.Request, limit int) (*Answer, error) {
	resp, err := Client(hc).Do(req)
	if err != nil {
		return nil, &Error{WithoutURL(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if err != nil {
		return nil, &Error{fmt.Errorf("reading the answer: %w", err)}
	}
	a := &Answer{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if len(body) > limit {
		a.Body, a.Truncated = body[:limit], true
	}
	return a, nil
}

// Fetch is Do for APIs that answer HTTP 200 and nothing else: it returns the
// body of a 200 answer that fits in limit bytes. A failure to send or read, a
// 5xx or 429 answer and a body over limit are *Error; any other status is an
// error that is not retryable, because the request itself is wrong.
func Fetch(hc *http.Client, req *http.Request, limit int) ([]byte, error) {
	a, err := Do(hc, req, limit)
	switch {
	case err != nil:
		return nil, err
	case RetryableStatus(a.Status):
		return nil, &Error{fmt.Errorf("answered HTTP %d", a.Status)}
	case a.Status != http.StatusOK:
		return nil, fmt.Errorf("answered HTTP %d", a.Status)
	case a.Truncated:
		return nil, &Error{fmt.Errorf("answer exceeds %d bytes", limit)}
	}
	return a.Body, nil
}

// WithoutURL returns the cause inside a *url.Error, or err itself when it
// holds none. The text of a *url.Error repeats the full request URL, query
// string and secrets included.
func WithoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// BaseURL turns a configured endpoint, a bare host ("dysmsapi.aliyuncs.com")
// or a base URL ("http://127.0.0.1:8080"), into a URL whose path is "/";
// def is used when endpoint is empty. The signed APIs (Aliyun's ACS3,
// TencentCloud's TC3) sign the path "/", so an endpoint with a path is
// refused rather than silently breaking every signature.
func BaseURL(endpoint, def string) (*url.URL, error) {
	if endpoint == "" {
		endpoint = def
	}
	if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	u, err := url.Parse(endpoint)
	switch {
	case err != nil:
		return nil, errors.New("not a host or URL")
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, errors.New("scheme must be https or http")
	case u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, errors.New("must be a host or a base URL without credentials, query or fragment")
	case strings.Trim(u.Path, "/") != "":
		return nil, errors.New("must not have a path")
	}
	u.Path = "/"
	return u, nil
}
