package sensitive

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"strings"
	"testing"
)

const secret = "0123456789abcdef0123456789ABCDEF"

// uniIDSeal is uni-id's sensitive-aes-cipher encryptData: AES-256-CBC,
// key the secret, IV its last 16 bytes, PKCS#7, base64.
func uniIDSeal(t *testing.T, plain string) string {
	t.Helper()
	b, _ := aes.NewCipher([]byte(secret))
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	in := []byte(plain + strings.Repeat(string(rune(pad)), pad))
	cipher.NewCBCEncrypter(b, []byte(secret[16:])).CryptBlocks(in, in)
	return base64.StdEncoding.EncodeToString(in)
}

func TestSealOpen(t *testing.T) {
	c, err := New(secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{"张三", "11010519491231002X", "a", strings.Repeat("名", 60)} {
		a, err := c.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := c.Seal(plain)
		if a == b || (len(plain) > 4 && strings.Contains(a, plain)) {
			t.Errorf("Seal(%q) is deterministic or clear: %q %q", plain, a, b)
		}
		if got, err := c.Open(a); err != nil || got != plain {
			t.Errorf("Open(Seal(%q)) = %q, %v", plain, got, err)
		}
		if got, err := c.Open(uniIDSeal(t, plain)); err != nil || got != plain {
			t.Errorf("Open(uni-id form of %q) = %q, %v", plain, got, err)
		}
	}
	other, _ := New(strings.Repeat("x", 32), nil)
	sealed, _ := c.Seal("张三")
	if _, err := other.Open(sealed); err != ErrCorrupt {
		t.Errorf("another secret opened it: %v", err)
	}
	if _, err := c.Open(sealed[:len(sealed)-4] + "AAAA"); err != ErrCorrupt {
		t.Errorf("a tampered value opened: %v", err)
	}
	a, b := c.Digest("110105194912310021"), c.Digest("110105194912310021")
	if a != b || a == c.Digest("110105194912310022") {
		t.Errorf("Digest does not tell values apart")
	}
}

func TestNewSecretLength(t *testing.T) {
	for _, n := range []int{0, 31, 33} {
		if _, err := New(strings.Repeat("k", n), nil); err == nil {
			t.Errorf("a %d-byte secret was accepted", n)
		}
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"张三": "*三", "欧阳·娜娜": "****娜", "": "", "李": "李"} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"11010519491231002X": "1****************X", "12": "12", "1": "*", "": ""} {
		if got := MaskID(in); got != want {
			t.Errorf("MaskID(%q) = %q, want %q", in, got, want)
		}
	}
}
