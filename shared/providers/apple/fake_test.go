package apple

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// fakeJWKS serves a key set in Apple's /auth/keys format. Tests change the
// keys, take it down and count how often it was fetched.
type fakeJWKS struct {
	*httptest.Server
	fetches atomic.Int32

	mu   sync.Mutex
	keys map[string]*rsa.PublicKey
	down bool
	hold chan struct{} // when set, requests block until it is closed
}

func newFakeJWKS(t *testing.T, keys map[string]*rsa.PublicKey) *fakeJWKS {
	t.Helper()
	f := &fakeJWKS{keys: keys}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeJWKS) serve(w http.ResponseWriter, r *http.Request) {
	f.fetches.Add(1)
	f.mu.Lock()
	down, hold := f.down, f.hold
	type jwk struct {
		Kty string `json:"kty"`
		Kid string `json:"kid"`
		Use string `json:"use"`
		Alg string `json:"alg"`
		N   string `json:"n"`
		E   string `json:"e"`
	}
	set := struct {
		Keys []jwk `json:"keys"`
	}{}
	for kid, k := range f.keys {
		set.Keys = append(set.Keys, jwk{"RSA", kid, "sig", "RS256",
			base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
			base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes())})
	}
	f.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}
	if down {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	json.NewEncoder(w).Encode(set)
}

func (f *fakeJWKS) set(fn func(f *fakeJWKS)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// appleClaims returns the claims of a typical native-app identity token.
func appleClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"iss":              Issuer,
		"aud":              "com.example.app",
		"exp":              now.Add(10 * time.Minute).Unix(),
		"iat":              now.Unix(),
		"sub":              "001234.0123456789abcdef0123456789abcdef.0123",
		"c_hash":           "abc",
		"email":            "x7k2@privaterelay.appleid.com",
		"email_verified":   "true",
		"is_private_email": "true",
		"auth_time":        now.Unix(),
		"nonce_supported":  true,
	}
}

// mint signs claims with key under kid, as Apple would.
func mint(t *testing.T, key *rsa.PrivateKey, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
