// Package weixin is a thin client for the WeChat server APIs idco uses:
// mini-program code2session and phone number, OAuth access token and user
// info for app / official account / website QR, the mini-program access
// token, and decryption of encryptedData.
//
// WeChat puts the AppSecret, codes and access tokens in query strings, so no
// error from this package repeats a URL or a body: answers WeChat gives are
// *Error (errcode/errmsg, with any secret we sent masked out of errmsg), and
// failures to reach WeChat or to read its answer (timeouts, refused
// connections, HTTP 5xx, bodies that are not JSON) satisfy IsRetryable.
package weixin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// DefaultBaseURL is WeChat's API host for every call in this package.
const DefaultBaseURL = "https://api.weixin.qq.com"

// DefaultTimeout bounds one call when Client.Timeout is zero. uni-id uses
// the same 5 s for its WeChat calls.
const DefaultTimeout = 5 * time.Second

// maxBody caps what is read from WeChat; every answer used here is under
// 2 KiB, so more means something other than the API answered.
const maxBody = 64 << 10

// Client calls WeChat's server APIs. The zero values of BaseURL, HTTP and
// Timeout mean DefaultBaseURL, http.DefaultClient and DefaultTimeout. The
// AppID and AppSecret are arguments rather than fields because one idco
// deployment serves several WeChat apps (mini program, app, web). A Client
// is safe for concurrent use.
type Client struct {
	BaseURL string
	HTTP    *http.Client
	Timeout time.Duration
}

// status is the errcode/errmsg pair every WeChat answer may carry. A
// successful answer usually omits errcode, which decodes as 0.
type status struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func (s *status) apiStatus() *status { return s }

// answer is implemented by every response struct through its embedded
// status.
type answer interface{ apiStatus() *status }

// call sends one request and decodes its JSON answer into out. A body, when
// not nil, is sent as JSON. hide lists the secrets of this call; they are
// masked if WeChat ever echoes them in errmsg.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, body any, out answer, hide ...string) error {
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(c.Timeout, DefaultTimeout))
	defer cancel()
	req, err := c.newRequest(ctx, method, path, q, body)
	if err != nil {
		return err
	}
	raw, err := httpcall.Fetch(c.HTTP, req, maxBody)
	if err != nil {
		return fmt.Errorf("weixin: %s %s: %w", method, path, err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		// A proxy or an error page answered: the API may be fine a moment
		// later. The body is not quoted, since it may echo the request.
		return &transportError{fmt.Errorf("%s answer is not JSON: %w", path, err)}
	}
	if s := out.apiStatus(); s.ErrCode != 0 {
		return &Error{Code: s.ErrCode, Msg: httpcall.Mask(s.ErrMsg, hide...)}
	}
	return nil
}

// newRequest builds the URL from BaseURL so that a parse error can only
// quote the configured base, never a query holding a secret.
func (c *Client) newRequest(ctx context.Context, method, path string, q url.Values, body any) (*http.Request, error) {
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("weixin: BaseURL: %w", err)
	}
	u = u.JoinPath(path)
	u.RawQuery = q.Encode()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("weixin: encoding %s request: %w", path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("weixin: building %s request", path)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// required reports the first empty argument by name, before any network
// call: WeChat would answer 41002/41004/41008, costing a round trip and a
// quota unit.
func required(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return fmt.Errorf("weixin: %s is empty", pairs[i])
		}
	}
	return nil
}
