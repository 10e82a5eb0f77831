package password

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// uni-id's error codes for a password that fails its strength rule.
const (
	codeInvalid = "uni-id-invalid-password"
	codeSuper   = "uni-id-invalid-password-super"
	codeStrong  = "uni-id-invalid-password-strong"
	codeMedium  = "uni-id-invalid-password-medium"
	codeWeak    = "uni-id-invalid-password-weak"
)

// specials are the symbols uni-id's passwordStrength regexes allow and count
// as "special characters"; any other symbol fails every named level.
const specials = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/"

// minLength is idco's own minimum when no passwordStrength is configured.
const minLength = 8

// ValidLevel reports whether level is a passwordStrength value Check knows:
// "super", "strong", "medium", "weak", or "" for none configured.
func ValidLevel(level string) bool {
	switch level {
	case "", "super", "strong", "medium", "weak":
		return true
	}
	return false
}

// Check applies uni-id's passwordStrength rule named level and returns ""
// when pw is acceptable, otherwise the uni-id errCode string. Level ""
// applies idco's own rule: 8 to MaxLength code points of valid UTF-8 with no
// control characters, and no composition rules, so long passphrases in any
// script pass.
func Check(pw, level string) string {
	// Over-long input gets the generic code at every level, as Hash and
	// Verify would refuse it anyway; the byte test keeps this cheap.
	if len(pw) > maxBytes || utf8.RuneCountInString(pw) > MaxLength {
		return codeInvalid
	}
	c := classify(pw)
	switch level {
	case "":
		return failIf(!checkDefault(pw), codeInvalid)
	case "super":
		return failIf(c.other || !c.digit || !c.lower || !c.upper || !c.special || !c.lengthIn(8, 16), codeSuper)
	case "strong":
		return failIf(c.other || !c.digit || !c.letter() || !c.special || !c.lengthIn(8, 16), codeStrong)
	case "medium":
		return failIf(c.other || c.kinds() < 2 || !c.lengthIn(8, 16), codeMedium)
	case "weak":
		return failIf(c.other || !c.digit || !c.letter() || !c.lengthIn(6, 16), codeWeak)
	}
	return codeInvalid
}

// failIf returns code when bad holds, else "".
func failIf(bad bool, code string) string {
	if bad {
		return code
	}
	return ""
}

// checkDefault is idco's rule for level "": length counts code points, and
// control characters are refused because they are invisible, cannot be typed
// reliably, and NUL truncates in some clients.
func checkDefault(pw string) bool {
	if !utf8.ValidString(pw) {
		return false
	}
	n := 0
	for _, r := range pw {
		if unicode.IsControl(r) {
			return false
		}
		n++
	}
	return n >= minLength
}

// classes records which of uni-id's character classes a password uses.
type classes struct {
	digit, lower, upper, special bool
	other                        bool // anything outside uni-id's alphabet
	n                            int  // bytes, which equal characters when !other
}

// classify sorts each byte into uni-id's classes. Bytes suffice because the
// alphabet of every named level is ASCII: a multi-byte rune only ever sets
// other, which fails every named level.
func classify(pw string) classes {
	c := classes{n: len(pw)}
	for i := 0; i < len(pw); i++ {
		switch b := pw[i]; {
		case '0' <= b && b <= '9':
			c.digit = true
		case 'a' <= b && b <= 'z':
			c.lower = true
		case 'A' <= b && b <= 'Z':
			c.upper = true
		case strings.IndexByte(specials, b) >= 0:
			c.special = true
		default:
			c.other = true
		}
	}
	return c
}

func (c classes) letter() bool { return c.lower || c.upper }

func (c classes) lengthIn(lo, hi int) bool { return lo <= c.n && c.n <= hi }

// kinds counts uni-id's three medium classes: digits, letters, specials.
func (c classes) kinds() int {
	k := 0
	for _, has := range []bool{c.digit, c.letter(), c.special} {
		if has {
			k++
		}
	}
	return k
}
