// Package mask hides most of a phone number or an email address, so logs can
// tell requests apart without holding personal data.
package mask

import "strings"

// Mobile returns a phone number with all but its first 3 and last 4 digits
// hidden: 13812345678 becomes 138****5678. Short values are fully hidden.
func Mobile(s string) string {
	if len(s) < 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:3] + "****" + s[len(s)-4:]
}

// Email returns an address with its local part reduced to the first
// character: alice@example.com becomes a***@example.com.
func Email(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return "***"
	}
	return s[:1] + "***" + s[at:]
}
