package weixin

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/idco-dev/idco/shared/internal/flex"
)

// ErrBadData is wrapped by every Decrypt error found after decryption: bad
// padding, a plaintext that is not JSON, a missing or foreign watermark.
//
// The scheme has no MAC: AES-128-CBC with PKCS#7 padding, key =
// base64(session_key), 16 bytes ("开放数据校验与解密"). The client supplies
// both ciphertext and IV, so a client that can tell a padding failure from
// a later one has a padding oracle and can forge plaintext under the
// session key. Callers must therefore answer every Decrypt error the same
// way and keep the detail for the log.
var ErrBadData = errors.New("weixin: encrypted data rejected")

// Decrypt opens encryptedData from a mini-program API (wx.getUserInfo,
// the legacy getPhoneNumber button, wx.getShareInfo...) with the user's
// session key and returns the JSON plaintext. The plaintext must carry
// watermark.appid equal to appID: without a MAC, the watermark is the only
// sign that the data was made for our mini program. No error contains the
// key or any plaintext.
func Decrypt(sessionKey, encryptedData, iv, appID string) ([]byte, error) {
	if appID == "" {
		return nil, errors.New("weixin: appID is empty")
	}
	key, err := decode16("session key", sessionKey)
	if err != nil {
		return nil, err
	}
	ivb, err := decode16("iv", iv)
	if err != nil {
		return nil, err
	}
	ct, err := base64.StdEncoding.DecodeString(encryptedData)
	if err != nil {
		return nil, fmt.Errorf("weixin: encryptedData is not base64: %w", err)
	}
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("weixin: encryptedData is %d bytes, not whole AES blocks", len(ct))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("weixin: session key: %w", err)
	}
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, ivb).CryptBlocks(pt, ct)
	pt, ok := unpad(pt)
	if !ok {
		return nil, fmt.Errorf("%w: bad padding", ErrBadData)
	}
	var w struct {
		Watermark *watermark `json:"watermark"`
	}
	// The json error is dropped: its text may quote a plaintext byte.
	if json.Unmarshal(pt, &w) != nil {
		return nil, fmt.Errorf("%w: plaintext is not JSON", ErrBadData)
	}
	if w.Watermark == nil || w.Watermark.AppID != appID {
		return nil, fmt.Errorf("%w: watermark appid is not ours", ErrBadData)
	}
	return pt, nil
}

// DecryptPhone opens the encryptedData of the legacy getPhoneNumber button
// (before the code-based PhoneNumber call existed), checked as in Decrypt.
func DecryptPhone(sessionKey, encryptedData, iv, appID string) (*Phone, error) {
	pt, err := Decrypt(sessionKey, encryptedData, iv, appID)
	if err != nil {
		return nil, err
	}
	var p phoneData
	if json.Unmarshal(pt, &p) != nil {
		return nil, fmt.Errorf("%w: not phone data", ErrBadData)
	}
	return p.phone(appID)
}

// decode16 decodes a base64 AES-128 key or IV. Other lengths are refused
// even where AES would accept them (24 or 32 bytes), since WeChat documents
// a 16-byte session key and anything else is not one.
func decode16(what, s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("weixin: %s is not base64: %w", what, err)
	}
	if len(b) != aes.BlockSize {
		return nil, fmt.Errorf("weixin: %s is %d bytes, want %d", what, len(b), aes.BlockSize)
	}
	return b, nil
}

// unpad strips PKCS#7 padding, requiring 1..16 bytes all equal to the
// count. It runs in time independent of the padding bytes so that timing
// does not rebuild the oracle that one error for all failures removes.
func unpad(b []byte) ([]byte, bool) {
	if len(b) < aes.BlockSize {
		return nil, false
	}
	n := int(b[len(b)-1])
	good := subtle.ConstantTimeLessOrEq(1, n) & subtle.ConstantTimeLessOrEq(n, aes.BlockSize)
	for i := 1; i <= aes.BlockSize; i++ {
		isPad := subtle.ConstantTimeLessOrEq(i, n)
		same := subtle.ConstantTimeByteEq(b[len(b)-i], byte(n))
		good &= subtle.ConstantTimeSelect(isPad, same, 1)
	}
	if good != 1 {
		return nil, false
	}
	return b[:len(b)-n], true
}

// phoneData is the phone number object both in getuserphonenumber's
// phone_info and in decrypted legacy data.
type phoneData struct {
	PhoneNumber     string      `json:"phoneNumber"`
	PurePhoneNumber string      `json:"purePhoneNumber"`
	CountryCode     flex.String `json:"countryCode"`
	Watermark       *watermark  `json:"watermark"`
}

type watermark struct {
	AppID     string `json:"appid"`
	Timestamp int64  `json:"timestamp"`
}

// phone checks the watermark and that a number is present.
func (p *phoneData) phone(appID string) (*Phone, error) {
	if p.Watermark == nil || p.Watermark.AppID != appID {
		return nil, errors.New("weixin: phone watermark appid is not ours")
	}
	if p.PhoneNumber == "" && p.PurePhoneNumber == "" {
		return nil, errors.New("weixin: phone data has no number")
	}
	// getPhoneNumber documents countryCode as a string but shows the number
	// 86 in its own example: either, but an integer.
	if _, err := strconv.Atoi(string(p.CountryCode)); p.CountryCode != "" && err != nil {
		return nil, errors.New("weixin: phone countryCode is not an integer")
	}
	return &Phone{
		PhoneNumber:     p.PhoneNumber,
		PurePhoneNumber: p.PurePhoneNumber,
		CountryCode:     string(p.CountryCode),
	}, nil
}
