// Package sensitive seals the personal data idco keeps about a user beyond
// their login (a real name and an ID number from real-name verification)
// with the config's sensitiveInfoEncryptSecret, and masks it for answers.
//
// uni-id encrypts these with AES-256-CBC and a fixed IV (the secret's last
// 16 bytes), so equal values give equal ciphertexts. idco writes AES-256-GCM
// with a random nonce under a key derived from the same secret, compares ID
// numbers through a keyed digest instead, and still opens uni-id's form, so
// the records of migrated users read as before.
package sensitive

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"strings"
)

// SecretLen is the length uni-id requires of sensitiveInfoEncryptSecret.
const SecretLen = 32

// prefix marks idco's sealed form; uni-id's has none.
const prefix = "idco1:"

// Cipher seals and opens sensitive values. It is safe for concurrent use.
type Cipher struct {
	aead   cipher.AEAD
	legacy cipher.Block
	iv     []byte
	mac    []byte
	rand   io.Reader
}

// New returns the Cipher of secret, which must be SecretLen bytes. r is the
// nonce source; nil means crypto/rand.
func New(secret string, r io.Reader) (*Cipher, error) {
	if len(secret) != SecretLen {
		return nil, errors.New("sensitiveInfoEncryptSecret must be 32 bytes")
	}
	legacy, err := aes.NewCipher([]byte(secret))
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(derive(secret, "idco sensitive seal v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if r == nil {
		r = rand.Reader
	}
	return &Cipher{aead: aead, legacy: legacy, iv: []byte(secret[SecretLen-16:]),
		mac: derive(secret, "idco sensitive digest v1"), rand: r}, nil
}

func derive(secret, label string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(label))
	return m.Sum(nil)
}

// Seal encrypts plain. The empty string stays empty, as uni-id's.
func (c *Cipher) Seal(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	nonce := make([]byte, c.aead.NonceSize())
	if _, err := io.ReadFull(c.rand, nonce); err != nil {
		return "", err
	}
	out := c.aead.Seal(nonce, nonce, []byte(plain), []byte(prefix))
	return prefix + base64.StdEncoding.EncodeToString(out), nil
}

// ErrCorrupt means a sealed value does not open with this secret.
var ErrCorrupt = errors.New("sensitive value does not open")

// Open decrypts a value sealed by Seal or by uni-id.
func (c *Cipher) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if rest, ok := strings.CutPrefix(sealed, prefix); ok {
		raw, err := base64.StdEncoding.DecodeString(rest)
		n := c.aead.NonceSize()
		if err != nil || len(raw) < n {
			return "", ErrCorrupt
		}
		plain, err := c.aead.Open(nil, raw[:n], raw[n:], []byte(prefix))
		if err != nil {
			return "", ErrCorrupt
		}
		return string(plain), nil
	}
	return c.openLegacy(sealed)
}

// openLegacy opens uni-id's AES-256-CBC (PKCS#7, base64) form.
func (c *Cipher) openLegacy(sealed string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return "", ErrCorrupt
	}
	out := make([]byte, len(raw))
	cipher.NewCBCDecrypter(c.legacy, c.iv).CryptBlocks(out, raw)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > aes.BlockSize || pad > len(out) {
		return "", ErrCorrupt
	}
	for _, b := range out[len(out)-pad:] {
		if int(b) != pad {
			return "", ErrCorrupt
		}
	}
	return string(out[:len(out)-pad]), nil
}

// Digest is a keyed digest of plain, for telling equal values apart without
// storing them: the per-ID-number limit of real-name verification.
func (c *Cipher) Digest(plain string) string {
	m := hmac.New(sha256.New, c.mac)
	m.Write([]byte(plain))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// MaskName hides every character of a name but the last: 张三 becomes *三,
// as uni-id's dataDesensitization with onlyLast.
func MaskName(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	return strings.Repeat("*", len(r)-1) + string(r[len(r)-1])
}

// MaskID hides every character of an ID number but the first and the last,
// as uni-id's dataDesensitization.
func MaskID(s string) string {
	r := []rune(s)
	if len(r) < 2 {
		return strings.Repeat("*", len(r))
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}
