package fakeprov

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AWSKey is what an AWS fake checks a request's Signature Version 4
// against: the credentials it was signed with, and the region and service
// of its credential scope.
type AWSKey struct {
	ID, Secret, Token string // Token: the session token, "" for static keys
	Region, Service   string
}

// VerifySigV4 checks r's AWS Signature Version 4 as AWS does, computed
// independently of the SDK that signed it: the credential scope (key, day,
// region, service), the date within 5 minutes of now, the session token
// when the key has one, the payload hash, and the signature recomputed over
// the canonical request of the signed headers. body is r's body as read.
func VerifySigV4(r *http.Request, body []byte, k AWSKey, now time.Time) error {
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ")
	if !ok {
		return fmt.Errorf("MissingAuthenticationToken: no SigV4 Authorization")
	}
	parts := map[string]string{}
	for _, kv := range strings.Split(auth, ",") {
		name, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		parts[name] = v
	}
	amzDate := r.Header.Get("X-Amz-Date")
	at, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil || now.Sub(at).Abs() > 5*time.Minute {
		return fmt.Errorf("SignatureDoesNotMatch: X-Amz-Date %q is not within 5 minutes of now", amzDate)
	}
	scope := at.Format("20060102") + "/" + k.Region + "/" + k.Service + "/aws4_request"
	if parts["Credential"] != k.ID+"/"+scope {
		return fmt.Errorf("SignatureDoesNotMatch: credential %q, want %s/%s", parts["Credential"], k.ID, scope)
	}
	signed := strings.Split(parts["SignedHeaders"], ";")
	need := []string{"host", "x-amz-date"}
	if k.Token != "" {
		need = append(need, "x-amz-security-token")
	}
	for _, h := range need {
		if !slices.Contains(signed, h) {
			return fmt.Errorf("SignatureDoesNotMatch: SignedHeaders %q lacks %s", parts["SignedHeaders"], h)
		}
	}
	if r.Header.Get("X-Amz-Security-Token") != k.Token {
		return fmt.Errorf("InvalidClientTokenId: X-Amz-Security-Token is not the credentials' session token")
	}
	payload := sha256Hex(body)
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != payload {
		return fmt.Errorf("SignatureDoesNotMatch: X-Amz-Content-Sha256 does not match the body")
	}
	q := r.URL.Query()
	var pairs []string
	for _, name := range slices.Sorted(maps.Keys(q)) {
		for _, v := range q[name] {
			pairs = append(pairs, rfc3986(name)+"="+rfc3986(v))
		}
	}
	var headers strings.Builder
	for _, h := range signed {
		var v string
		switch h {
		case "host":
			v = r.Host
		case "content-length":
			v = strconv.FormatInt(r.ContentLength, 10)
		default:
			v = strings.Join(r.Header.Values(h), ",")
		}
		headers.WriteString(h + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	canonical := strings.Join([]string{r.Method, r.URL.EscapedPath(), strings.Join(pairs, "&"), headers.String(),
		parts["SignedHeaders"], payload}, "\n")
	key := []byte("AWS4" + k.Secret)
	for _, s := range []string{at.Format("20060102"), k.Region, k.Service, "aws4_request"} {
		key = hmacSHA256(key, s)
	}
	want := hmacSHA256(key, "AWS4-HMAC-SHA256\n"+amzDate+"\n"+scope+"\n"+sha256Hex([]byte(canonical)))
	got, _ := hex.DecodeString(parts["Signature"])
	if !hmac.Equal(got, want) {
		return fmt.Errorf("SignatureDoesNotMatch: signature does not match")
	}
	return nil
}

// rfc3986 is SigV4's percent-encoding: only A-Z a-z 0-9 - _ . ~ stay.
func rfc3986(s string) string {
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func hmacSHA256(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}
