package sms

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// TC3-HMAC-SHA256, TencentCloud API 3.0's "Signature v3", as specified in
// "Signature v3", a page every TencentCloud product repeats (for example
// https://www.tencentcloud.com/document/api/1145/50458), with the common
// X-TC-* headers of SMS on https://www.tencentcloud.com/document/product/382/40466:
//
//	CanonicalRequest = "POST" \n "/" \n "" \n CanonicalHeaders \n SignedHeaders \n
//	                   hex(sha256(payload))
//	StringToSign     = "TC3-HMAC-SHA256" \n timestamp \n date/service/tc3_request \n
//	                   hex(sha256(CanonicalRequest))
//	SecretSigning    = hmac(hmac(hmac("TC3"+SecretKey, date), service), "tc3_request")
//	Signature        = hex(hmac(SecretSigning, StringToSign))
//
// date is the UTC date of the timestamp (a local date breaks at midnight in
// UTC+8). Only content-type and host are signed, names and values
// lowercased. tc3_test.go checks this code against the page's worked example.

const tc3Algorithm = "TC3-HMAC-SHA256"

// tc3Authorization returns the Authorization header of a POST of payload
// with the given content type to host, at unix time ts.
func tc3Authorization(secretID, secretKey, service, host, contentType string, payload []byte, ts int64) string {
	canonical := "content-type:" + strings.ToLower(strings.TrimSpace(contentType)) + "\n" +
		"host:" + strings.ToLower(strings.TrimSpace(host)) + "\n"
	const signed = "content-type;host"
	request := strings.Join([]string{"POST", "/", "", canonical, signed, sha256Hex(payload)}, "\n")
	date := time.Unix(ts, 0).UTC().Format("2006-01-02")
	scope := date + "/" + service + "/tc3_request"
	toSign := tc3Algorithm + "\n" + strconv.FormatInt(ts, 10) + "\n" + scope + "\n" + sha256Hex([]byte(request))
	key := hmacSHA256([]byte("TC3"+secretKey), date)
	key = hmacSHA256(key, service)
	key = hmacSHA256(key, "tc3_request")
	sig := hex.EncodeToString(hmacSHA256(key, toSign))
	return tc3Algorithm + " Credential=" + secretID + "/" + scope + ", SignedHeaders=" + signed +
		", Signature=" + sig
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
