package password

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Bounds on argon2id parameters, for configured Params and for parameters
// read from a stored hash alike: a corrupt or hostile stored hash must not
// make one login allocate gigabytes or spin for minutes. The memory and time
// ceilings match the config's own limits on idco.argon2.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 10
	maxThreads   = 16
	minKeyLen    = 16
	maxKeyLen    = 128
	minSaltLen   = 8 // RFC 9106's minimum
	maxSaltLen   = 64
)

// validate reports Params argon2 would panic on or that fall outside the
// bounds above.
func (p Params) validate() error {
	switch {
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("%w: threads %d not in 1..%d", ErrFormat, p.Threads, maxThreads)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("%w: time %d not in 1..%d", ErrFormat, p.Time, maxTime)
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB:
		// argon2 needs at least 8 KiB per lane (RFC 9106 section 3.1).
		return fmt.Errorf("%w: memory %d KiB not in %d..%d", ErrFormat, p.MemoryKiB, 8*uint32(p.Threads), maxMemoryKiB)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("%w: key length %d not in %d..%d", ErrFormat, p.KeyLen, minKeyLen, maxKeyLen)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("%w: salt length %d not in %d..%d", ErrFormat, p.SaltLen, minSaltLen, maxSaltLen)
	}
	return nil
}

// deriveKey runs argon2id; p must have passed validate.
func deriveKey(pw string, salt []byte, p Params) []byte {
	return argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
}

// keysEqual compares derived keys in constant time.
func keysEqual(a, b []byte) bool {
	return subtle.ConstantTimeCompare(a, b) == 1
}

// b64 is the PHC string encoding: standard alphabet, no padding, and (on
// decoding) no stray bits after the last character.
func b64() *base64.Encoding { return base64.RawStdEncoding.Strict() }

// encodePHC formats a hash as a PHC string.
func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64().EncodeToString(salt), b64().EncodeToString(key))
}

// parsePHC reads $argon2id$v=19$m=M,t=T,p=P$salt$key. It accepts only the
// canonical form Hash writes (version 19, parameters in m,t,p order, no
// keyid or data) and returns Params whose KeyLen and SaltLen are the decoded
// lengths, so they can be compared with a Hasher's Params.
func parsePHC(s string) (Params, []byte, []byte, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, fmt.Errorf("%w: argon2id: want 5 fields", ErrFormat)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return Params{}, nil, nil, fmt.Errorf("%w: argon2id: unsupported version %q", ErrFormat, parts[2])
	}
	p, err := parseCost(parts[3])
	if err != nil {
		return Params{}, nil, nil, err
	}
	salt, err := b64().DecodeString(parts[4])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: argon2id salt: %v", ErrFormat, err)
	}
	key, err := b64().DecodeString(parts[5])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: argon2id key: %v", ErrFormat, err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.validate(); err != nil {
		return Params{}, nil, nil, err
	}
	return p, salt, key, nil
}

// parseCost reads "m=M,t=T,p=P". Numbers must be plain decimal (no sign, no
// leading zeros) so that each hash has exactly one spelling.
func parseCost(s string) (Params, error) {
	fields := strings.Split(s, ",")
	names := [3]string{"m=", "t=", "p="}
	var vals [3]uint64
	if len(fields) != len(names) {
		return Params{}, fmt.Errorf("%w: argon2id: want m,t,p", ErrFormat)
	}
	for i, f := range fields {
		digits, found := strings.CutPrefix(f, names[i])
		if !found || digits == "" || (len(digits) > 1 && digits[0] == '0') {
			return Params{}, fmt.Errorf("%w: argon2id: bad parameter %q", ErrFormat, f)
		}
		v, err := strconv.ParseUint(digits, 10, 32)
		if err != nil {
			return Params{}, fmt.Errorf("%w: argon2id: bad parameter %q", ErrFormat, f)
		}
		vals[i] = v
	}
	if vals[2] > maxThreads {
		// Checked here because Threads is a uint8 and would wrap.
		return Params{}, fmt.Errorf("%w: argon2id: threads %d not in 1..%d", ErrFormat, vals[2], maxThreads)
	}
	return Params{MemoryKiB: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2])}, nil
}
