// Package univerify gets the phone number behind a uni-app one-click login
// (univerify) through the operator's uniCloud URL-function proxy, signing
// each call with a shared secret. AliyunClient does the same for apps that
// use Aliyun's number-verification SDK instead, calling Aliyun directly.
//
// uniCloud.getPhoneNumber, which turns the client's access_token and openid
// into a phone number, exists only inside uniCloud; DCloud publishes no HTTP
// API for it and documents calling it from one's own server through a cloud
// function exposed by URL (云函数URL化). proxy.js in this directory is that
// function. Because the proxy hands out phone numbers, and idco logs people
// in by them, both directions are authenticated with an HMAC-SHA256 key
// shared by idco and the proxy:
//
// Request: POST, Content-Type application/json, the body a JSON object
//
//	{"appid": DCloud appid, "access_token": ..., "openid": ...,
//	 "timestamp": Unix milliseconds, "nonce": 32 lowercase hex chars}
//
// with header X-Idco-Signature = lowercase hex of
// HMAC-SHA256(secret, timestamp + "\n" + nonce + "\n" + body), where
// timestamp is the decimal text of the same number and body is the exact
// bytes sent. The proxy refuses (HTTP 401) a bad signature or a timestamp
// more than 5 minutes from its clock.
//
// Response: HTTP 200 with the JSON {"code": 0, "message": "",
// "phoneNumber": "..."} or {"code": <DCloud error code>, "message": ...},
// and header X-Idco-Signature = hex HMAC-SHA256(secret, "response\n" +
// nonce + "\n" + body), nonce being the request's. That binds each answer
// to its request, so neither a forged nor a replayed answer is accepted.
// Other statuses: 400 malformed request, 401 signature refused, 500 proxy
// not configured, 502 getPhoneNumber failed without a code.
package univerify

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// DefaultTimeout bounds one call when Client.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// MinSecretLen is the shortest shared secret accepted, on both sides.
const MinSecretLen = 32

// SignatureHeader carries the HMAC of requests and responses.
const SignatureHeader = "X-Idco-Signature"

// maxBody caps what is read from the proxy; an answer is under 200 bytes.
const maxBody = 16 << 10

// Client calls one proxy. URL is the proxy's HTTPS address, Secret the key
// shared with it, AppID the DCloud appid (__UNI__...) univerify is enabled
// for. The zero values of HTTP, Timeout, Now and Rand mean
// http.DefaultClient, DefaultTimeout, time.Now and crypto/rand.Reader.
// A Client is safe for concurrent use.
type Client struct {
	URL     string
	Secret  string
	AppID   string
	HTTP    *http.Client
	Timeout time.Duration
	Now     func() time.Time
	Rand    io.Reader
}

// request is the signed body sent to the proxy.
type request struct {
	AppID       string `json:"appid"`
	AccessToken string `json:"access_token"`
	OpenID      string `json:"openid"`
	Timestamp   int64  `json:"timestamp"`
	Nonce       string `json:"nonce"`
}

// response is the proxy's answer, getPhoneNumber's result passed through.
type response struct {
	Code        int    `json:"code"`
	Message     string `json:"message"`
	PhoneNumber string `json:"phoneNumber"`
}

// PhoneNumber returns the phone number the operator vouches for behind
// accessToken and openID, as the client's uni.login({provider:'univerify'})
// returned them. Errors are *Error when DCloud answered one, ErrUnauthorized
// when the proxy refused the signature, wrap ErrSignature when its answer
// cannot be trusted; IsRetryable is true for transport failures, timeouts
// and 5xx. Error text never holds the token or the phone number.
func (c *Client) PhoneNumber(ctx context.Context, accessToken, openID string) (string, error) {
	if err := c.check(accessToken, openID); err != nil {
		return "", err
	}
	nonce, err := randomHex(c.Rand)
	if err != nil {
		return "", err
	}
	ts := httpcall.Now(c.Now).UnixMilli()
	body, err := json.Marshal(request{AppID: c.AppID, AccessToken: accessToken, OpenID: openID, Timestamp: ts, Nonce: nonce})
	if err != nil {
		return "", fmt.Errorf("univerify: encoding request: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(c.Timeout, DefaultTimeout))
	defer cancel()
	answer, err := c.post(ctx, body, requestMAC(c.Secret, ts, nonce, body))
	if err != nil {
		return "", err
	}
	return c.read(answer, nonce)
}

// check reports configuration and argument mistakes before any call.
func (c *Client) check(accessToken, openID string) error {
	switch {
	case c.URL == "":
		return errors.New("univerify: Client.URL is empty")
	case len(c.Secret) < MinSecretLen:
		return fmt.Errorf("univerify: Client.Secret is shorter than %d bytes", MinSecretLen)
	case c.AppID == "":
		return errors.New("univerify: Client.AppID is empty")
	case accessToken == "" || openID == "":
		return errors.New("univerify: empty access_token or openid")
	}
	return nil
}

// randomHex returns 16 bytes from r (crypto/rand when nil) in hex: the
// request nonce, so that no two requests share a signature even within one
// millisecond.
func randomHex(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("univerify: reading randomness: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// post sends the signed body and returns the answer, not yet trusted.
// Transport errors do not repeat the proxy URL, which may embed a path
// secret.
func (c *Client) post(ctx context.Context, body []byte, sig string) (*httpcall.Answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("univerify: bad Client.URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, sig)
	a, err := httpcall.Do(c.HTTP, req, maxBody)
	if err != nil {
		return nil, &transportError{fmt.Errorf("POST proxy: %w", err)}
	}
	return a, nil
}

// read checks the status, then the signature, and only then the content.
func (c *Client) read(a *httpcall.Answer, nonce string) (string, error) {
	switch {
	case a.Status == http.StatusUnauthorized || a.Status == http.StatusForbidden:
		return "", ErrUnauthorized
	case httpcall.RetryableStatus(a.Status):
		return "", &transportError{errors.New("proxy answered HTTP " + strconv.Itoa(a.Status))}
	case a.Status != http.StatusOK:
		return "", fmt.Errorf("univerify: proxy answered HTTP %d", a.Status)
	}
	if !validMAC(a.Header.Get(SignatureHeader), responseMAC(c.Secret, nonce, a.Body)) {
		return "", fmt.Errorf("%w: answer not signed for this request", ErrSignature)
	}
	var r response
	if err := json.Unmarshal(a.Body, &r); err != nil {
		return "", fmt.Errorf("univerify: answer is not JSON: %w", err)
	}
	if r.Code != 0 {
		return "", &Error{Code: r.Code, Message: r.Message}
	}
	if !plausiblePhone(r.PhoneNumber) {
		return "", errors.New("univerify: answer has no usable phoneNumber")
	}
	return r.PhoneNumber, nil
}

// plausiblePhone accepts what getPhoneNumber returns, 11 digits for mainland
// numbers, with room for a leading + should DCloud ever add a region code.
func plausiblePhone(s string) bool {
	if len(s) > 0 && s[0] == '+' {
		s = s[1:]
	}
	if len(s) < 5 || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
