package fakeprov_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/idco-dev/idco/shared/providers/apple"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

func TestAppleToken(t *testing.T) {
	f, clk := newFake(t)
	v := &apple.Verifier{JWKSURL: f.AppleJWKSURL(), Now: clk.Now}
	ctx := t.Context()
	auds := []string{f.AppleAudience}
	if f.AppleAudience != "com.example.app" {
		t.Fatalf("default audience %q", f.AppleAudience)
	}

	const sub = "001234.0123456789abcdef0123456789abcdef.0123"
	id, err := v.Verify(ctx, f.AppleToken(sub, "x7k2@privaterelay.appleid.com", "nonce-1"), auds, "nonce-1")
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != sub || id.Email != "x7k2@privaterelay.appleid.com" || !id.EmailVerified || !id.PrivateEmail {
		t.Fatalf("identity %+v", id)
	}
	sum := sha256.Sum256([]byte("raw-nonce"))
	if id, err := v.Verify(ctx, f.AppleToken(sub, "", hex.EncodeToString(sum[:])), auds, "raw-nonce"); err != nil || id.Email != "" || id.PrivateEmail {
		t.Fatalf("hashed nonce, no email: %+v, %v", id, err)
	}
	if id, err := v.Verify(ctx, f.AppleToken(sub, "a@example.com", ""), auds, ""); err != nil || id.PrivateEmail || !id.EmailVerified {
		t.Fatalf("plain email: %+v, %v", id, err)
	}
	// Minted at the fake's clock, so still valid 9 minutes later on it.
	tok := f.AppleToken(sub, "", "")
	clk.Advance(9 * 60e9)
	if _, err := v.Verify(ctx, tok, auds, ""); err != nil {
		t.Fatalf("token 9 minutes old: %v", err)
	}

	for name, tok := range map[string]string{
		"other audience": f.AppleToken(sub, "", "", fakeprov.WithAudience("com.other.app")),
		"expired":        f.AppleToken(sub, "", "", fakeprov.Expired()),
		"unknown kid":    f.AppleToken(sub, "", "", fakeprov.WithKid("UNKNOWNKID")),
		"bad signature":  f.AppleToken(sub, "", "", fakeprov.WithBadSignature()),
		"other issuer":   f.AppleToken(sub, "", "", fakeprov.WithClaim("iss", "https://evil.example")),
		"nonce mismatch": f.AppleToken(sub, "", "nonce-A"),
	} {
		if _, err := v.Verify(ctx, tok, auds, "nonce-B"); !errors.Is(err, apple.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	// The nonce check aside, only the expected failures failed.
	if _, err := v.Verify(ctx, f.AppleToken(sub, "", "nonce-B"), auds, "nonce-B"); err != nil {
		t.Fatal(err)
	}
	if n := f.Calls(fakeprov.Apple); n < 1 || n > 2 {
		t.Fatalf("JWKS fetched %d times, want 1 (plus one refetch for the unknown kid)", n)
	}
}
