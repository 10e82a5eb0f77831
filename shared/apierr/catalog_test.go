package apierr

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeListsEveryCode keeps the README's error table in step with the
// catalogue.
func TestReadmeListsEveryCode(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
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
