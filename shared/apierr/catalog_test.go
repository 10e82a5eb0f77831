package apierr

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update-readme", false, "rewrite the README's error table from the catalogue")

// TestReadmeListsEveryCode keeps the README's error table in step with the
// catalogue; `go test ./shared/apierr -update-readme` rewrites it.
func TestReadmeListsEveryCode(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		readme = rewriteTable(t, readme)
		if err := os.WriteFile("../../README.md", readme, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for code, e := range Catalog {
		row := "| `" + code + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README's error table lacks %s", code)
		}
		if e.ZhHans == "" || e.En == "" || e.Status < 400 {
			t.Errorf("%s: incomplete entry %+v", code, e)
		}
	}
}

func TestMessage(t *testing.T) {
	cases := []struct {
		err          *Error
		locale, want string
	}{
		{Param(ParamRequired, "mobile"), "zh-Hans", "缺少参数: mobile"},
		{Param(ParamRequired, "mobile"), "en", "Parameter required: mobile"},
		{Param(InvalidParam, "clientInfo.deviceId"), "zh-Hans", "参数错误: clientInfo.deviceId"},
		{Param(InvalidParam, "password"), "en", "Invalid parameter: password"},
		{New(InvalidParam), "en", "Invalid parameter"},
		{New(PasswordError), "en-US", "Password error"},
		{New(PasswordError), "fr", "密码错误"},
		{&Error{Code: AdminExists, MsgKey: AdminExistsInOtherApps}, "en", "Administrator is registered in other consoles"},
		{New("no-such-code"), "en", "System error"},
	}
	for _, tc := range cases {
		if got := tc.err.Message(tc.locale); got != tc.want {
			t.Errorf("%s in %s = %q, want %q", tc.err.Code, tc.locale, got, tc.want)
		}
	}
	if got := As(os.ErrNotExist); got.Code != SystemError || Status(got.Code) != 500 {
		t.Errorf("As(plain error) = %v", got)
	}
}

// rewriteTable replaces the text between the codes markers with the table.
func rewriteTable(t *testing.T, readme []byte) []byte {
	const open, end = "<!-- codes -->\n", "\n<!-- /codes -->"
	s := string(readme)
	i, j := strings.Index(s, open), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatal("README has no <!-- codes --> section")
	}
	codes := make([]string, 0, len(Catalog))
	for c := range Catalog {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var b strings.Builder
	b.WriteString("| errCode | HTTP | zh-Hans | en |\n|---|---|---|---|")
	for _, c := range codes {
		e := Catalog[c]
		fmt.Fprintf(&b, "\n| `%s` | %d | %s | %s |", c, e.Status, e.ZhHans, e.En)
	}
	return []byte(s[:i+len(open)] + b.String() + s[j:])
}
