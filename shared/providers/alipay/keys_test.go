package alipay

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
)

func TestParsePrivateKey(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := x509.MarshalPKCS1PrivateKey(key)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"PKCS8 PEM", pemOf("PRIVATE KEY", pkcs8), true},
		{"PKCS1 PEM", pemOf("RSA PRIVATE KEY", pkcs1), true},
		{"bare PKCS8 base64", base64.StdEncoding.EncodeToString(pkcs8), true},
		{"bare base64 wrapped at 64", wrap(base64.StdEncoding.EncodeToString(pkcs8), 64), true},
		{"bare PKCS1 base64", base64.StdEncoding.EncodeToString(pkcs1), true},
		{"PEM with surrounding space", "\n  " + pemOf("PRIVATE KEY", pkcs8) + "\n", true},
		{"empty", "", false},
		{"garbage", "not a key!", false},
		{"truncated PEM", "-----BEGIN PRIVATE KEY-----\nMIIE", false},
		{"EC key", pemOf("PRIVATE KEY", ecDER), false},
		{"public key given", pemOf("PUBLIC KEY", mustPKIX(t, &key.PublicKey)), false},
	}
	for _, tt := range tests {
		got, err := ParsePrivateKey(tt.in)
		if tt.ok != (err == nil) {
			t.Errorf("%s: err = %v, want ok %v", tt.name, err, tt.ok)
			continue
		}
		if tt.ok && !got.Equal(key) {
			t.Errorf("%s: parsed a different key", tt.name)
		}
		if err != nil && len(tt.in) > 20 && strings.Contains(err.Error(), tt.in[len(tt.in)-20:]) {
			t.Errorf("%s: error %q quotes the key", tt.name, err)
		}
	}
}

func TestParsePublicKey(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkix := mustPKIX(t, &key.PublicKey)
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"PKIX PEM", pemOf("PUBLIC KEY", pkix), true},
		{"bare PKIX base64", base64.StdEncoding.EncodeToString(pkix), true},
		{"PKCS1 PEM", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&key.PublicKey)), true},
		{"empty", "  ", false},
		{"garbage", "%%%", false},
	}
	for _, tt := range tests {
		got, err := ParsePublicKey(tt.in)
		if tt.ok != (err == nil) {
			t.Errorf("%s: err = %v, want ok %v", tt.name, err, tt.ok)
			continue
		}
		if tt.ok && !got.Equal(&key.PublicKey) {
			t.Errorf("%s: parsed a different key", tt.name)
		}
	}
}

func pemOf(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func mustPKIX(t *testing.T, pub *rsa.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}
