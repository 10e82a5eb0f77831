// Package alipay is a thin client for Alipay's alipay.system.oauth.token: an
// RSA2-signed request and a verified response. It exchanges the auth code an
// Alipay mini program or app gets from my.getAuthCode for the user's id.
//
// Unlike uni-id, which skips it, every response signature is checked against
// the Alipay public key over the exact bytes Alipay signed; an unsigned or
// tampered body is an error. Only the public-key mode is supported, not the
// certificate mode ("公钥证书", app_cert_sn/alipay_root_cert_sn).
package alipay

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// DefaultGateway is Alipay's production OpenAPI gateway. The sandbox's is
// https://openapi-sandbox.dl.alipaydev.com/gateway.do (uni-id still names
// the older openapi.alipaydev.com host).
const DefaultGateway = "https://openapi.alipay.com/gateway.do"

// DefaultTimeout bounds one call when Client.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// maxBody caps what is read from the gateway; a token answer is under 1 KiB.
const maxBody = 64 << 10

// chinaOffset is Asia/Shanghai's UTC offset, the zone Alipay reads the
// timestamp parameter in. A fixed offset (China has had no DST since 1991)
// avoids depending on tzdata, which Lambda's OS-only runtime lacks.
const chinaOffset = 8 * 60 * 60

// Client calls the Alipay gateway for one app. The zero values of Gateway,
// HTTP, Timeout and Now mean DefaultGateway, http.DefaultClient,
// DefaultTimeout and time.Now. A Client is safe for concurrent use.
type Client struct {
	Gateway         string
	AppID           string
	PrivateKey      *rsa.PrivateKey
	AlipayPublicKey *rsa.PublicKey
	HTTP            *http.Client
	Timeout         time.Duration
	Now             func() time.Time
}

// Token is the answer to a code exchange. UserID is the 2088... id apps in
// the classic mode get; apps switched to OpenID mode get only OpenID. At
// least one is set, and callers key accounts by the one their app's mode
// provides (uni-id reads only user_id and so loses OpenID-mode users).
type Token struct {
	UserID       string
	OpenID       string
	AccessToken  string
	RefreshToken string
	ExpiresIn    int
}

// tokenBody is the signed node of a successful or failed exchange.
type tokenBody struct {
	Code         string  `json:"code"`
	Msg          string  `json:"msg"`
	SubCode      string  `json:"sub_code"`
	SubMsg       string  `json:"sub_msg"`
	UserID       string  `json:"user_id"`
	OpenID       string  `json:"open_id"`
	AccessToken  string  `json:"access_token"`
	RefreshToken string  `json:"refresh_token"`
	ExpiresIn    flexInt `json:"expires_in"`
}

// OAuthToken exchanges an auth code for the user's id and tokens. Errors
// are *Error when Alipay answered one (see InvalidCode and Retryable),
// wrap ErrSignature when the answer cannot be trusted, and IsRetryable is
// true for transport failures and timeouts. No error text contains the
// code, a token or key material.
func (c *Client) OAuthToken(ctx context.Context, code string) (*Token, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if code == "" {
		return nil, errors.New("alipay: empty auth code")
	}
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(c.Timeout, DefaultTimeout))
	defer cancel()
	body, err := c.post(ctx, "alipay.system.oauth.token", url.Values{
		"grant_type": {"authorization_code"},
		"code":       {code},
	})
	if err != nil {
		return nil, err
	}
	return c.parseToken(body)
}

// check reports configuration mistakes before any network call.
func (c *Client) check() error {
	switch {
	case c.AppID == "":
		return errors.New("alipay: Client.AppID is empty")
	case c.PrivateKey == nil:
		return errors.New("alipay: Client.PrivateKey is nil")
	case c.AlipayPublicKey == nil:
		return errors.New("alipay: Client.AlipayPublicKey is nil")
	}
	return nil
}

// post signs and sends one gateway call. As the official SDKs do, the
// system parameters and sign go in the query string and the business
// parameters in the form body, so the code never lands in an access log.
func (c *Client) post(ctx context.Context, method string, biz url.Values) ([]byte, error) {
	sys := url.Values{
		"app_id":    {c.AppID},
		"method":    {method},
		"format":    {"JSON"},
		"charset":   {"utf-8"},
		"sign_type": {"RSA2"},
		"timestamp": {httpcall.Now(c.Now).In(time.FixedZone("CST", chinaOffset)).Format("2006-01-02 15:04:05")},
		"version":   {"1.0"},
	}
	all := url.Values{}
	for _, vs := range []url.Values{sys, biz} {
		for k, v := range vs {
			all[k] = v
		}
	}
	sign, err := signRSA2(c.PrivateKey, []byte(signingString(all)))
	if err != nil {
		return nil, err
	}
	sys.Set("sign", sign)

	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		c.gateway()+"?"+sys.Encode(), strings.NewReader(biz.Encode()))
	if err != nil {
		return nil, fmt.Errorf("alipay: building request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	return c.do(req)
}

// do sends req and returns the body of a 200 answer. HTTP 5xx is a
// transport failure; any other status, 429 included, is final.
func (c *Client) do(req *http.Request) ([]byte, error) {
	a, err := httpcall.Do(c.HTTP, req, maxBody)
	switch {
	case err != nil:
		return nil, &transportError{fmt.Errorf("POST gateway: %w", err)}
	case httpcall.RetryableStatus(a.Status):
		return nil, &transportError{fmt.Errorf("gateway answered HTTP %d", a.Status)}
	case a.Status != http.StatusOK:
		return nil, fmt.Errorf("alipay: gateway answered HTTP %d", a.Status)
	}
	return a.Body, nil
}

// parseToken verifies the signature before anything in the content is used.
func (c *Client) parseToken(body []byte) (*Token, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("alipay: response is not JSON: %w", err)
	}
	content, isError, err := env.signedContent()
	if err != nil {
		return nil, err
	}
	var tb tokenBody
	if err := verifyRSA2(c.AlipayPublicKey, content, env.Sign); err != nil {
		if isError && json.Unmarshal(content, &tb) == nil {
			// A gateway error may come unsigned. Its codes go to the log,
			// marked unverified, but nothing acts on them.
			return nil, fmt.Errorf("%w (unverified error %q %q)", err, tb.Code, tb.SubCode)
		}
		return nil, err
	}
	if err := json.Unmarshal(content, &tb); err != nil {
		return nil, fmt.Errorf("alipay: response node: %w", err)
	}
	if isError || (tb.Code != "" && tb.Code != "10000") {
		return nil, &Error{Code: tb.Code, Msg: tb.Msg, SubCode: tb.SubCode, SubMsg: tb.SubMsg}
	}
	if tb.UserID == "" && tb.OpenID == "" {
		return nil, errors.New("alipay: response has neither user_id nor open_id")
	}
	return &Token{
		UserID:       tb.UserID,
		OpenID:       tb.OpenID,
		AccessToken:  tb.AccessToken,
		RefreshToken: tb.RefreshToken,
		ExpiresIn:    int(tb.ExpiresIn),
	}, nil
}

// flexInt reads expires_in, which Alipay documents as a String ("3600") but
// sends as a number in practice; both are accepted.
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("expires_in %q is not an integer", s)
	}
	*f = flexInt(n)
	return nil
}

func (c *Client) gateway() string {
	if c.Gateway == "" {
		return DefaultGateway
	}
	return c.Gateway
}
