package account

import (
	"strings"
	"testing"
)

func TestIPKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":                    "203.0.113.7",
		"2001:db8:1:2:3:4:5:6":           "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff:ffff:ff": "2001:db8:1:2::/64",
		"::ffff:203.0.113.7":             "::ffff:203.0.113.7",
		"not an ip":                      "not an ip",
	} {
		if got := ipKey(in); got != want {
			t.Errorf("ipKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestValidEmail: one plain address, as people have them; nothing that
// names several, a display name, or a host that is not a domain name.
func TestValidEmail(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	label63 := long(63)
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"alice@example.com", true},
		{"Alice.Smith@Example.COM", true},
		{"alice+tag@example.com", true},
		{"alice@mail.sub.example.co.uk", true},
		{"o'neil_x-y@example.com", true},
		{"a@xn--fsqu00a.xn--3lr804guic", true}, // punycode IDN
		{"用户@例子.广告", true},                     // the same in Unicode (RFC 6532)
		{"alice@müller.de", true},
		{"alice@ex-ample.com", true},
		{"alice@123.example.com", true},
		{long(64) + "@example.com", true},
		{long(65) + "@example.com", false},
		{long(64) + "@" + label63 + "." + label63 + "." + long(61), true},       // 254 octets
		{long(64) + "@" + label63 + "." + label63 + "." + long(62), false},      // 255
		{"a@" + label63 + "." + label63 + "." + label63 + "." + long(60), true}, // 254 octets
		{"a@" + long(64) + ".com", false},                                       // a label of 64
		{"", false},
		{"alice", false},
		{"@example.com", false},
		{"alice@", false},
		{"a@x,b@y.com", false},
		{"a@x.com,b@y.com", false},
		{"a@x.com;b@y.com", false},
		{"Name<b@y.com>", false},
		{"Name <b@y.com>", false},
		{"<b@y.com>", false},
		{"a@b@c.com", false},
		{`"a@b"@c.com`, false},
		{`"john doe"@example.com`, false},
		{"(comment)a@example.com", false},
		{"a@example.com (comment)", false},
		{" alice@example.com", false},
		{"alice@example.com ", false},
		{"alice @example.com", false},
		{"alice@example.com\n", false},
		{"ali\x00ce@example.com", false},
		{"alice@localhost", false},
		{"alice@example", false},
		{"alice@example.123", false},
		{"alice@[192.0.2.1]", false},
		{"alice@192.0.2.1", false},
		{"alice@example..com", false},
		{"alice@.example.com", false},
		{"alice@example.com.", false},
		{"alice@-example.com", false},
		{"alice@example-.com", false},
		{"alice@exa_mple.com", false},
		{"alice@example\uff0ecom", false}, // a fullwidth dot
		{"a..b@example.com", false},
		{".a@example.com", false},
		{"a.@example.com", false},
		{"\xffa@example.com", false},
	} {
		if err := validEmail(tc.in); (err == nil) != tc.ok {
			t.Errorf("validEmail(%q) = %v, want ok %v", tc.in, err, tc.ok)
		}
	}
}
