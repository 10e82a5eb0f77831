package cloudobj

import "slices"

// The cloud objects idco serves: a uni-app client imports these by name,
// and a client adapter with one base URL reaches their methods as
// <base>/<object>/<method>.
const (
	UniIDCo      = "uni-id-co"
	UniCaptchaCo = "uni-captcha-co"
)

// ObjectOf returns the cloud object whose methods family serves.
func ObjectOf(family string) string {
	if o, ok := objects[family]; ok {
		return o
	}
	return UniIDCo
}

// FamilyOf returns the family that serves method, or "".
func FamilyOf(method string) string {
	for f, ms := range Families {
		if slices.Contains(ms, method) {
			return f
		}
	}
	return ""
}
