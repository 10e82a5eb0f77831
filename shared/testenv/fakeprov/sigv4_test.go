package fakeprov_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// TestVerifySigV4: what the SDK signs passes; a changed body, another
// secret, a missing session token or a stale date does not.
func TestVerifySigV4(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	key := fakeprov.AWSKey{ID: "AKIDEXAMPLE", Secret: "secret", Token: "session", Region: "us-east-1", Service: "ses"}
	sign := func(body string, secret, token string, at time.Time) *http.Request {
		r, _ := http.NewRequest("POST", "http://email.example.com/v2/email/outbound-emails?x=a%20b", bytes.NewReader([]byte(body)))
		r.Header.Set("Content-Type", "application/json")
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: key.ID, SecretAccessKey: secret, SessionToken: token}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "ses", "us-east-1", at); err != nil {
			t.Fatal(err)
		}
		return r
	}
	cases := []struct {
		name string
		r    *http.Request
		body string
		ok   bool
	}{
		{"signed", sign(`{"a":1}`, "secret", "session", now), `{"a":1}`, true},
		{"body changed", sign(`{"a":1}`, "secret", "session", now), `{"a":2}`, false},
		{"other secret", sign(`{"a":1}`, "other", "session", now), `{"a":1}`, false},
		{"no session token", sign(`{"a":1}`, "secret", "", now), `{"a":1}`, false},
		{"stale", sign(`{"a":1}`, "secret", "session", now.Add(-6*time.Minute)), `{"a":1}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := fakeprov.VerifySigV4(tc.r, []byte(tc.body), key, now)
			if (err == nil) != tc.ok {
				t.Errorf("VerifySigV4 = %v, want ok %v", err, tc.ok)
			}
		})
	}
}
