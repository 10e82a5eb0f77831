package account

import "testing"

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
