package account

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/internal/lazyre"
)

// missing reports uni-id's "missing": empty or whitespace only (absent and
// null decode to "").
func missing(v string) bool { return strings.TrimSpace(v) == "" }

// required returns uni-id-param-required for the first missing value among
// name, value pairs, in schema order.
func required(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if missing(pairs[i+1]) {
			return apierr.Param(apierr.ParamRequired, pairs[i])
		}
	}
	return nil
}

var usernameRE = lazyre.New(`^[a-zA-Z0-9_-]{3,32}$`)
var allDigits = lazyre.New(`^[0-9]+$`)

// validUsername applies uni-id's username rule (letters, digits, _ and -,
// not all digits) with uni-id-pages' 3 to 32 length.
func validUsername(u string) error {
	if !usernameRE.MatchString(u) || allDigits.MatchString(u) {
		return apierr.New(apierr.InvalidUsername)
	}
	return nil
}

// validNickname applies uni-id's nickname rule: no @, not all digits, at most
// 100 characters, no zero-width characters.
func validNickname(n string) error {
	if n == "" {
		return nil
	}
	if strings.Contains(n, "@") || allDigits.MatchString(n) || utf8.RuneCountInString(n) > 100 ||
		strings.ContainsAny(n, "\u200b\u200c\u200d\ufeff\u2060") {
		return apierr.New(apierr.InvalidNickname)
	}
	return nil
}

// validEmail accepts one plain address as people have them: an addr-spec
// (RFC 5322, UTF-8 allowed as RFC 6532) with no display name, comment,
// quoting, list or whitespace, so exactly one @; a local part of at most 64
// octets and at most 254 in all (RFC 5321); and a domain name (validDomain).
// So `a@x,b@y`, `Name <b@y>` and `a@b@c` are refused, while plus-addressing,
// subdomains and internationalised domains, in punycode or in Unicode, pass
// (uni-id-pages' own form check asks for no more than something@something.something).
func validEmail(e string) error {
	if len(e) > 254 || strings.Count(e, "@") != 1 {
		return apierr.New(apierr.InvalidEmail)
	}
	addr, err := mail.ParseAddress(e)
	local, domain, _ := strings.Cut(e, "@")
	if err != nil || addr.Name != "" || addr.Address != e || len(local) > 64 || !validDomain(domain) {
		return apierr.New(apierr.InvalidEmail)
	}
	return nil
}

// validDomain accepts a host name of two or more dot-separated labels of 1
// to 63 octets, each letters (of any script), digits, marks and inner
// hyphens, the last not all digits: no IP literal, no empty label, no
// punctuation that IDNA would map to a dot.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(d) > 253 || len(labels) < 2 || allDigits.MatchString(labels[len(labels)-1]) {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
				return false
			}
		}
	}
	return true
}

var inviteRE = lazyre.New(`^[A-Za-z0-9]{1,64}$`)

// validInviteCode checks the optional inviteCode is a plausible code; invites
// themselves come with the invite methods.
func validInviteCode(code string) error {
	if code != "" && !inviteRE.MatchString(code) {
		return apierr.New(apierr.InvalidInviteCode)
	}
	return nil
}

// Unique key kinds. Keys are lowercased where uni-id compares
// case-insensitively.
func usernameKey(u string) string  { return "username:" + strings.ToLower(u) }
func mobileKey(e164 string) string { return "mobile:" + e164 }
func emailKey(e string) string     { return "email:" + strings.ToLower(e) }

// adminKey is claimed by registerAdmin, so only one first admin is created
// however many registrations race.
const adminKey = "role:admin"

// keysOf returns the unique keys a user's fields claim.
func (s *Service) keysOf(u *User) []string {
	var keys []string
	if u.Username != "" {
		keys = append(keys, usernameKey(u.Username))
	}
	if u.Mobile != "" && u.MobileConfirmed == 1 {
		keys = append(keys, mobileKey(e164Of(u.Mobile)))
	}
	if u.Email != "" && u.EmailConfirmed == 1 {
		keys = append(keys, emailKey(u.Email))
	}
	if ra := u.RealNameAuth; ra != nil && ra.AuthStatus == RealNameCertified && ra.IdentityDigest != "" {
		keys = append(keys, idCardKey(ra.IdentityDigest, ra.IdentitySlot))
	}
	keys = append(keys, inviteKeys(u)...)
	if ext := externalUID(u); ext != "" {
		keys = append(keys, externalKey(ext))
	}
	for _, t := range u.AccessTokens {
		keys = append(keys, patKey(t.Digest))
	}
	return append(keys, s.identityKeys(u)...)
}
