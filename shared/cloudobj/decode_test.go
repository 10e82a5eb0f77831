package cloudobj

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/idco-dev/idco/shared/apierr"
)

// TestClientInfoCaps: every clientInfo string idco keeps is bounded; the
// ones naming something are refused past their cap (naming the field), the
// descriptive ones are cut at a character boundary.
func TestClientInfoCaps(t *testing.T) {
	for _, c := range clientCaps {
		t.Run(c.name, func(t *testing.T) {
			at := `{"` + c.name + `":"` + strings.Repeat("x", c.max) + `"}`
			ci, err := parseClientInfo([]byte(at))
			if err != nil || len(*c.field(&ci)) != c.max {
				t.Fatalf("%d bytes: %v, %d kept", c.max, err, len(*c.field(&ci)))
			}
			over := `{"` + c.name + `":"` + strings.Repeat("é", c.max) + `"}` // 2 bytes each
			ci, err = parseClientInfo([]byte(over))
			if c.refuse {
				e, ok := err.(*apierr.Error)
				if !ok || e.Code != apierr.InvalidParam || e.Message("en") != "Invalid parameter: clientInfo."+c.name {
					t.Fatalf("%d bytes: %v, want refused naming the field", 2*c.max, err)
				}
				return
			}
			got := *c.field(&ci)
			if err != nil || len(got) != c.max || !utf8.ValidString(got) {
				t.Fatalf("%d bytes: %v, kept %d bytes (valid UTF-8 %v), want cut to %d", 2*c.max, err, len(got), utf8.ValidString(got), c.max)
			}
		})
	}
	if ci, err := parseClientInfo([]byte(`{"userAgent":"` + strings.Repeat("a", 3) + "é" + strings.Repeat("a", 509) + `"}`)); err != nil || len(ci.UserAgent) != 512 {
		t.Fatalf("a cut at a character boundary: %v, %d bytes", err, len(ci.UserAgent))
	}
}

// TestFieldName: a decoding failure names the field as a client knows it,
// never text the client chose that is not a plain name.
func TestFieldName(t *testing.T) {
	for _, tc := range []struct {
		tokens []string
		want   string
	}{
		{[]string{"params", "password"}, "password"},
		{[]string{"params", "0", "password"}, "password"},
		{[]string{"params", "role", "1"}, "role.1"},
		{[]string{"params"}, "params"},
		{[]string{"params", "0"}, "params"},
		{[]string{"params", "<script>"}, "params"},
		{[]string{"params", "user", "na me"}, "user"},
		{[]string{"params", strings.Repeat("a", 65)}, "params"},
		{[]string{"params", "名字"}, "params"},
		{[]string{"clientInfo", "deviceId"}, "clientInfo.deviceId"},
		{[]string{"method"}, "method"},
		{nil, ""},
	} {
		if got := fieldName(tc.tokens); got != tc.want {
			t.Errorf("fieldName(%q) = %q, want %q", tc.tokens, got, tc.want)
		}
	}
}
