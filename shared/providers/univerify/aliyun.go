package univerify

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// DefaultAliyunEndpoint is the Phone Number Verification Service (号码认证)
// API endpoint.
const DefaultAliyunEndpoint = "https://dypnsapi.aliyuncs.com/"

// AliyunClient gets the phone number behind a one-click login done with
// Aliyun's own number-verification SDK rather than uni-app's univerify, by
// calling dypnsapi GetMobile (API version 2017-05-25) directly; no proxy is
// involved. Requests carry Aliyun's RPC signature (HMAC-SHA1, signature
// version 1.0). The zero values of Endpoint, HTTP, Timeout, Now and Rand mean
// DefaultAliyunEndpoint, http.DefaultClient, DefaultTimeout, time.Now and
// crypto/rand.Reader. It is safe for concurrent use.
type AliyunClient struct {
	Endpoint        string
	AccessKeyID     string
	AccessKeySecret string
	HTTP            *http.Client
	Timeout         time.Duration
	Now             func() time.Time
	Rand            io.Reader
}

// AliyunError is a failed GetMobile: a Code other than "OK" in the answer,
// or an Alibaba Cloud error document with an HTTP error status. Aliyun does
// not list GetMobile's codes, so apart from the platform-wide throttling and
// availability codes they are opaque and final for the token.
type AliyunError struct {
	Status    int // HTTP status of the answer
	Code      string
	Message   string
	RequestID string
}

// Error returns the code, message and request id, which hold no token.
func (e *AliyunError) Error() string {
	return fmt.Sprintf("univerify: aliyun GetMobile %s: %s (request %s)", e.Code, e.Message, e.RequestID)
}

// Retryable reports whether Aliyun was overloaded or failing rather than
// refusing this token: HTTP 5xx, Throttling.* and ServiceUnavailable or
// InternalError, the Alibaba Cloud platform's own codes for that.
func (e *AliyunError) Retryable() bool {
	return e.Status >= 500 || strings.HasPrefix(e.Code, "Throttling") ||
		e.Code == "ServiceUnavailable" || e.Code == "InternalError"
}

// aliyunAnswer is both GetMobile's result and Alibaba Cloud's error document.
type aliyunAnswer struct {
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	RequestID string `json:"RequestId"`
	Result    struct {
		Mobile string `json:"Mobile"`
	} `json:"GetMobileResultDTO"`
}

// PhoneNumber exchanges the one-time token the Aliyun client SDK returned
// (valid 2 to 30 minutes depending on the carrier, usable once) for the
// phone number. outID is an optional reference echoed in Aliyun's records.
func (c *AliyunClient) PhoneNumber(ctx context.Context, accessToken, outID string) (string, error) {
	if c.AccessKeyID == "" || c.AccessKeySecret == "" {
		return "", errors.New("univerify: AliyunClient access key is not configured")
	}
	if accessToken == "" {
		return "", errors.New("univerify: empty Aliyun access token")
	}
	params, err := c.params(accessToken, outID)
	if err != nil {
		return "", err
	}
	params.Set("Signature", rpcSignature(http.MethodGet, params, c.AccessKeySecret))
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(c.Timeout, DefaultTimeout))
	defer cancel()
	// GET with the query, as Aliyun documents for RPC APIs. The query holds
	// the one-time token, which httpcall keeps out of transport errors.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint()+"?"+encodeQuery(params), nil)
	if err != nil {
		return "", errors.New("univerify: bad AliyunClient.Endpoint")
	}
	a, err := httpcall.Do(c.HTTP, req, maxBody)
	if err != nil {
		return "", &transportError{fmt.Errorf("GET aliyun: %w", err)}
	}
	return readAliyun(a.Status, a.Body)
}

// params returns the common and GetMobile parameters, unsigned.
func (c *AliyunClient) params(accessToken, outID string) (url.Values, error) {
	nonce, err := randomHex(c.Rand)
	if err != nil {
		return nil, err
	}
	p := url.Values{
		"Action":           {"GetMobile"},
		"Version":          {"2017-05-25"},
		"Format":           {"JSON"},
		"AccessKeyId":      {c.AccessKeyID},
		"SignatureMethod":  {"HMAC-SHA1"},
		"SignatureVersion": {"1.0"},
		"SignatureNonce":   {nonce},
		"Timestamp":        {httpcall.Now(c.Now).UTC().Format("2006-01-02T15:04:05Z")},
		"AccessToken":      {accessToken},
	}
	if outID != "" {
		p.Set("OutId", outID)
	}
	return p, nil
}

// readAliyun maps an answer to the phone number or an error.
func readAliyun(status int, body []byte) (string, error) {
	var a aliyunAnswer
	if err := json.Unmarshal(body, &a); err != nil || a.Code == "" {
		if httpcall.RetryableStatus(status) {
			return "", &transportError{fmt.Errorf("aliyun answered HTTP %d", status)}
		}
		return "", fmt.Errorf("univerify: aliyun answered HTTP %d without a code", status)
	}
	if status != http.StatusOK || a.Code != "OK" {
		return "", &AliyunError{Status: status, Code: a.Code, Message: a.Message, RequestID: a.RequestID}
	}
	if !plausiblePhone(a.Result.Mobile) {
		return "", errors.New("univerify: aliyun answer has no usable Mobile")
	}
	return a.Result.Mobile, nil
}

// rpcSignature is Alibaba Cloud's RPC signature v1.0: StringToSign =
// method + "&" + pe("/") + "&" + pe(canonical query), where the canonical
// query is the percent-encoded parameters other than Signature sorted by
// name; the signature is base64(HMAC-SHA1(secret + "&", StringToSign)).
func rpcSignature(method string, params url.Values, secret string) string {
	p := url.Values{}
	for k, v := range params {
		if k != "Signature" {
			p[k] = v
		}
	}
	toSign := method + "&" + percentEncode("/") + "&" + percentEncode(encodeQuery(p))
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// encodeQuery joins the sorted parameters with Aliyun's percent-encoding.
func encodeQuery(p url.Values) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = percentEncode(k) + "=" + percentEncode(p.Get(k))
	}
	return strings.Join(parts, "&")
}

// percentEncode is RFC 3986 encoding as Aliyun specifies it: only
// A-Z a-z 0-9 - _ . ~ stay as they are, and a space is %20, not "+".
// url.QueryEscape already keeps exactly those and escapes "*".
func percentEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func (c *AliyunClient) endpoint() string {
	if c.Endpoint == "" {
		return DefaultAliyunEndpoint
	}
	return c.Endpoint
}
