package fakeprov

import (
	"crypto/hmac"
	"encoding/hex"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// ACS3Key is what an Aliyun fake checks an ACS3-HMAC-SHA256 signature
// against: the AccessKey pair it was made with.
type ACS3Key struct{ ID, Secret string }

// ACS3Error is Aliyun's gateway refusing a request: the HTTP status and
// the gateway's Code and Message.
type ACS3Error struct {
	Status        int
	Code, Message string
}

func (e *ACS3Error) Error() string { return e.Code + ": " + e.Message }

// acs3SignedHeaders are the headers Aliyun's V3 signature must cover.
var acs3SignedHeaders = []string{"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date",
	"x-acs-signature-nonce", "x-acs-version"}

// VerifyACS3 checks r's ACS3-HMAC-SHA256 signature as Aliyun's gateway
// does, computed independently of idco's signer: the Authorization form,
// the AccessKey ID, the signed headers, the body's hash, the date within 15
// minutes of now, a nonce used once (used reports whether it was seen
// before, and remembers it), and the signature over ACS3Canonical. body is
// r's body as read. The error is an *ACS3Error.
func VerifyACS3(r *http.Request, body []byte, k ACS3Key, now time.Time, used func(nonce string) bool) error {
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "ACS3-HMAC-SHA256 ")
	if !ok {
		return &ACS3Error{400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."}
	}
	parts := map[string]string{}
	for _, kv := range strings.Split(auth, ",") {
		name, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		parts[name] = v
	}
	if parts["Credential"] != k.ID {
		return &ACS3Error{404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."}
	}
	signed := strings.Split(parts["SignedHeaders"], ";")
	if i := slices.IndexFunc(acs3SignedHeaders, func(h string) bool { return !slices.Contains(signed, h) }); i >= 0 {
		return &ACS3Error{400, "IncompleteSignature", "SignedHeaders lacks " + acs3SignedHeaders[i]}
	}
	if sha256Hex(body) != r.Header.Get("x-acs-content-sha256") {
		return &ACS3Error{400, "ContentSHA256NotMatched", "The content hash does not match."}
	}
	if at, err := time.Parse("2006-01-02T15:04:05Z", r.Header.Get("x-acs-date")); err != nil || now.Sub(at).Abs() > 15*time.Minute {
		return &ACS3Error{400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."}
	}
	if nonce := r.Header.Get("x-acs-signature-nonce"); nonce == "" || used(nonce) {
		return &ACS3Error{400, "SignatureNonceUsed", "Specified signature nonce was used already."}
	}
	want := hmacSHA256([]byte(k.Secret), "ACS3-HMAC-SHA256\n"+sha256Hex([]byte(ACS3Canonical(r, signed))))
	if got, _ := hex.DecodeString(parts["Signature"]); !hmac.Equal(got, want) {
		return &ACS3Error{400, "SignatureDoesNotMatch", "Specified signature does not match our calculation."}
	}
	return nil
}

// ACS3Canonical rebuilds an Aliyun ACS3-HMAC-SHA256 canonical request from
// the request as received (Aliyun's fakes check signatures with it): the
// query re-encoded the doc's way (form encoding, then "+" to %20, "*" to
// %2A, %7E back to "~"), sorted by name, then the signed headers.
func ACS3Canonical(r *http.Request, signed []string) string {
	q, _ := url.ParseQuery(r.URL.RawQuery)
	enc := func(s string) string {
		return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
	}
	var pairs []string
	for _, k := range slices.Sorted(maps.Keys(q)) {
		for _, v := range q[k] {
			pairs = append(pairs, enc(k)+"="+enc(v))
		}
	}
	var headers strings.Builder
	for _, h := range signed {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		headers.WriteString(h + ":" + strings.TrimSpace(v) + "\n")
	}
	return strings.Join([]string{r.Method, "/", strings.Join(pairs, "&"), headers.String(),
		strings.Join(signed, ";"), r.Header.Get("x-acs-content-sha256")}, "\n")
}

// Nonces remembers the signature nonces an Aliyun fake has seen.
type Nonces struct {
	mu   sync.Mutex
	seen map[string]bool
}

// Used reports whether nonce was seen before, and remembers it.
func (n *Nonces) Used(nonce string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	used := n.seen[nonce]
	n.seen[nonce] = true
	return used
}

// ACS3Gate checks what Aliyun's gateway checks before an API runs: a POST
// to / of one of actions at version, then the ACS3 signature with a nonce
// used once. The error is the gateway's refusal.
func ACS3Gate(r *http.Request, body []byte, k ACS3Key, now time.Time, n *Nonces, version string, actions ...string) *ACS3Error {
	if r.Method != http.MethodPost || r.URL.Path != "/" || !slices.Contains(actions, r.Header.Get("x-acs-action")) ||
		r.Header.Get("x-acs-version") != version {
		return &ACS3Error{404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."}
	}
	if e, ok := VerifyACS3(r, body, k, now, n.Used).(*ACS3Error); ok {
		return e
	}
	return nil
}
