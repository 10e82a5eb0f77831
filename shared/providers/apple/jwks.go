package apple

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
	"time"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// maxJWKS caps the JWKS body; Apple's is about 1.5 KiB.
const maxJWKS = 1 << 20

// minKeyBits rejects weak keys even if a JWKS offered one; Apple's are 2048.
const minKeyBits = 2048

// key returns the cached key for kid, fetching the JWKS when there is none
// yet or when kid is unknown and the copy is older than RefetchEvery. One
// fetch runs at a time; concurrent requests wait for it instead of starting
// their own. A failed fetch does not count as a fetch, so the next unknown
// kid tries again, but never more than one request at a time.
func (v *Verifier) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	v.mu.Lock()
	if k, ok := v.keys[kid]; ok {
		v.mu.Unlock()
		return k, nil
	}
	done := v.inflight
	if done == nil {
		if v.keys != nil && v.now().Sub(v.fetched) < v.refetchEvery() {
			v.mu.Unlock()
			return nil, fmt.Errorf("unknown kid %q", kid)
		}
		done = make(chan struct{})
		v.inflight = done
		// The fetch outlives this request's cancellation: others may be
		// waiting on it, and it is bounded by the Verifier's own timeout.
		go v.refresh(context.WithoutCancel(ctx), done)
	}
	v.mu.Unlock()

	select {
	case <-done:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, ctx.Err())
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if k, ok := v.keys[kid]; ok {
		return k, nil
	}
	if v.lastErr != nil {
		return nil, fmt.Errorf("%w: kid %q not cached: %w", ErrUnavailable, kid, v.lastErr)
	}
	return nil, fmt.Errorf("unknown kid %q after refetch", kid)
}

// refresh fetches the JWKS and, on success, replaces the whole key set, so
// keys Apple has retired stop verifying. It closes done when finished.
func (v *Verifier) refresh(ctx context.Context, done chan struct{}) {
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(v.Timeout, DefaultTimeout))
	defer cancel()
	keys, err := v.fetch(ctx)

	v.mu.Lock()
	defer v.mu.Unlock()
	if err == nil {
		v.keys, v.fetched = keys, v.now()
	}
	v.lastErr = err
	v.inflight = nil
	close(done)
}

// jwks is the JSON Web Key Set document (RFC 7517) Apple serves.
type jwks struct {
	Keys []struct {
		Kty string `json:"kty"`
		Kid string `json:"kid"`
		Use string `json:"use"`
		Alg string `json:"alg"`
		N   string `json:"n"`
		E   string `json:"e"`
	} `json:"keys"`
}

// fetch downloads and parses the JWKS. Keys that are not RSA signing keys
// for RS256 are skipped; a set with no usable key is an error, so a broken
// answer never replaces a good cache.
func (v *Verifier) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.jwksURL(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := httpcall.Client(v.HTTP).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("JWKS answered HTTP %d", resp.StatusCode)
	}
	var set jwks
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJWKS)).Decode(&set); err != nil {
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

// b64url decodes unpadded base64url, tolerating padding some JWKS add.
func b64url(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func (v *Verifier) jwksURL() string {
	if v.JWKSURL == "" {
		return DefaultJWKSURL
	}
	return v.JWKSURL
}

func (v *Verifier) refetchEvery() time.Duration {
	if v.RefetchEvery <= 0 {
		return DefaultRefetchEvery
	}
	return v.RefetchEvery
}
