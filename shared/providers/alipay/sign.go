package alipay

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// ErrSignature is wrapped by every error about a response whose signature is
// missing or does not verify against the Alipay public key. Such a body is
// never trusted, whatever it says.
var ErrSignature = errors.New("alipay: response signature missing or invalid")

// signingString is the content Alipay's RSA2 signature covers: every
// parameter except sign, empty values left out, sorted by name, joined as
// raw (not URL-encoded) k=v pairs with "&".
func signingString(params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "sign" && params.Get(k) != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params.Get(k))
	}
	return b.String()
}

// signRSA2 returns base64(RSA-SHA256 PKCS#1 v1.5) of content.
func signRSA2(key *rsa.PrivateKey, content []byte) (string, error) {
	sum := sha256.Sum256(content)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("alipay: signing request: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// verifyRSA2 checks a base64 RSA-SHA256 signature over content.
func verifyRSA2(key *rsa.PublicKey, content []byte, sig string) error {
	if sig == "" {
		return fmt.Errorf("%w: no sign field", ErrSignature)
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return fmt.Errorf("%w: sign is not base64", ErrSignature)
	}
	sum := sha256.Sum256(content)
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], raw); err != nil {
		return fmt.Errorf("%w: %v", ErrSignature, err)
	}
	return nil
}

// envelope is the gateway's answer. Alipay signs the exact bytes of the
// "<method>_response" (or "error_response") value as it sent them, so those
// are kept as json.RawMessage: re-encoding would reorder keys and change
// escapes such as "\/". The decoder hands a RawMessage the value's own bytes
// without the surrounding whitespace, which is what the official SDKs cut out
// (the text between the key's colon and `,"sign"`), in either key order.
type envelope struct {
	Response json.RawMessage `json:"alipay_system_oauth_token_response"`
	Error    json.RawMessage `json:"error_response"`
	Sign     string          `json:"sign"`
}

// signedContent returns the one signed value in the envelope and whether it
// is the error node.
func (e *envelope) signedContent() (content []byte, isError bool, err error) {
	resp, errResp := present(e.Response), present(e.Error)
	switch {
	case resp && errResp:
		return nil, false, errors.New("alipay: response has both a result and an error node")
	case resp:
		return e.Response, false, nil
	case errResp:
		return e.Error, true, nil
	}
	return nil, false, errors.New("alipay: response has neither a result nor an error node")
}

func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}
