package password

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// uni-id's secret types.
const (
	typeSHA1   = "hmac-sha1"
	typeSHA256 = "hmac-sha256"
)

// sha256Prefix starts every uni-id hmac-sha256 hash:
// $UNI_ID_HMAC_SHA256$<salt length>$<salt><hex digest>.
const sha256Prefix = "$UNI_ID_HMAC_SHA256$"

// isSHA1Hex reports whether s looks like a uni-id hmac-sha1 hash: 40 hex
// digits. uni-id writes lowercase; uppercase is accepted because hex decoding
// is case-blind and the comparison is on the decoded digest.
func isSHA1Hex(s string) bool {
	if len(s) != 2*sha1.Size {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// verifySHA1 checks uni-id's legacy default, hex(HMAC-SHA1(secret, pw)),
// with the secret uni-id itself would pick for this user.
func (h *Hasher) verifySHA1(pw, stored string, secretVersion int) (bool, error) {
	s, err := pickSecret(h.Secrets, secretVersion)
	if err != nil {
		return false, err
	}
	if s.Type != "" && s.Type != typeSHA1 {
		// uni-id would run the secret's own algorithm on this hash and fail;
		// saying why is kinder to whoever reads the log.
		return false, fmt.Errorf("%w: version %d is %s but the hash is hmac-sha1", ErrSecret, s.Version, s.Type)
	}
	want, _ := hex.DecodeString(stored) // isSHA1Hex has vetted it
	mac := hmac.New(sha1.New, []byte(s.Value))
	mac.Write([]byte(pw))
	return hmac.Equal(mac.Sum(nil), want), nil
}

// pickSecret mirrors uni-id's getSecretByVersion: a user without a
// password_secret_version was hashed with the oldest secret; a lone secret
// serves every user; otherwise the version must match exactly.
func pickSecret(secrets []Secret, version int) (Secret, error) {
	if len(secrets) == 0 {
		return Secret{}, fmt.Errorf("%w: none configured", ErrSecret)
	}
	if version == 0 {
		oldest := secrets[0]
		for _, s := range secrets[1:] {
			if s.Version < oldest.Version {
				oldest = s
			}
		}
		return oldest, nil
	}
	if len(secrets) == 1 {
		return secrets[0], nil
	}
	for _, s := range secrets {
		if s.Version == version {
			return s, nil
		}
	}
	return Secret{}, fmt.Errorf("%w: no version %d", ErrSecret, version)
}

// verifySHA256 checks uni-id's hmac-sha256 format, whose HMAC key is the
// salt string itself; the configured secret plays no part, so none is looked
// up. Parsing follows uni-id: split on "$" dropping empty parts into
// [algorithm, salt length, salt+digest].
func verifySHA256(pw, stored string) (bool, error) {
	var parts []string
	for _, f := range strings.Split(stored, "$") {
		if f != "" {
			parts = append(parts, f)
		}
	}
	if len(parts) != 3 || parts[0] != "UNI_ID_HMAC_SHA256" {
		return false, fmt.Errorf("%w: hmac-sha256: want 3 fields", ErrFormat)
	}
	saltLen, err := strconv.Atoi(parts[1])
	rest := parts[2]
	if err != nil || saltLen < 1 || saltLen != len(rest)-2*sha256.Size {
		return false, fmt.Errorf("%w: hmac-sha256: bad salt length %q", ErrFormat, parts[1])
	}
	salt := rest[:saltLen]
	want, err := hex.DecodeString(rest[saltLen:])
	if err != nil {
		return false, fmt.Errorf("%w: hmac-sha256: digest is not hex", ErrFormat)
	}
	mac := hmac.New(sha256.New, []byte(salt))
	mac.Write([]byte(pw))
	return hmac.Equal(mac.Sum(nil), want), nil
}
