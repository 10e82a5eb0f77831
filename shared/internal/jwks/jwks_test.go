package jwks

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func serve(t *testing.T, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchSkipsUnusableKeys(t *testing.T) {
	key := newKey(t)
	n := base64.RawURLEncoding.EncodeToString(key.N.Bytes())
	small := newSmallModulus()
	tests := []struct {
		name, body string
		wantKids   []string
	}{
		{"usable and unusable", fmt.Sprintf(`{"keys":[
			{"kty":"RSA","kid":"ok","use":"sig","alg":"RS256","n":%q,"e":"AQAB"},
			{"kty":"RSA","kid":"padded","n":%q,"e":"AQAB=="},
			{"kty":"RSA","kid":"enc","use":"enc","alg":"RSA-OAEP","n":%q,"e":"AQAB"},
			{"kty":"RSA","kid":"ps","alg":"PS256","n":%q,"e":"AQAB"},
			{"kty":"EC","kid":"ec","crv":"P-256","x":"AA","y":"AA"},
			{"kty":"RSA","kid":"weak","n":%q,"e":"AQAB"},
			{"kty":"RSA","kid":"even-e","n":%q,"e":"AQAA"},
			{"kty":"RSA","kid":"","n":%q,"e":"AQAB"}]}`, n, n, n, n, small, n, n),
			[]string{"ok", "padded"}},
		{"no usable key", `{"keys":[{"kty":"EC","kid":"ec"}]}`, nil},
		{"not JSON", `<html>`, nil},
	}
	for _, tt := range tests {
		srv := serve(t, tt.body)
		s := &Set{URL: srv.URL, HTTP: srv.Client()}
		got, err := s.fetch(t.Context())
		if tt.wantKids == nil {
			if err == nil {
				t.Errorf("%s: fetch succeeded with %d keys, want an error", tt.name, len(got))
			}
			continue
		}
		if err != nil || len(got) != len(tt.wantKids) {
			t.Errorf("%s: got %d keys, %v; want %v", tt.name, len(got), err, tt.wantKids)
		}
		for _, kid := range tt.wantKids {
			if got[kid] == nil || got[kid].N.Cmp(key.N) != 0 || got[kid].E != 65537 {
				t.Errorf("%s: key %q missing or wrong", tt.name, kid)
			}
		}
	}
}

// TestKeyfunc: only RS256 tokens with a kid reach the set; a set that
// cannot be fetched is ErrUnavailable, an unknown kid in a fetched set is
// not.
func TestKeyfunc(t *testing.T) {
	key := newKey(t)
	body := fmt.Sprintf(`{"keys":[{"kty":"RSA","kid":"k1","n":%q,"e":"AQAB"}]}`, base64.RawURLEncoding.EncodeToString(key.N.Bytes()))
	srv := serve(t, body)
	claims := jwt.MapClaims{"sub": "s", "exp": time.Now().Add(time.Hour).Unix()}
	sign := func(m jwt.SigningMethod, kid string, k any) string {
		tok := jwt.NewWithClaims(m, claims)
		if kid != "" {
			tok.Header["kid"] = kid
		}
		s, err := tok.SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	set := &Set{URL: srv.URL, HTTP: srv.Client()}
	cases := []struct {
		name, token     string
		ok, unavailable bool
	}{
		{"good", sign(jwt.SigningMethodRS256, "k1", key), true, false},
		{"HS256 with the modulus as secret", sign(jwt.SigningMethodHS256, "k1", key.N.Bytes()), false, false},
		{"no kid", sign(jwt.SigningMethodRS256, "", key), false, false},
		{"unknown kid", sign(jwt.SigningMethodRS256, "k2", key), false, false},
	}
	for _, tc := range cases {
		_, err := jwt.Parse(tc.token, set.Keyfunc(t.Context()))
		if (err == nil) != tc.ok || errors.Is(err, ErrUnavailable) != tc.unavailable {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	down := &Set{URL: "http://127.0.0.1:1/keys", Timeout: time.Second}
	if _, err := jwt.Parse(cases[0].token, down.Keyfunc(t.Context())); !errors.Is(err, ErrUnavailable) {
		t.Errorf("set down: %v, want ErrUnavailable", err)
	}
}

// newSmallModulus returns a base64url 1024-bit modulus, below minKeyBits.
func newSmallModulus() string {
	m := new(big.Int).Lsh(big.NewInt(1), 1023)
	return base64.RawURLEncoding.EncodeToString(m.Bytes())
}
