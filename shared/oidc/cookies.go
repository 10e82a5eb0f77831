package oidc

import (
	"net/http"
	"strings"
	"time"
)

// secure reports whether the issuer is https: then the cookies are
// Secure and carry the __Host- prefix (one host, path /, no Domain). The
// dev server's plain-http issuer gets plain names.
func (h *Handler) secure() bool { return strings.HasPrefix(h.issuer(), "https://") }

// cookieName returns the name of the browser ("browser": binds
// transactions and forms to it) or single sign-on ("sso": the session's
// token) cookie.
func (h *Handler) cookieName(kind string) string {
	if h.secure() {
		return "__Host-idco_" + kind
	}
	return "idco_" + kind
}

func (h *Handler) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: h.secure(), SameSite: http.SameSiteLaxMode}
}

// browser returns the browser cookie's value, setting a new one if there
// is none. It names the browser (as the pages' deviceId, digested) and
// keys its forms' CSRF tokens.
func (h *Handler) browser(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(h.cookieName("browser")); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		return c.Value
	}
	v := randomID()
	http.SetCookie(w, h.cookie(h.cookieName("browser"), v, 365*24*3600))
	// A cookie set in this response is read by the rest of this request.
	r.AddCookie(&http.Cookie{Name: h.cookieName("browser"), Value: v})
	return v
}

// csrf is the forms' token: bound to the browser cookie, which a
// cross-site form neither knows nor (SameSite=Lax) sends with a POST.
func csrf(browser string) string { return digest("idco csrf " + browser) }

// setSSO keeps the single sign-on session's token until it expires
// (expiredMs, milliseconds).
func (h *Handler) setSSO(w http.ResponseWriter, token string, expiredMs int64) {
	age := int(time.UnixMilli(expiredMs).Sub(h.now()) / time.Second)
	http.SetCookie(w, h.cookie(h.cookieName("sso"), token, max(age, 1)))
}

func (h *Handler) clearSSO(w http.ResponseWriter) {
	http.SetCookie(w, h.cookie(h.cookieName("sso"), "", -1))
}
