package apple

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/idco-dev/idco/shared/testenv/clock"
)

func TestVerify(t *testing.T) {
	key, other := newKey(t), newKey(t)
	jwks := newFakeJWKS(t, map[string]*rsa.PublicKey{"K1": &key.PublicKey})
	clk := clock.New(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	now := clk.Now()
	v := &Verifier{JWKSURL: jwks.URL, HTTP: jwks.Client(), Now: clk.Now}
	auds := []string{"com.example.app", "com.example.web"}

	with := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := appleClaims(now)
		edit(c)
		return c
	}
	signed := func(c jwt.MapClaims) string { return mint(t, key, "K1", c) }
	sum := sha256.Sum256([]byte("n-0123456789"))
	hashedNonce := hex.EncodeToString(sum[:])
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: mustPKIX(t, &key.PublicKey)})

	tests := []struct {
		name   string
		token  string
		nonce  string
		ok     bool      // false: want ErrInvalid
		want   *Identity // when set, the exact identity
		reason error     // when set, the cause ErrInvalid must wrap
	}{
		{name: "valid", token: signed(appleClaims(now)), ok: true, want: &Identity{
			Subject: "001234.0123456789abcdef0123456789abcdef.0123", Email: "x7k2@privaterelay.appleid.com",
			EmailVerified: true, PrivateEmail: true}},
		{name: "second audience", token: signed(with(func(c jwt.MapClaims) { c["aud"] = "com.example.web" })), ok: true},
		{name: "bool email flags", token: signed(with(func(c jwt.MapClaims) {
			c["email_verified"], c["is_private_email"] = true, false
		})), ok: true, want: &Identity{Subject: "001234.0123456789abcdef0123456789abcdef.0123",
			Email: "x7k2@privaterelay.appleid.com", EmailVerified: true}},
		{name: "string false flags", token: signed(with(func(c jwt.MapClaims) {
			c["email_verified"], c["is_private_email"] = "false", "false"
		})), ok: true, want: &Identity{Subject: "001234.0123456789abcdef0123456789abcdef.0123", Email: "x7k2@privaterelay.appleid.com"}},
		{name: "raw nonce", nonce: "n-0123456789", token: signed(with(func(c jwt.MapClaims) { c["nonce"] = "n-0123456789" })), ok: true},
		{name: "sha256 nonce", nonce: "n-0123456789", token: signed(with(func(c jwt.MapClaims) { c["nonce"] = hashedNonce })), ok: true},
		{name: "nonce not required", token: signed(with(func(c jwt.MapClaims) { c["nonce"] = "whatever" })), ok: true},
		{name: "exp within skew", token: signed(with(func(c jwt.MapClaims) { c["exp"] = now.Add(-30 * time.Second).Unix() })), ok: true},
		{name: "wrong nonce", nonce: "n-0123456789", token: signed(with(func(c jwt.MapClaims) { c["nonce"] = "n-other" }))},
		{name: "hash of other nonce", nonce: "n-other", token: signed(with(func(c jwt.MapClaims) { c["nonce"] = hashedNonce }))},
		{name: "missing nonce", nonce: "n-0123456789", token: signed(appleClaims(now))},
		{name: "wrong audience", token: signed(with(func(c jwt.MapClaims) { c["aud"] = "com.evil.app" })), reason: jwt.ErrTokenInvalidAudience},
		{name: "no audience", token: signed(with(func(c jwt.MapClaims) { delete(c, "aud") })), reason: jwt.ErrTokenRequiredClaimMissing},
		{name: "wrong issuer", token: signed(with(func(c jwt.MapClaims) { c["iss"] = "https://appleid.apple.com/" })), reason: jwt.ErrTokenInvalidIssuer},
		{name: "expired", token: signed(with(func(c jwt.MapClaims) { c["exp"] = now.Add(-61 * time.Second).Unix() })), reason: jwt.ErrTokenExpired},
		{name: "no exp", token: signed(with(func(c jwt.MapClaims) { delete(c, "exp") })), reason: jwt.ErrTokenRequiredClaimMissing},
		{name: "iat in the future", token: signed(with(func(c jwt.MapClaims) { c["iat"] = now.Add(10 * time.Minute).Unix() })), reason: jwt.ErrTokenUsedBeforeIssued},
		{name: "no sub", token: signed(with(func(c jwt.MapClaims) { delete(c, "sub") }))},
		{name: "signed by another key", token: mint(t, other, "K1", appleClaims(now)), reason: jwt.ErrTokenSignatureInvalid},
		{name: "no kid", token: mint(t, key, "", appleClaims(now))},
		{name: "alg none", token: unsigned(t, appleClaims(now)), reason: jwt.ErrTokenSignatureInvalid},
		{name: "HS256 with public key PEM", token: hmacForged(t, appleClaims(now), pubPEM), reason: jwt.ErrTokenSignatureInvalid},
		{name: "HS256 with modulus", token: hmacForged(t, appleClaims(now), key.N.Bytes()), reason: jwt.ErrTokenSignatureInvalid},
		{name: "garbage", token: "not.a.jwt", reason: jwt.ErrTokenMalformed},
		{name: "empty", token: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(t.Context(), tt.token, auds, tt.nonce)
			if !tt.ok {
				if !errors.Is(err, ErrInvalid) || errors.Is(err, ErrUnavailable) {
					t.Fatalf("got %+v, %v; want ErrInvalid", got, err)
				}
				if tt.reason != nil && !errors.Is(err, tt.reason) {
					t.Fatalf("got %v, want it caused by %v", err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if tt.want != nil && *got != *tt.want {
				t.Fatalf("got %+v, want %+v", *got, *tt.want)
			}
		})
	}
	if n := jwks.fetches.Load(); n != 1 {
		t.Errorf("JWKS fetched %d times, want 1: known kids must come from the cache", n)
	}
}

func TestVerifyNeedsAudiences(t *testing.T) {
	v := &Verifier{JWKSURL: "http://127.0.0.1:1/keys"}
	if _, err := v.Verify(t.Context(), "x.y.z", nil, ""); err == nil {
		t.Fatal("Verify with no audiences succeeded")
	}
}

// unsigned returns an alg "none" token, the classic downgrade.
func unsigned(t *testing.T, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodNone, c)
	tok.Header["kid"] = "K1"
	s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// hmacForged signs with HS256 using public material as the secret: a
// verifier that lets the token choose its algorithm would accept it.
func hmacForged(t *testing.T, c jwt.MapClaims, secret []byte) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	tok.Header["kid"] = "K1"
	s, err := tok.SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustPKIX(t *testing.T, pub *rsa.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
