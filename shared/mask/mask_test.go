package mask

import "testing"

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"13812345678": "138****5678", "+8613812345678": "+86****5678", "123": "***", "": ""} {
		if got := Mobile(in); got != want {
			t.Errorf("Mobile(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"alice@example.com": "a***@example.com", "a@b": "a***@b", "nope": "***", "@x": "***"} {
		if got := Email(in); got != want {
			t.Errorf("Email(%q) = %q, want %q", in, got, want)
		}
	}
}
