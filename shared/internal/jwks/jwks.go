// Package jwks keeps a provider's token signing keys (a JSON Web Key Set,
// RFC 7517): fetched on first use, kept, and fetched again when a token
// names a kid the copy lacks, at most once per RefetchEvery, so forged kids
// cannot make idco hammer the provider. An unreachable set fails only the
// tokens whose key is not cached yet (ErrUnavailable), never accepts one.
// Sign in with Apple and Google's id_token share it.
package jwks

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// Defaults used when the matching Set field is zero.
const (
	DefaultRefetchEvery = 5 * time.Minute
	DefaultTimeout      = 5 * time.Second
)

// maxBody caps the set's body; Apple's and Google's are about 1.5 KiB.
const maxBody = 1 << 20

// minKeyBits rejects weak keys even if a set offered one; providers use 2048.
const minKeyBits = 2048

// ErrUnavailable means a key could not be looked up: its kid is not cached
// and the set could not be fetched. The token may verify later.
var ErrUnavailable = errors.New("jwks: signing keys unavailable")

// Set is one provider's key set. URL is required; the zero values of HTTP,
// Now, RefetchEvery and Timeout mean http.DefaultClient, time.Now,
// DefaultRefetchEvery and DefaultTimeout. One Set is meant to be shared by
// all requests of a process; it is safe for concurrent use and must not be
// copied after first use.
type Set struct {
	URL          string
	HTTP         *http.Client
	Now          func() time.Time
	RefetchEvery time.Duration
	Timeout      time.Duration

	mu       sync.Mutex
	keys     map[string]*rsa.PublicKey
	fetched  time.Time     // when keys was last replaced
	inflight chan struct{} // closed when the running fetch ends; nil if none
	lastErr  error         // the last fetch's error, for requests that waited on it
}

// Keyfunc is a jwt.Keyfunc over the set: it re-checks that the token is
// RS256 (so no other method can ever reach an RSA key) and looks its kid up.
// Errors wrap ErrUnavailable when the key could not be looked up.
func (s *Set) Keyfunc(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		if t.Method != jwt.SigningMethodRS256 {
			return nil, fmt.Errorf("alg %v not allowed", t.Header["alg"])
		}
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("no kid in header")
		}
		return s.Key(ctx, kid)
	}
}

// Key returns the cached key for kid, fetching the set when there is none
// yet or when kid is unknown and the copy is older than RefetchEvery. One
// fetch runs at a time; concurrent requests wait for it instead of starting
// their own. A failed fetch does not count as a fetch, so the next unknown
// kid tries again, but never more than one request at a time.
func (s *Set) Key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	s.mu.Lock()
	if k, ok := s.keys[kid]; ok {
		s.mu.Unlock()
		return k, nil
	}
	done := s.inflight
	if done == nil {
		if s.keys != nil && s.now().Sub(s.fetched) < s.refetchEvery() {
			s.mu.Unlock()
			return nil, fmt.Errorf("unknown kid %q", kid)
		}
		done = make(chan struct{})
		s.inflight = done
		// The fetch outlives this request's cancellation: others may be
		// waiting on it, and it is bounded by the Set's own timeout.
		go s.refresh(context.WithoutCancel(ctx), done)
	}
	s.mu.Unlock()

	select {
	case <-done:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, ctx.Err())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.keys[kid]; ok {
		return k, nil
	}
	if s.lastErr != nil {
		return nil, fmt.Errorf("%w: kid %q not cached: %w", ErrUnavailable, kid, s.lastErr)
	}
	return nil, fmt.Errorf("unknown kid %q after refetch", kid)
}

// refresh fetches the set and, on success, replaces every key, so keys the
// provider has retired stop verifying. It closes done when finished.
func (s *Set) refresh(ctx context.Context, done chan struct{}) {
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(s.Timeout, DefaultTimeout))
	defer cancel()
	keys, err := s.fetch(ctx)

	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		s.keys, s.fetched = keys, s.now()
	}
	s.lastErr = err
	s.inflight = nil
	close(done)
}

// document is the JSON Web Key Set document.
type document struct {
	Keys []struct {
		Kty string `json:"kty"`
		Kid string `json:"kid"`
		Use string `json:"use"`
		Alg string `json:"alg"`
		N   string `json:"n"`
		E   string `json:"e"`
	} `json:"keys"`
}

// fetch downloads and parses the set. Keys that are not RSA signing keys
// for RS256 are skipped; a set with no usable key is an error, so a broken
// answer never replaces a good cache.
func (s *Set) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := httpcall.Client(s.HTTP).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("JWKS answered HTTP %d", resp.StatusCode)
	}
	var set document
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(&set); err != nil {
		return nil, fmt.Errorf("JWKS: %w", err)
	}
	keys := make(map[string]*rsa.PublicKey, len(set.Keys))
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Kid == "" || (k.Use != "" && k.Use != "sig") || (k.Alg != "" && k.Alg != "RS256") {
			continue
		}
		if pub, err := rsaKey(k.N, k.E); err == nil {
			keys[k.Kid] = pub
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("JWKS has no usable RS256 key")
	}
	return keys, nil
}

// rsaKey builds a public key from the base64url modulus and exponent.
func rsaKey(n, e string) (*rsa.PublicKey, error) {
	nb, err := b64url(n)
	if err != nil {
		return nil, fmt.Errorf("modulus: %w", err)
	}
	eb, err := b64url(e)
	if err != nil {
		return nil, fmt.Errorf("exponent: %w", err)
	}
	mod := new(big.Int).SetBytes(nb)
	exp := new(big.Int).SetBytes(eb)
	if mod.BitLen() < minKeyBits {
		return nil, fmt.Errorf("modulus of %d bits", mod.BitLen())
	}
	if !exp.IsInt64() || exp.Int64() < 3 || exp.Int64() > 1<<31-1 || exp.Bit(0) == 0 {
		return nil, errors.New("bad exponent")
	}
	return &rsa.PublicKey{N: mod, E: int(exp.Int64())}, nil
}

// b64url decodes unpadded base64url, tolerating padding some sets add.
func b64url(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func (s *Set) now() time.Time { return httpcall.Now(s.Now) }

func (s *Set) refetchEvery() time.Duration {
	if s.RefetchEvery <= 0 {
		return DefaultRefetchEvery
	}
	return s.RefetchEvery
}
