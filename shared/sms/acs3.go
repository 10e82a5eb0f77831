package sms

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// ACS3-HMAC-SHA256, Alibaba Cloud's "signature method V3", as specified in
// "Request syntax and signature method V3"
// (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature,
// zh: https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature):
//
//	CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n
//	                   CanonicalHeaders \n SignedHeaders \n HashedRequestPayload
//	StringToSign     = "ACS3-HMAC-SHA256" \n hex(sha256(CanonicalRequest))
//	Signature        = hex(hmac-sha256(AccessKeySecret, StringToSign))
//
// CanonicalURI is "/" for RPC-style APIs such as SendSms. Query names and
// values are RFC 3986 encoded (space %20, "*" %2A, "~" kept) and sorted.
// CanonicalHeaders are host, content-type and every x-acs-* header,
// lowercased, sorted, values trimmed, one "name:value\n" each.
// acs3_test.go checks this code against the page's worked example.

const acs3Algorithm = "ACS3-HMAC-SHA256"

// acs3Authorization returns the Authorization header of a request. headers
// maps lowercase names to values and must hold every header to sign,
// including x-acs-content-sha256, the payload hash.
func acs3Authorization(keyID, secret, method, canonicalQuery string, headers map[string]string) string {
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
	hashed := sha256.Sum256([]byte(request))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(acs3Algorithm + "\n" + hex.EncodeToString(hashed[:])))
	return acs3Algorithm + " Credential=" + keyID + ",SignedHeaders=" + signed +
		",Signature=" + hex.EncodeToString(mac.Sum(nil))
}

// acs3Query is the canonical query string of params (name, value pairs),
// which is also sent as the URL's query so that Aliyun reads what was signed.
func acs3Query(params [][2]string) string {
	enc := make([][2]string, 0, len(params))
	for _, p := range params {
		enc = append(enc, [2]string{percentEncode(p[0]), percentEncode(p[1])})
	}
	// Sorted by encoded name, not by "name=value": "A-B" must follow "A".
	sort.Slice(enc, func(i, j int) bool { return enc[i][0] < enc[j][0] })
	pairs := make([]string, len(enc))
	for i, p := range enc {
		pairs[i] = p[0] + "=" + p[1]
	}
	return strings.Join(pairs, "&")
}

// percentEncode is RFC 3986 encoding: only A-Z a-z 0-9 - _ . ~ stay as is,
// every other UTF-8 byte becomes %XY with upper-case hex.
func percentEncode(s string) string {
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

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
