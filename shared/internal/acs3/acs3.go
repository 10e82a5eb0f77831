// Package acs3 signs Alibaba Cloud API calls with ACS3-HMAC-SHA256, Alibaba
// Cloud's "signature method V3", for idco's hand-written Aliyun clients (SMS
// and Cloudauth face verification): the official SDKs pull in a large tree
// for two RPC calls, and the signature is a page of code.
//
// The algorithm, as "Request syntax and signature method V3"
// (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature,
// zh: https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature)
// specifies it:
//
//	CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n
//	                   CanonicalHeaders \n SignedHeaders \n HashedRequestPayload
//	StringToSign     = "ACS3-HMAC-SHA256" \n hex(sha256(CanonicalRequest))
//	Signature        = hex(hmac-sha256(AccessKeySecret, StringToSign))
//
// CanonicalURI is "/" for RPC-style APIs such as SendSms and InitFaceVerify.
// Query names and values are RFC 3986 encoded (space %20, "*" %2A, "~" kept)
// and sorted. CanonicalHeaders are host, content-type and every x-acs-*
// header, lowercased, sorted, values trimmed, one "name:value\n" each.
// acs3_test.go checks this code against the page's worked example.
package acs3

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Algorithm names the signature in the Authorization header.
const Algorithm = "ACS3-HMAC-SHA256"

// Key is an AccessKey pair. Secret never leaves the process: only the
// signature made with it is sent.
type Key struct {
	ID, Secret string
}

// Authorization returns the Authorization header of a request to path "/".
// headers maps lowercase names to values and must hold every header to
// sign, including x-acs-content-sha256, the payload hash.
func Authorization(k Key, method, canonicalQuery string, headers map[string]string) string {
	names := make([]string, 0, len(headers))
	for n := range headers {
		names = append(names, n)
	}
	sort.Strings(names)
	var canon strings.Builder
	for _, n := range names {
		canon.WriteString(n + ":" + strings.TrimSpace(headers[n]) + "\n")
	}
	signed := strings.Join(names, ";")
	request := strings.Join([]string{method, "/", canonicalQuery, canon.String(), signed,
		headers["x-acs-content-sha256"]}, "\n")
	mac := hmac.New(sha256.New, []byte(k.Secret))
	mac.Write([]byte(Algorithm + "\n" + HashHex([]byte(request))))
	return Algorithm + " Credential=" + k.ID + ",SignedHeaders=" + signed +
		",Signature=" + hex.EncodeToString(mac.Sum(nil))
}

// Query is the canonical query string of params (name, value pairs),
// which is also sent as the URL's query so that Aliyun reads what was signed.
func Query(params [][2]string) string {
	enc := make([][2]string, 0, len(params))
	for _, p := range params {
		enc = append(enc, [2]string{PercentEncode(p[0]), PercentEncode(p[1])})
	}
	// Sorted by encoded name, not by "name=value": "A-B" must follow "A".
	sort.Slice(enc, func(i, j int) bool { return enc[i][0] < enc[j][0] })
	pairs := make([]string, len(enc))
	for i, p := range enc {
		pairs[i] = p[0] + "=" + p[1]
	}
	return strings.Join(pairs, "&")
}

// PercentEncode is RFC 3986 encoding: only A-Z a-z 0-9 - _ . ~ stay as is,
// every other UTF-8 byte becomes %XY with upper-case hex.
func PercentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// HashHex is lowercase hex of the SHA-256 of b.
func HashHex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Nonce returns a fresh x-acs-signature-nonce, 16 bytes from r (nil means
// crypto/rand) in hex: the gateway refuses a nonce it has seen
// (SignatureNonceUsed), which stops replays.
func Nonce(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 16)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("acs3: no nonce: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// RPC is one call of an RPC-style API: its action, API version and params.
type RPC struct {
	Action, Version string
	Params          [][2]string
}

// NewRequest returns the signed POST of call to base (a URL whose path is
// "/"), dated now, with nonce. The params travel in the query, as the
// official SDKs send an RPC API's query params, and the body is empty.
// The request URL holds the params: keep it out of errors and logs
// (httpcall does).
func NewRequest(ctx context.Context, base *url.URL, k Key, call RPC, now time.Time, nonce string) (*http.Request, error) {
	query := Query(call.Params)
	headers := map[string]string{
		"host":                  base.Host,
		"x-acs-action":          call.Action,
		"x-acs-version":         call.Version,
		"x-acs-date":            now.UTC().Format("2006-01-02T15:04:05Z"),
		"x-acs-signature-nonce": nonce,
		"x-acs-content-sha256":  HashHex(nil),
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base.String()+"?"+query, http.NoBody)
	if err != nil {
		return nil, fmt.Errorf("acs3: building the %s request", call.Action)
	}
	for name, v := range headers {
		if name != "host" {
			req.Header.Set(name, v)
		}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", Authorization(k, http.MethodPost, query, headers))
	return req, nil
}
