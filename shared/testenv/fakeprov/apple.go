package fakeprov

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// AppleIssuer is the iss of Apple identity tokens.
const AppleIssuer = "https://appleid.apple.com"

// AppleOpt changes a token AppleToken mints.
type AppleOpt func(*appleMint)

type appleMint struct {
	claims jwt.MapClaims
	kid    string
	key    *rsa.PrivateKey
	now    time.Time
}

// WithAudience mints the token for aud instead of Fake.AppleAudience.
func WithAudience(aud string) AppleOpt {
	return func(m *appleMint) { m.claims["aud"] = aud }
}

// Expired mints a token that expired 10 minutes ago (issued 20 minutes
// ago), well past any clock-skew leeway.
func Expired() AppleOpt {
	return func(m *appleMint) {
		iat := m.now.Add(-20 * time.Minute)
		m.claims["iat"] = iat.Unix()
		m.claims["auth_time"] = iat.Unix()
		m.claims["exp"] = iat.Add(10 * time.Minute).Unix()
	}
}

// WithKid puts kid in the header, a key id the JWKS does not have; the
// token is still signed with the real key.
func WithKid(kid string) AppleOpt {
	return func(m *appleMint) { m.kid = kid }
}

// WithBadSignature signs the token with a key that is not in the JWKS,
// under the real kid.
func WithBadSignature() AppleOpt {
	return func(m *appleMint) { m.key = nil }
}

// WithClaim sets (or, with a nil value, removes) any claim, such as iss,
// email_verified or is_private_email.
func WithClaim(name string, value any) AppleOpt {
	return func(m *appleMint) {
		if value == nil {
			delete(m.claims, name)
			return
		}
		m.claims[name] = value
	}
}

// AppleToken returns an identity token as Sign in with Apple issues it:
// RS256 under the fake JWKS's kid, iss https://appleid.apple.com, aud
// AppleAudience, iat Now, exp Now+10min, sub, and email with
// email_verified "true" and is_private_email when it is a private relay
// address. nonce, when not empty, is copied into the nonce claim as given
// (Apple copies what the client sent: pass the SHA-256 hex for the
// Firebase-style hashed form). An empty email leaves the email claims out.
func (f *Fake) AppleToken(sub, email, nonce string, opts ...AppleOpt) string {
	f.t.Helper()
	now := f.now()
	c := jwt.MapClaims{
		"iss":             AppleIssuer,
		"aud":             f.AppleAudience,
		"exp":             now.Add(10 * time.Minute).Unix(),
		"iat":             now.Unix(),
		"sub":             sub,
		"c_hash":          base64.RawURLEncoding.EncodeToString(randBytes(16)),
		"auth_time":       now.Unix(),
		"nonce_supported": true,
	}
	if email != "" {
		c["email"] = email
		c["email_verified"] = "true"
		if strings.HasSuffix(strings.ToLower(email), "@privaterelay.appleid.com") {
			c["is_private_email"] = "true"
		}
	}
	if nonce != "" {
		c["nonce"] = nonce
	}
	m := &appleMint{claims: c, kid: f.AppleKid, key: f.AppleKey, now: now}
	for _, o := range opts {
		o(m)
	}
	if m.key == nil {
		m.key = f.keys.stranger
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, m.claims)
	tok.Header["kid"] = m.kid
	s, err := tok.SignedString(m.key)
	if err != nil {
		f.t.Fatalf("fakeprov: AppleToken: %v", err)
	}
	return s
}

// serveApple is GET /auth/keys, Apple's JWKS: two keys, as Apple publishes
// several, the signing one second.
func (f *Fake) serveApple(w http.ResponseWriter, r *http.Request, mode FailMode) {
	switch mode {
	case Busy:
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	case RateLimited:
		http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
		return
	}
	if r.URL.Path != "/auth/keys" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	type jwk struct {
		Kty string `json:"kty"`
		Kid string `json:"kid"`
		Use string `json:"use"`
		Alg string `json:"alg"`
		N   string `json:"n"`
		E   string `json:"e"`
	}
	k := f.keys
	var set struct {
		Keys []jwk `json:"keys"`
	}
	for _, p := range []struct {
		kid string
		key *rsa.PublicKey
	}{{k.appleOldKid, &k.appleOld.PublicKey}, {f.AppleKid, &f.AppleKey.PublicKey}} {
		set.Keys = append(set.Keys, jwk{"RSA", p.kid, "sig", "RS256",
			base64.RawURLEncoding.EncodeToString(p.key.N.Bytes()),
			base64.RawURLEncoding.EncodeToString(big.NewInt(int64(p.key.E)).Bytes())})
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	b, _ := json.Marshal(set)
	_, _ = w.Write(b)
}
