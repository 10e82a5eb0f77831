package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func claims(now time.Time) Claims {
	return Claims{UID: "u1", Role: []string{"user"}, SID: "s1", Gen: 2, IAT: now.Unix(), EXP: now.Add(time.Hour).Unix()}
}

func TestRoundTrip(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tok, err := Sign(secret, claims(now))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if got, want := string(hdr), `{"alg":"HS256","typ":"JWT"}`; got != want {
		t.Errorf("header = %s, want %s", got, want)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if !strings.HasPrefix(string(payload), `{"uid":"u1","role":["user"],"permission":[]`) {
		t.Errorf("payload = %s, want uni-id's key order", payload)
	}
	c, err := Parse(secret, tok, now.Add(59*time.Minute))
	if err != nil || c.UID != "u1" || c.SID != "s1" || c.Gen != 2 {
		t.Fatalf("Parse = %+v, %v", c, err)
	}
}

// forge builds a token with any header and payload, signed HS256 with key.
func forge(header, payload string, key []byte) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(header))
	p := base64.RawURLEncoding.EncodeToString([]byte(payload))
	m := hmac.New(sha256.New, key)
	m.Write([]byte(h + "." + p))
	return h + "." + p + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func TestRejects(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	good, _ := Sign(secret, claims(now))
	payload, _ := json.Marshal(claims(now))
	noExp := claims(now)
	noExp.EXP = 0
	noExpPayload, _ := json.Marshal(noExp)
	cases := []struct {
		name string
		tok  string
		at   time.Time
		want error
	}{
		{"expired", good, now.Add(time.Hour + time.Second), ErrExpired},
		{"other secret", forge(`{"alg":"HS256","typ":"JWT"}`, string(payload), []byte("another-secret-another-secret-xx")), now, ErrInvalid},
		{"alg none", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + base64.RawURLEncoding.EncodeToString(payload) + ".", now, ErrInvalid},
		{"HS512", forge(`{"alg":"HS512","typ":"JWT"}`, string(payload), secret), now, ErrInvalid},
		{"extra header jku", forge(`{"alg":"HS256","jku":"http://evil/","typ":"JWT"}`, string(payload), secret), now, ErrInvalid},
		{"no exp", forge(`{"alg":"HS256","typ":"JWT"}`, string(noExpPayload), secret), now, ErrInvalid},
		{"no sid (uni-id token)", forge(`{"alg":"HS256","typ":"JWT"}`, `{"uid":"u1","role":[],"permission":[],"iat":1800000000,"exp":1800003600}`, secret), now, ErrInvalid},
		{"garbage", "a.b.c", now, ErrInvalid},
		{"empty", "", now, ErrInvalid},
		{"tampered payload", strings.Replace(good, strings.Split(good, ".")[1], base64.RawURLEncoding.EncodeToString([]byte(`{"uid":"admin","sid":"s1","exp":1900000000}`)), 1), now, ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(secret, tc.tok, tc.at); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
			}
		})
	}
}
