package email

import (
	"errors"
	"fmt"
	"html"
	"sort"
	"strings"
)

// Template is one email in one locale. Subject, Text and HTML may hold the
// placeholders {code}, {minutes}, {appName} and {email}; the HTML is
// written already escaped, and values are escaped when filled in.
type Template struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
}

// Templates maps a scene ("register", "login-by-email",
// "reset-pwd-by-email", "bind-email", "welcome") to its templates by locale
// ("zh-Hans", "en").
type Templates map[string]map[string]Template

// DefaultLocale is the locale used when a request's locale has no template,
// as uni-id falls back to zh-Hans.
const DefaultLocale = "zh-Hans"

// ErrUnknownScene is returned by Render for a scene without templates.
var ErrUnknownScene = errors.New("email: no template for this scene")

// Render fills the scene's template for locale with data (placeholder name
// without braces -> value). Text gets values as they are, HTML gets them
// HTML-escaped, and the subject gets them on one line. A value is inserted
// once: placeholders inside values are not expanded. To is left empty.
func (t Templates) Render(scene, locale string, data map[string]string) (Message, error) {
	byLocale := t[scene]
	if len(byLocale) == 0 {
		return Message{}, fmt.Errorf("%w: %q", ErrUnknownScene, scene)
	}
	tpl := byLocale[pickLocale(locale, byLocale)]
	fill := func(s string, escape func(string) string) string {
		pairs := make([]string, 0, 2*len(data))
		for k, v := range data {
			pairs = append(pairs, "{"+k+"}", escape(v))
		}
		return strings.NewReplacer(pairs...).Replace(s)
	}
	oneLine := strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace
	return Message{
		Subject: fill(tpl.Subject, oneLine),
		Text:    fill(tpl.Text, func(s string) string { return s }),
		HTML:    fill(tpl.HTML, html.EscapeString),
	}, nil
}

// pickLocale chooses among the available locales: the requested one (case
// aside), zh-Hans for any Chinese, else one of the same language ("en" for
// "en-US"), else DefaultLocale, else "en", else the first by name.
func pickLocale(locale string, available map[string]Template) string {
	names := make([]string, 0, len(available))
	for n := range available {
		names = append(names, n)
	}
	sort.Strings(names)
	lang := func(s string) string {
		l, _, _ := strings.Cut(strings.ReplaceAll(s, "_", "-"), "-")
		return strings.ToLower(l)
	}
	for _, n := range names {
		if strings.EqualFold(n, strings.ReplaceAll(locale, "_", "-")) {
			return n
		}
	}
	want := lang(locale)
	if _, ok := available[DefaultLocale]; ok && want == "zh" {
		return DefaultLocale
	}
	for _, n := range names {
		if want != "" && lang(n) == want {
			return n
		}
	}
	for _, n := range []string{DefaultLocale, "en"} {
		if _, ok := available[n]; ok {
			return n
		}
	}
	return names[0]
}

// Merge returns t with the config's overrides applied, leaving t as it was.
// An override sets, per scene and locale, the fields it does not leave
// empty, and may add scenes and locales. An override that sets Text but not
// HTML drops the default HTML, so that an email never carries two
// different bodies (mail clients show the HTML one).
func (t Templates) Merge(over Templates) Templates {
	out := make(Templates, len(t)+len(over))
	for scene, byLocale := range t {
		out[scene] = make(map[string]Template, len(byLocale))
		for l, tpl := range byLocale {
			out[scene][l] = tpl
		}
	}
	for scene, byLocale := range over {
		if out[scene] == nil {
			out[scene] = make(map[string]Template, len(byLocale))
		}
		for l, o := range byLocale {
			cur := out[scene][l]
			if o.Subject != "" {
				cur.Subject = o.Subject
			}
			if o.Text != "" {
				cur.Text, cur.HTML = o.Text, ""
			}
			if o.HTML != "" {
				cur.HTML = o.HTML
			}
			out[scene][l] = cur
		}
	}
	return out
}
