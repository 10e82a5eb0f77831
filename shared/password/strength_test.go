package password

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	const (
		inv    = "uni-id-invalid-password"
		super  = "uni-id-invalid-password-super"
		strong = "uni-id-invalid-password-strong"
		medium = "uni-id-invalid-password-medium"
		weak   = "uni-id-invalid-password-weak"
	)
	long := strings.Repeat("a", 129)
	for _, tc := range []struct {
		level, pw, want string
	}{
		{"super", "Aa1!aaaa", ""},
		{"super", "Aa1!aaaaaaaaaaaa", ""},     // 16
		{"super", "Aa1!aaaaaaaaaaaaa", super}, // 17
		{"super", "Aa1!aaa", super},           // 7
		{"super", "", super},
		{"super", "Aa!aaaaa", super}, // no digit
		{"super", "AA1!AAAA", super}, // no lowercase
		{"super", "aa1!aaaa", super}, // no uppercase
		{"super", "Aa1aaaaa", super}, // no special
		{"super", "Aa1! aaa", super}, // space is not special
		{"super", "Aa1!aaaé", super},
		{"super", long, inv},

		{"strong", "a1!aaaaa", ""},
		{"strong", "A1!AAAAA", ""},
		{"strong", "a1!aaaaaaaaaaaaa", ""},      // 16
		{"strong", "a1!aaaaaaaaaaaaaa", strong}, // 17
		{"strong", "a1!aaaa", strong},           // 7
		{"strong", "", strong},
		{"strong", "a!aaaaaa", strong}, // no digit
		{"strong", "12345!!!", strong}, // no letter
		{"strong", "a1aaaaaa", strong}, // no special
		{"strong", "a1!aaaa\t", strong},
		{"strong", long, inv},

		{"medium", "abcd1234", ""},
		{"medium", "abcd!!!!", ""},
		{"medium", "1234!!!!", ""},
		{"medium", "abcdefgh12345678", ""},      // 16
		{"medium", "abcdefgh123456789", medium}, // 17
		{"medium", "abc1234", medium},           // 7
		{"medium", "", medium},
		{"medium", "12345678", medium}, // digits only
		{"medium", "abcdefgh", medium}, // letters only
		{"medium", "!!!!!!!!", medium}, // specials only
		{"medium", "abcd 1234", medium},
		{"medium", long, inv},

		{"weak", "abc123", ""},
		{"weak", "abc12!", ""},
		{"weak", "abcdefgh12345678", ""},    // 16
		{"weak", "abcdefgh123456789", weak}, // 17
		{"weak", "abc12", weak},             // 5
		{"weak", "", weak},
		{"weak", "abcdef", weak}, // no digit
		{"weak", "123456", weak}, // no letter
		{"weak", "abc12 ", weak},
		{"weak", "密码abc123", weak},
		{"weak", long, inv},

		{"", "12345678", ""},
		{"", "correct horse", ""},
		{"", "密码密码密码密码", ""},
		{"", strings.Repeat("🔑", 64), ""},
		{"", strings.Repeat("a", 128), ""},
		{"", strings.Repeat("🔑", 128), ""},
		{"", long, inv},
		{"", strings.Repeat("🔑", 129), inv},
		{"", strings.Repeat("a", 1<<20), inv},
		{"", "1234567", inv},
		{"", "", inv},
		{"", "pass\x00word", inv},
		{"", "pass\tword", inv},
		{"", "pass\nword", inv},
		{"", "pass\x7fword", inv},
		{"", "pass\u0085word", inv},
		{"", "pass\xffword", inv},

		{"extreme", "Aa1!aaaa", inv},
		{"Super", "Aa1!aaaa", inv},
	} {
		if got := Check(tc.pw, tc.level); got != tc.want {
			t.Errorf("Check(%.20q, %q) = %q, want %q", tc.pw, tc.level, got, tc.want)
		}
	}
}

func TestCheckEverySpecial(t *testing.T) {
	for _, c := range "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/" {
		if got := Check("Aa1"+string(c)+"aaaa", "super"); got != "" {
			t.Errorf("Check with %q = %q, want \"\"", c, got)
		}
	}
	for _, c := range " \t\u00a0€·、" {
		if got, want := Check("Aa1!aaa"+string(c), "super"), "uni-id-invalid-password-super"; got != want {
			t.Errorf("Check with %q = %q, want %q", c, got, want)
		}
	}
}

func TestValidLevel(t *testing.T) {
	for _, tc := range []struct {
		level string
		want  bool
	}{
		{"", true}, {"super", true}, {"strong", true}, {"medium", true}, {"weak", true},
		{"extreme", false}, {"Super", false}, {" weak", false},
	} {
		if got := ValidLevel(tc.level); got != tc.want {
			t.Errorf("ValidLevel(%q) = %v, want %v", tc.level, got, tc.want)
		}
	}
}
