package signing

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Sign returns a compact JWT of claims signed by the active key of alg,
// with the key's id and typ in the header ("JWT", or "at+jwt" for an RFC
// 9068 access token).
func (s *Set) Sign(alg, typ string, claims jwt.MapClaims) (string, error) {
	keys := s.of(alg, Active)
	if len(keys) != 1 {
		return "", errors.New("signing: no active " + alg + " key")
	}
	k := keys[0]
	t := jwt.NewWithClaims(jwt.GetSigningMethod(alg), claims)
	t.Header["kid"] = k.ID
	t.Header["typ"] = typ
	return t.SignedString(k.signer)
}

// ErrInvalid means a token is malformed, not signed by a key of the set,
// of another type or algorithm, expired, or from another issuer.
var ErrInvalid = errors.New("signing: invalid token")

// Verify checks a token the set signed: its alg and typ, a key of the set
// (any state: a retired key still verifies what it signed), exp at now,
// and iss. It returns the claims.
func (s *Set) Verify(tok, alg, typ, issuer string, now time.Time) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(tok, claims, func(t *jwt.Token) (any, error) {
		if t.Header["typ"] != typ {
			return nil, ErrInvalid
		}
		kid, _ := t.Header["kid"].(string)
		for _, k := range s.Keys {
			if k.ID == kid && k.Alg == alg {
				return k.signer.Public(), nil
			}
		}
		return nil, ErrInvalid
	}, jwt.WithValidMethods([]string{alg}), jwt.WithExpirationRequired(), jwt.WithIssuer(issuer),
		jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return nil, errors.Join(ErrInvalid, err)
	}
	return claims, nil
}

// JWKS returns the set's public keys as a JWK Set document (RFC 7517),
// every state, for the jwks_uri.
func (s *Set) JWKS() []byte {
	keys := make([]map[string]string, 0, len(s.Keys))
	for _, k := range s.Keys {
		j := publicJWK(k)
		j["kid"], j["alg"], j["use"] = k.ID, k.Alg, "sig"
		keys = append(keys, j)
	}
	out, _ := json.Marshal(map[string]any{"keys": keys})
	return out
}

func publicJWK(k *Key) map[string]string {
	b64 := base64.RawURLEncoding.EncodeToString
	switch p := k.signer.Public().(type) {
	case *rsa.PublicKey:
		return map[string]string{"kty": "RSA", "n": b64(p.N.Bytes()), "e": b64(big.NewInt(int64(p.E)).Bytes())}
	case *ecdsa.PublicKey:
		pt, err := p.Bytes() // 0x04 || X || Y, 32 bytes each for P-256
		if err != nil || len(pt) != 65 {
			return map[string]string{}
		}
		return map[string]string{"kty": "EC", "crv": "P-256", "x": b64(pt[1:33]), "y": b64(pt[33:])}
	}
	return map[string]string{}
}
