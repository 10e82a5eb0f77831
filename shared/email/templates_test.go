package email

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func renderData() map[string]string {
	return map[string]string{"code": code, "minutes": "5", "appName": "Band", "email": recipient}
}

func TestDefaultTemplatesRenderEveryScene(t *testing.T) {
	tpls := DefaultTemplates()
	scenes := slices.Sorted(maps.Keys(tpls))
	want := []string{"bind-email", "email-changed", "login-by-email", "mobile-changed", "password-changed", "register", "reset-pwd-by-email", "welcome"}
	if !slices.Equal(scenes, want) {
		t.Fatalf("scenes = %q, want %q", scenes, want)
	}
	dontShare := map[string]string{"zh-Hans": "请勿将验证码告诉任何人", "en": "Do not share it"}
	for _, scene := range scenes {
		if got := slices.Sorted(maps.Keys(tpls[scene])); !slices.Equal(got, []string{"en", "zh-Hans"}) {
			t.Errorf("%s: locales = %q, want en and zh-Hans", scene, got)
		}
		for _, locale := range []string{"zh-Hans", "en"} {
			m, err := tpls.Render(scene, locale, renderData())
			if err != nil {
				t.Fatalf("%s/%s: %v", scene, locale, err)
			}
			name := scene + "/" + locale
			if m.To != "" || !strings.Contains(m.Subject, "Band") || strings.Contains(m.Subject, code) {
				t.Errorf("%s: To %q, Subject %q: want no To, the app name and no code", name, m.To, m.Subject)
			}
			for part, body := range map[string]string{"Text": m.Text, "HTML": m.HTML} {
				if strings.ContainsAny(body, "{}") {
					t.Errorf("%s %s has an unfilled placeholder: %s", name, part, body)
				}
				if strings.HasSuffix(scene, "-changed") { // a security notice: no code
					if strings.Contains(body, code) || !strings.Contains(body, "Band") {
						t.Errorf("%s %s = %q, want the app name and no code", name, part, body)
					}
					continue
				}
				if scene == "welcome" {
					if !strings.Contains(body, recipient) || strings.Contains(body, code) {
						t.Errorf("%s %s = %q, want the address and no code", name, part, body)
					}
					continue
				}
				for _, s := range []string{code, "5", dontShare[locale]} {
					if !strings.Contains(body, s) {
						t.Errorf("%s %s lacks %q: %s", name, part, s, body)
					}
				}
			}
			if !strings.HasPrefix(m.HTML, `<!DOCTYPE html><html lang="`+locale+`">`) {
				t.Errorf("%s: HTML starts %.50q", name, m.HTML)
			}
		}
	}
}

func TestResetSaysIgnoreIfNotRequested(t *testing.T) {
	tests := []struct{ locale, want string }{
		{"zh-Hans", "如果您没有申请重置密码，请忽略本邮件"},
		{"en", "If you did not ask to reset your password, ignore this email"},
	}
	for i, tc := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			m, _ := DefaultTemplates().Render("reset-pwd-by-email", tc.locale, renderData())
			if !strings.Contains(m.Text, tc.want) || !strings.Contains(m.HTML, tc.want) {
				t.Errorf("%s: reset email lacks %q:\n%s", tc.locale, tc.want, m.Text)
			}
		})
	}
}

func TestRenderLocaleFallback(t *testing.T) {
	tests := []struct{ locale, wantSubject string }{
		{"en", "Your Band sign-in code"},
		{"en-US", "Your Band sign-in code"},
		{"EN_gb", "Your Band sign-in code"},
		{"zh-Hans", "Band 登录验证码"},
		{"zh-CN", "Band 登录验证码"},
		{"zh-Hant", "Band 登录验证码"},
		{"ja", "Band 登录验证码"},
		{"", "Band 登录验证码"},
	}
	for i, tc := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			m, err := DefaultTemplates().Render("login-by-email", tc.locale, renderData())
			if err != nil || m.Subject != tc.wantSubject {
				t.Errorf("Render(%q) = %q, %v, want %q", tc.locale, m.Subject, err, tc.wantSubject)
			}
		})
	}
}

func TestRenderFallsBackWhenOnlyOtherLocalesExist(t *testing.T) {
	tpls := Templates{"x": {"en": {Subject: "en"}, "fr": {Subject: "fr"}}, "y": {"fr": {Subject: "fr"}, "de": {Subject: "de"}}}
	tests := []struct{ scene, locale, want string }{
		{"x", "zh-Hans", "en"},
		{"x", "fr-CA", "fr"},
		{"y", "en", "de"},
	}
	for i, tc := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			if m, _ := tpls.Render(tc.scene, tc.locale, nil); m.Subject != tc.want {
				t.Errorf("Render(%s, %s) picked %q, want %q", tc.scene, tc.locale, m.Subject, tc.want)
			}
		})
	}
}

func TestRenderUnknownScene(t *testing.T) {
	_, err := DefaultTemplates().Render("unbind-email", "en", renderData())
	if !errors.Is(err, ErrUnknownScene) {
		t.Errorf("err = %v, want ErrUnknownScene", err)
	}
}

func TestRenderEscapesHostileValues(t *testing.T) {
	data := renderData()
	data["appName"] = `<script>alert("x")</script> & {code}` + "\r\nBcc: evil@example.com"
	m, err := DefaultTemplates().Render("register", "en", data)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; {code}") {
		t.Errorf("HTML does not escape the app name: %s", m.HTML)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Errorf("Subject %q spans lines", m.Subject)
	}
	// A value is inserted once: "{code}" in the app name stays literal.
	if !strings.Contains(m.Text, `<script>alert("x")</script> & {code}`) {
		t.Errorf("Text = %q, want the app name as given", m.Text)
	}
}

func TestMerge(t *testing.T) {
	base := DefaultTemplates()
	var over Templates
	err := json.Unmarshal([]byte(`{
		"register": {"en": {"subject": "Join {appName}"}},
		"login-by-email": {"en": {"text": "Code: {code}"}},
		"welcome": {"ja": {"subject": "ようこそ", "text": "{appName} へようこそ"}},
		"invite": {"en": {"subject": "Invited", "text": "Join us", "html": "<p>Join us</p>"}}
	}`), &over)
	if err != nil {
		t.Fatal(err)
	}
	got := base.Merge(over)
	def := DefaultTemplates()
	tests := []struct {
		name      string
		got, want Template
	}{
		{"subject only", got["register"]["en"], Template{"Join {appName}", def["register"]["en"].Text, def["register"]["en"].HTML}},
		{"text drops html", got["login-by-email"]["en"], Template{def["login-by-email"]["en"].Subject, "Code: {code}", ""}},
		{"untouched locale", got["login-by-email"]["zh-Hans"], def["login-by-email"]["zh-Hans"]},
		{"new locale", got["welcome"]["ja"], Template{"ようこそ", "{appName} へようこそ", ""}},
		{"new scene", got["invite"]["en"], Template{"Invited", "Join us", "<p>Join us</p>"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("%s: got %+v, want %+v", tc.name, tc.got, tc.want)
			}
		})
	}
	if !reflect.DeepEqual(base, def) {
		t.Error("Merge changed the receiver")
	}
	if m, _ := got.Render("welcome", "ja-JP", renderData()); m.Text != "Band へようこそ" {
		t.Errorf("merged ja welcome = %q", m.Text)
	}
}
