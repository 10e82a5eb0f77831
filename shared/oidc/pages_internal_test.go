package oidc

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/account"
)

func TestPickLocale(t *testing.T) {
	for _, c := range []struct{ ui, accept, want string }{
		{"", "", "zh-Hans"},
		{"", "en-US,en;q=0.9", "en"},
		{"", "EN-GB", "en"},
		{"", "fr-FR,en;q=0.8", "en"},
		{"", "zh-TW,en;q=0.5", "zh-Hans"},
		{"", "fr-FR", "zh-Hans"},
		{"en", "zh-CN", "en"},
		{"de zh-Hans", "en", "zh-Hans"},
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Language", c.accept)
		if got := pickLocale(c.ui, r); got != c.want {
			t.Errorf("ui_locales %q, Accept-Language %q: %s, want %s", c.ui, c.accept, got, c.want)
		}
	}
}

func TestScopeTextsOrder(t *testing.T) {
	got := scopeTexts("en", []string{"email", "openid", "profile"})
	if len(got) != 3 || got[0] != account.ScopeText("openid", "en") || got[1] != account.ScopeText("profile", "en") {
		t.Errorf("scope texts %q: want who you are first, in OAuthScopes' order", got)
	}
}

func TestQRPage(t *testing.T) {
	h := &Handler{}
	for lang, want := range map[string]string{"en": "Scan this code with WeChat", "zh-CN": "请使用微信扫描"} {
		r := httptest.NewRequest(http.MethodGet, "/qr?t=abc", nil)
		r.Header.Set("Accept-Language", lang)
		w := httptest.NewRecorder()
		h.qrPage(w, r)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: %d %s", lang, w.Code, w.Body.String())
		}
	}
}
