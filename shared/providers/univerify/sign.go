package univerify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// requestMAC is the request signature: lowercase hex of
// HMAC-SHA256(secret, timestamp + "\n" + nonce + "\n" + body). The proxy
// reads timestamp and nonce from the body it received, so any change to
// them or to anything else in the body breaks the signature.
func requestMAC(secret string, timestamp int64, nonce string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestamp, 10) + "\n" + nonce + "\n"))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// responseMAC is the answer signature. The "response" prefix keeps a
// request signature from ever passing as an answer's.
func responseMAC(secret, nonce string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("response\n" + nonce + "\n"))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// validMAC compares a received hex MAC with the expected one in constant
// time; case is ignored since hex decoding is.
func validMAC(got, want string) bool {
	g, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	w, _ := hex.DecodeString(want)
	return hmac.Equal(g, w)
}
