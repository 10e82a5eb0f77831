package weixin

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// WeChat's own sample from the "开放数据校验与解密" page
// (developers.weixin.qq.com/miniprogram/dev/framework/open-ability/signature.html)
// and its WXBizDataCrypt demos, reproduced verbatim in many public
// repositories: a wx.getUserInfo payload for appId wx4f4bc4dec97d474b.
const (
	sampleAppID      = "wx4f4bc4dec97d474b"
	sampleSessionKey = "tiihtNczf5v6AKRyjwEUhQ=="
	sampleIV         = "r7BXXKkLb8qrSNn05n0qiA=="
	sampleData       = "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+" +
		"3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6" +
		"/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs" +
		"8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns" +
		"/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG" +
		"20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew=="
)

func TestDecryptOfficialSample(t *testing.T) {
	pt, err := Decrypt(sampleSessionKey, sampleData, sampleIV, sampleAppID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"openId":"oGZUI0egBJY1zhBYw2KhdUfwVJJE"`, `"unionId":"ocMvos6NjeKLIBqg5Mr9QjxrP1FA"`,
		`"nickName":"Band"`, `"timestamp":1477314187`} {
		if !bytes.Contains(pt, []byte(want)) {
			t.Errorf("plaintext lacks %s", want)
		}
	}
	_, err = Decrypt(sampleSessionKey, sampleData, sampleIV, "wx0000000000000000")
	if !errors.Is(err, ErrBadData) {
		t.Errorf("sample under another appid: err = %v, want ErrBadData", err)
	}
}

// Test material made here: a known key and IV, and PKCS#7 done by hand.
var (
	testKey = []byte("0123456789abcdef")
	testIV  = []byte("fedcba9876543210")
	b64     = base64.StdEncoding.EncodeToString
)

const phonePlain = `{"phoneNumber":"+85261234567","purePhoneNumber":"61234567","countryCode":"852","watermark":{"timestamp":1477314187,"appid":"` + appID + `"}}`

func pad(p []byte) []byte {
	n := aes.BlockSize - len(p)%aes.BlockSize
	return append(bytes.Clone(p), bytes.Repeat([]byte{byte(n)}, n)...)
}

// encrypt CBC-encrypts raw, which must already be whole blocks.
func encrypt(t *testing.T, key, raw []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	ct := make([]byte, len(raw))
	cipher.NewCBCEncrypter(block, testIV).CryptBlocks(ct, raw)
	return ct
}

func TestDecrypt(t *testing.T) {
	good := encrypt(t, testKey, pad([]byte(phonePlain)))
	flipped := bytes.Clone(good)
	flipped[len(flipped)-aes.BlockSize-1] ^= 1 // changes the last pad byte only
	tests := []struct {
		name, key, data, iv string
		badData             bool // want ErrBadData rather than an input error
	}{
		{"ok", b64(testKey), b64(good), b64(testIV), false},
		{"tampered pad byte", b64(testKey), b64(flipped), b64(testIV), true},
		{"pad byte zero", b64(testKey), b64(encrypt(t, testKey, append([]byte("0123456789abcde"), 0))), b64(testIV), true},
		{"pad byte 17", b64(testKey), b64(encrypt(t, testKey, append([]byte("0123456789abcde"), 17))), b64(testIV), true},
		{"pad bytes differ", b64(testKey), b64(encrypt(t, testKey, []byte("0123456789abc\x02\x03\x03"))), b64(testIV), true},
		{"foreign watermark", b64(testKey), b64(encrypt(t, testKey, pad([]byte(strings.Replace(phonePlain, appID, "wx0000000000000000", 1))))), b64(testIV), true},
		{"no watermark", b64(testKey), b64(encrypt(t, testKey, pad([]byte(`{"phoneNumber":"+85261234567"}`)))), b64(testIV), true},
		{"not JSON", b64(testKey), b64(encrypt(t, testKey, pad([]byte("+85261234567")))), b64(testIV), true},
		{"key 15 bytes", b64(testKey[:15]), b64(good), b64(testIV), false},
		{"key 32 bytes", b64(append(bytes.Clone(testKey), testKey...)), b64(good), b64(testIV), false},
		{"iv 8 bytes", b64(testKey), b64(good), b64(testIV[:8]), false},
		{"key not base64", "!!" + b64(testKey), b64(good), b64(testIV), false},
		{"data not base64", b64(testKey), "%%%", b64(testIV), false},
		{"data empty", b64(testKey), "", b64(testIV), false},
		{"data not whole blocks", b64(testKey), b64(good[:len(good)-1]), b64(testIV), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pt, err := Decrypt(tc.key, tc.data, tc.iv, appID)
			if tc.name == "ok" {
				if err != nil || string(pt) != phonePlain {
					t.Fatalf("Decrypt = %q, %v; want the plaintext", pt, err)
				}
				return
			}
			if err == nil {
				t.Fatal("Decrypt succeeded, want an error")
			}
			if got := errors.Is(err, ErrBadData); got != tc.badData {
				t.Errorf("errors.Is(%v, ErrBadData) = %v, want %v", err, got, tc.badData)
			}
			noSecrets(t, err, tc.key, string(testKey), "61234567", "phoneNumber")
		})
	}
}

func TestDecryptPhone(t *testing.T) {
	data := b64(encrypt(t, testKey, pad([]byte(phonePlain))))
	p, err := DecryptPhone(b64(testKey), data, b64(testIV), appID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := *p, (Phone{"+85261234567", "61234567", "852"}); got != want {
		t.Errorf("phone = %+v, want %+v", got, want)
	}
	if _, err := DecryptPhone(b64(testKey), data, b64(testIV), "wx0000000000000000"); !errors.Is(err, ErrBadData) {
		t.Errorf("foreign appid: err = %v, want ErrBadData", err)
	}
	if _, err := DecryptPhone(b64(testKey), data, b64(testIV), ""); err == nil {
		t.Error("empty appid: no error")
	}
}

func TestUnpad(t *testing.T) {
	block := func(tail ...byte) []byte {
		return append(bytes.Repeat([]byte{'x'}, aes.BlockSize-len(tail)), tail...)
	}
	tests := []struct {
		name string
		in   []byte
		n    int // bytes of padding removed; -1 for rejected
	}{
		{"one", block(1), 1},
		{"three", block(3, 3, 3), 3},
		{"full block", bytes.Repeat([]byte{16}, 16), 16},
		{"zero", block(0), -1},
		{"seventeen", block(17), -1},
		{"short run", block(2, 3, 3), -1},
		{"high byte", block(0xff), -1},
		{"too short", []byte{1}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, ok := unpad(tc.in)
			if got := map[bool]int{true: len(tc.in) - len(out), false: -1}[ok]; got != tc.n {
				t.Errorf("%s: removed %d, want %d", tc.name, got, tc.n)
			}
		})
	}
}
