// Package signing holds the open platform's asymmetric keys: an RSA-2048
// key for RS256 (ID tokens, the algorithm every OpenID Connect client
// supports) and a P-256 key for ES256 (access tokens), each with a
// successor published before it signs and a predecessor kept while tokens
// it signed may still be in use. The set is one JSON document, kept in an
// SSM SecureString in AWS and in a local file in dev; Rotate moves it one
// step (next becomes active, active retired) and the JWKS publishes all.
package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The algorithms a set holds, one active key each.
const (
	RS256 = "RS256"
	ES256 = "ES256"
)

// Algs lists them, in the order a set is generated.
var Algs = []string{RS256, ES256}

// Key states: a next key is published in the JWKS before it signs (so
// clients that cache the JWKS know it when it starts), the active one
// signs, a retired one only verifies.
const (
	Next    = "next"
	Active  = "active"
	Retired = "retired"
)

// Key is one key of the set. Private is its PKCS#8 PEM.
type Key struct {
	ID      string `json:"kid"`
	Alg     string `json:"alg"`
	State   string `json:"state"`
	Created int64  `json:"created"`
	Private string `json:"private"`

	signer crypto.Signer
}

// Set is the key set document.
type Set struct {
	Keys []*Key `json:"keys"`
}

// Generate returns a new set: an active and a next key of each algorithm.
func Generate(now time.Time) (*Set, error) {
	s := &Set{}
	for _, alg := range Algs {
		for _, state := range []string{Active, Next} {
			k, err := newKey(alg, state, now)
			if err != nil {
				return nil, err
			}
			s.Keys = append(s.Keys, k)
		}
	}
	return s, nil
}

func newKey(alg, state string, now time.Time) (*Key, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, fmt.Errorf("signing: unknown alg %q", alg)
	}
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	k := &Key{Alg: alg, State: state, Created: now.Unix(), signer: priv,
		Private: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))}
	k.ID = thumbprint(k)
	return k, nil
}

// Parse reads a set document and checks it: every key parses as its
// algorithm's, ids are unique, and each algorithm has one active key.
func Parse(data []byte) (*Set, error) {
	var s Set
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("signing: key set: %w", err)
	}
	seen := map[string]bool{}
	for _, k := range s.Keys {
		if k == nil {
			return nil, errors.New("signing: key set has a null key")
		}
		block, _ := pem.Decode([]byte(k.Private))
		if block == nil {
			return nil, fmt.Errorf("signing: key %q: no PEM private key", k.ID)
		}
		priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signing: key %q: %w", k.ID, err)
		}
		switch p := priv.(type) {
		case *rsa.PrivateKey:
			if k.Alg != RS256 || p.N.BitLen() < 2048 {
				return nil, fmt.Errorf("signing: key %q: an RSA key (2048 bits or more) must be RS256", k.ID)
			}
			k.signer = p
		case *ecdsa.PrivateKey:
			if k.Alg != ES256 || p.Curve != elliptic.P256() {
				return nil, fmt.Errorf("signing: key %q: a P-256 key must be ES256", k.ID)
			}
			k.signer = p
		default:
			return nil, fmt.Errorf("signing: key %q: unsupported key type", k.ID)
		}
		if !slices.Contains([]string{Next, Active, Retired}, k.State) {
			return nil, fmt.Errorf("signing: key %q: state %q", k.ID, k.State)
		}
		if k.ID == "" || seen[k.ID] {
			return nil, fmt.Errorf("signing: key id %q missing or repeated", k.ID)
		}
		seen[k.ID] = true
	}
	for _, alg := range Algs {
		if n := len(s.of(alg, Active)); n != 1 {
			return nil, fmt.Errorf("signing: %d active %s keys, want 1", n, alg)
		}
	}
	return &s, nil
}

// Marshal returns the set document.
func (s *Set) Marshal() ([]byte, error) { return json.MarshalIndent(s, "", "  ") }

func (s *Set) of(alg, state string) []*Key {
	var out []*Key
	for _, k := range s.Keys {
		if k.Alg == alg && k.State == state {
			out = append(out, k)
		}
	}
	return out
}

// Rotate moves the set one step, for each algorithm: retired keys go, the
// active key retires, the next key (or a new one, if there is none)
// becomes active, and a new next key is made. Tokens signed before stay
// verifiable until the following rotation, so rotate no more often than
// the longest token lives (an ID token's hour, a refresh grant's access
// token's hour).
func Rotate(s *Set, now time.Time) (*Set, error) {
	out := &Set{}
	for _, alg := range Algs {
		for _, k := range s.of(alg, Active) {
			r := *k
			r.State = Retired
			out.Keys = append(out.Keys, &r)
		}
		var active *Key
		if next := s.of(alg, Next); len(next) > 0 {
			a := *next[0]
			a.State = Active
			active = &a
		} else {
			var err error
			if active, err = newKey(alg, Active, now); err != nil {
				return nil, err
			}
		}
		next, err := newKey(alg, Next, now)
		if err != nil {
			return nil, err
		}
		out.Keys = append(out.Keys, active, next)
	}
	return out, nil
}

// thumbprint is the key's RFC 7638 JWK thumbprint, its id.
func thumbprint(k *Key) string {
	j := publicJWK(k)
	var canon string
	if k.Alg == RS256 {
		canon = fmt.Sprintf(`{"e":%q,"kty":"RSA","n":%q}`, j["e"], j["n"])
	} else {
		canon = fmt.Sprintf(`{"crv":"P-256","kty":"EC","x":%q,"y":%q}`, j["x"], j["y"])
	}
	sum := sha256.Sum256([]byte(canon))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
