// Package qq is a thin client for QQ login: the QQ mini-program's
// code2session, QQ Connect's PC web login (the authorization page and the
// code exchange) and its OAuth "me" and get_user_info.
//
// The AppSecret, codes and access tokens travel in query strings, so no
// error from this package repeats a URL or a body. Answers QQ gives are
// *Error; failures to reach QQ or to read its answer (timeouts, refused
// connections, HTTP 5xx, bodies that are not JSON) satisfy IsRetryable.
package qq

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// DefaultMiniBaseURL is the QQ mini-program API host (code2session).
const DefaultMiniBaseURL = "https://api.q.qq.com"

// DefaultGraphBaseURL is the QQ Connect (QQ互联) host for "me" and
// get_user_info.
const DefaultGraphBaseURL = "https://graph.qq.com"

// DefaultTimeout bounds one call when Client.Timeout is zero, the 5 s
// uni-id uses too.
const DefaultTimeout = 5 * time.Second

// maxBody caps what is read; every answer used here is under 2 KiB.
const maxBody = 64 << 10

// Client calls QQ's servers. The zero values of MiniBaseURL, GraphBaseURL,
// HTTP and Timeout mean the defaults above and http.DefaultClient. App IDs
// and secrets are arguments because one deployment may serve a QQ mini
// program and a QQ app. A Client is safe for concurrent use.
type Client struct {
	MiniBaseURL  string
	GraphBaseURL string
	HTTP         *http.Client
	Timeout      time.Duration
}

// get fetches base+path?q and returns the body of a 200 answer. The caller
// decodes it, because QQ's hosts disagree on the error shape.
func (c *Client) get(ctx context.Context, base, path string, q url.Values) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(c.Timeout, DefaultTimeout))
	defer cancel()
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("qq: base URL: %w", err)
	}
	u = u.JoinPath(path)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("qq: building %s request", path)
	}
	raw, err := httpcall.Fetch(c.HTTP, req, maxBody)
	if err != nil {
		return nil, fmt.Errorf("qq: GET %s: %w", path, err)
	}
	return raw, nil
}

// decode unmarshals an answer. A body that is not JSON (an error page from
// a proxy) is retryable; the body is not quoted since it may echo the
// request.
func decode(raw []byte, path string, out any) error {
	if err := json.Unmarshal(raw, out); err != nil {
		return &transportError{fmt.Errorf("%s answer is not JSON: %w", path, err)}
	}
	return nil
}

// required reports the first empty argument by name, before any call.
func required(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return fmt.Errorf("qq: %s is empty", pairs[i])
		}
	}
	return nil
}

func (c *Client) miniBase() string {
	if c.MiniBaseURL == "" {
		return DefaultMiniBaseURL
	}
	return c.MiniBaseURL
}

func (c *Client) graphBase() string {
	if c.GraphBaseURL == "" {
		return DefaultGraphBaseURL
	}
	return c.GraphBaseURL
}
