package alipay

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ParsePrivateKey parses the app's RSA private key as the Alipay console and
// its key tool hand it out: PEM, or the bare base64 body with no header.
// PKCS#8 is the default there; PKCS#1 ("RSA PRIVATE KEY") is accepted too.
// Errors never quote the input, since it is a secret.
func ParsePrivateKey(s string) (*rsa.PrivateKey, error) {
	der, err := keyDER(s)
	if err != nil {
		return nil, fmt.Errorf("alipay: private key: %w", err)
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("alipay: private key is %T, want RSA", k)
		}
		return rk, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("alipay: private key is neither PKCS#8 nor PKCS#1 RSA")
}

// ParsePublicKey parses the Alipay public key ("支付宝公钥") that verifies
// gateway responses: PEM or bare base64 of a PKIX SubjectPublicKeyInfo, the
// form the console shows. A PKCS#1 "RSA PUBLIC KEY" is accepted as well.
func ParsePublicKey(s string) (*rsa.PublicKey, error) {
	der, err := keyDER(s)
	if err != nil {
		return nil, fmt.Errorf("alipay: public key: %w", err)
	}
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("alipay: public key is %T, want RSA", k)
		}
		return rk, nil
	}
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("alipay: public key is neither PKIX nor PKCS#1 RSA")
}

// keyDER returns the DER bytes of a PEM block or of bare base64. Whitespace
// inside bare base64 is dropped because keys pasted from the console or a
// config file are often wrapped at 64 columns.
func keyDER(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("empty")
	}
	if strings.HasPrefix(s, "-----BEGIN") {
		block, _ := pem.Decode([]byte(s))
		if block == nil {
			return nil, errors.New("malformed PEM")
		}
		return block.Bytes, nil
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		return nil, errors.New("not PEM and not base64")
	}
	return der, nil
}
