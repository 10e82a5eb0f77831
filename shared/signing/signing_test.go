package signing

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func generate(t *testing.T) *Set {
	t.Helper()
	s, err := Generate(now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func claims() jwt.MapClaims {
	return jwt.MapClaims{"iss": "https://id.example.com", "sub": "u1", "exp": now.Add(time.Hour).Unix()}
}

// TestRotationOverlap: a token signed before a rotation still verifies
// after it (its key retired, still published), and no longer after the
// next; a new key is published a rotation before it signs.
func TestRotationOverlap(t *testing.T) {
	s := generate(t)
	tok, err := s.Sign(ES256, "at+jwt", claims())
	if err != nil {
		t.Fatal(err)
	}
	next := s.of(ES256, Next)[0].ID
	r1, err := Rotate(s, now)
	if err != nil {
		t.Fatal(err)
	}
	if a := r1.of(ES256, Active)[0].ID; a != next {
		t.Errorf("after a rotation the active key is %s, want the published next key %s", a, next)
	}
	if _, err := r1.Verify(tok, ES256, "at+jwt", "https://id.example.com", now); err != nil {
		t.Errorf("a token of the retired key: %v", err)
	}
	if !strings.Contains(string(r1.JWKS()), next) {
		t.Error("the JWKS lacks the active key")
	}
	r2, _ := Rotate(r1, now)
	if _, err := r2.Verify(tok, ES256, "at+jwt", "https://id.example.com", now); err == nil {
		t.Error("a token verified after its key left the set")
	}
	var doc struct{ Keys []map[string]string }
	if err := json.Unmarshal(r2.JWKS(), &doc); err != nil || len(doc.Keys) != 6 {
		t.Fatalf("JWKS after two rotations: %d keys (%v), want retired, active and next of each", len(doc.Keys), err)
	}
	for _, k := range doc.Keys {
		if k["d"] != "" || k["p"] != "" {
			t.Fatalf("the JWKS publishes a private part: %v", k)
		}
	}
	data, _ := r2.Marshal()
	if back, err := Parse(data); err != nil || len(back.Keys) != 6 {
		t.Errorf("the rotated set does not parse back: %v", err)
	}
}

// TestVerifyRefuses: another type, algorithm, issuer, an expired token and
// a key outside the set are refused.
func TestVerifyRefuses(t *testing.T) {
	s, other := generate(t), generate(t)
	at, _ := s.Sign(ES256, "at+jwt", claims())
	id, _ := s.Sign(RS256, "JWT", claims())
	foreign, _ := other.Sign(ES256, "at+jwt", claims())
	for name, c := range map[string]struct {
		tok, alg, typ, iss string
		at                 time.Time
	}{
		"an ID token as an access token": {id, ES256, "at+jwt", "https://id.example.com", now},
		"another type":                   {at, ES256, "JWT", "https://id.example.com", now},
		"another issuer":                 {at, ES256, "at+jwt", "https://evil.example.com", now},
		"expired":                        {at, ES256, "at+jwt", "https://id.example.com", now.Add(2 * time.Hour)},
		"another key set":                {foreign, ES256, "at+jwt", "https://id.example.com", now},
	} {
		if _, err := s.Verify(c.tok, c.alg, c.typ, c.iss, c.at); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
	if _, err := s.Verify(at, ES256, "at+jwt", "https://id.example.com", now); err != nil {
		t.Errorf("a good token: %v", err)
	}
}

// TestParseRefuses: a set that cannot sign as promised is refused.
func TestParseRefuses(t *testing.T) {
	s := generate(t)
	mutate := func(fn func(s *Set)) []byte {
		c := generate(t)
		fn(c)
		data, _ := c.Marshal()
		return data
	}
	for name, data := range map[string][]byte{
		"not JSON":            []byte("{"),
		"two active ES256":    mutate(func(c *Set) { c.of(ES256, Next)[0].State = Active }),
		"no active RS256":     mutate(func(c *Set) { c.of(RS256, Active)[0].State = Retired }),
		"an unknown state":    mutate(func(c *Set) { c.Keys[0].State = "spare" }),
		"a repeated kid":      mutate(func(c *Set) { c.Keys[1].ID = c.Keys[0].ID }),
		"an RSA key as ES256": mutate(func(c *Set) { c.Keys[0].Private = s.of(ES256, Active)[0].Private }),
		"no PEM":              mutate(func(c *Set) { c.Keys[0].Private = "x" }),
	} {
		if _, err := Parse(data); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}
