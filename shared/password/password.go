// Package password hashes and verifies account passwords: argon2id for new
// hashes, uni-id's legacy formats for import, and uni-id's passwordStrength
// rules. It owns the stored-hash formats and the cost of checking them;
// counting failed attempts and storing rehashed values belong to the caller.
package password

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// MaxLength is the longest password accepted, in code points. It is checked
// before any hashing so that a huge input cannot buy a huge amount of work.
const MaxLength = 128

// maxBytes is the most bytes MaxLength code points can take in UTF-8; any
// longer input is rejected without counting runes.
const maxBytes = MaxLength * utf8.UTFMax

var (
	// ErrTooLong reports a password of more than MaxLength code points.
	ErrTooLong = errors.New("password: longer than 128 code points")
	// ErrInvalid reports a password that is not valid UTF-8.
	ErrInvalid = errors.New("password: not valid UTF-8")
	// ErrFormat reports a stored hash in an unknown or malformed format, or a
	// Hasher configured with unusable Params.
	ErrFormat = errors.New("password: unknown or malformed hash")
	// ErrSecret reports that no configured passwordSecret fits the stored
	// legacy hash and the user's password_secret_version.
	ErrSecret = errors.New("password: no matching passwordSecret")
)

// Params are argon2id's cost parameters and output sizes.
type Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
	KeyLen    uint32 // bytes
	SaltLen   uint32 // bytes
}

// DefaultParams returns OWASP's minimum argon2id configuration (19 MiB,
// two passes, one lane), which keeps a Lambda login well under a second.
func DefaultParams() Params {
	return Params{MemoryKiB: 19456, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}
}

// Secret is one entry of uni-id's passwordSecret config. Type is "hmac-sha1"
// (the default when empty) or "hmac-sha256". A string-form passwordSecret is
// the single secret {Type: "hmac-sha1", Value: S, Version: 0}.
type Secret struct {
	Type    string
	Value   string
	Version int
}

// Hasher hashes new passwords with argon2id and verifies argon2id and
// uni-id legacy hashes. The zero value is usable: zero Params mean
// DefaultParams and a nil Rand means crypto/rand. Every argon2id run goes
// through Gate (nil: none), and returns ErrBusy when no slot frees in time.
type Hasher struct {
	Params  Params
	Secrets []Secret  // uni-id passwordSecret, any order; may be empty
	Rand    io.Reader // nil = crypto/rand
	Gate    *Gate
}

// derive runs argon2id inside a slot of h.Gate.
func (h *Hasher) derive(pw string, salt []byte, p Params) ([]byte, error) {
	leave, err := h.Gate.Enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	return deriveKey(pw, salt, p), nil
}

// params returns the configured Params, or DefaultParams when none are set,
// so a zero Hasher neither panics nor hashes with zero cost.
func (h *Hasher) params() Params {
	if h.Params == (Params{}) {
		return DefaultParams()
	}
	return h.Params
}

// rand returns the salt source.
func (h *Hasher) rand() io.Reader {
	if h.Rand == nil {
		return rand.Reader
	}
	return h.Rand
}

// checkInput rejects what must never reach a hash function: the byte-length
// test comes first so a megabyte of input costs no rune counting.
func checkInput(pw string) error {
	if len(pw) > maxBytes || utf8.RuneCountInString(pw) > MaxLength {
		return ErrTooLong
	}
	if !utf8.ValidString(pw) {
		return ErrInvalid
	}
	return nil
}

// Hash returns an argon2id PHC string,
// $argon2id$v=19$m=19456,t=2,p=1$<b64 salt>$<b64 key>, base64 without
// padding as the PHC spec requires. Passwords longer than MaxLength code
// points, or not valid UTF-8, return ErrTooLong or ErrInvalid without hashing.
func (h *Hasher) Hash(pw string) (string, error) {
	if err := checkInput(pw); err != nil {
		return "", err
	}
	p := h.params()
	if err := p.validate(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(h.rand(), salt); err != nil {
		return "", fmt.Errorf("password: reading salt: %w", err)
	}
	key, err := h.derive(pw, salt, p)
	if err != nil {
		return "", err
	}
	return encodePHC(p, salt, key), nil
}

// Verify checks pw against a stored hash. secretVersion is the user's
// password_secret_version (0 = absent). ok reports a match; rehash reports
// that the stored hash is not argon2id with h.Params (a legacy uni-id format,
// or other argon2 parameters), so the caller should store Hash(pw) after a
// successful check. Unknown or malformed formats, and legacy hashes no
// configured secret fits, return ok=false and a non-nil error. Keys and
// digests are compared in constant time.
func (h *Hasher) Verify(pw, stored string, secretVersion int) (ok, rehash bool, err error) {
	if err := checkInput(pw); err != nil {
		return false, false, err
	}
	switch {
	case strings.HasPrefix(stored, "$argon2id$"):
		return h.verifyArgon2(pw, stored)
	case strings.HasPrefix(stored, sha256Prefix):
		ok, err = verifySHA256(pw, stored)
	case isSHA1Hex(stored):
		ok, err = h.verifySHA1(pw, stored, secretVersion)
	default:
		return false, false, fmt.Errorf("%w: unrecognised format", ErrFormat)
	}
	// A legacy hash always wants replacing, but only once the password is
	// known to be right.
	return ok, ok, err
}

// verifyArgon2 checks an argon2id PHC string and asks for a rehash when its
// parameters differ from the Hasher's.
func (h *Hasher) verifyArgon2(pw, stored string) (ok, rehash bool, err error) {
	p, salt, key, err := parsePHC(stored)
	if err != nil {
		return false, false, err
	}
	got, err := h.derive(pw, salt, p)
	if err != nil {
		return false, false, err
	}
	if !keysEqual(got, key) {
		return false, false, nil
	}
	return true, p != h.params(), nil
}

// Dummy spends the same time as verifying a real argon2id hash with h.Params,
// so an unknown account costs what a wrong password costs. Like Verify it
// returns at once for input Verify would reject before hashing. Its only
// error is ErrBusy.
func (h *Hasher) Dummy(pw string) error {
	if checkInput(pw) != nil {
		return nil
	}
	p := h.params()
	if p.validate() != nil {
		return nil
	}
	// The salt's content does not change the cost; only its length could.
	salt := make([]byte, p.SaltLen)
	key, err := h.derive(pw, salt, p)
	if err != nil {
		return err
	}
	_ = keysEqual(key, salt)
	return nil
}
