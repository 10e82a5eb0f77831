package oidc

import (
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
)

// page is what a hosted page shows.
type page struct {
	Kind    string // login, consent, logout, message
	Lang    string
	T       map[string]string
	Txn     string
	CSRF    string
	Client  *account.OAuthClient
	Scopes  []string // their texts
	Error   string
	Message string
	// Step is the login form's: "" (choose), password-captcha,
	// sms-captcha, sms-code, email-captcha, email-code.
	Step    string
	Account string
	Mobile  string
	Email   string
	Captcha template.URL
	// Types are the app's login types on the web (which forms show);
	// Buttons its web OAuth providers.
	Types   map[string]bool
	Buttons []button
	// Logout's hidden fields.
	ClientID, PostLogout, State string
}

// render writes a page with headers that keep it out of frames and caches
// and allow no script at all: the pages work without JavaScript.
func (h *Handler) render(w http.ResponseWriter, status int, p *page) {
	if p.T == nil {
		p.T = texts[p.Lang]
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", "default-src 'none'; img-src data: https:; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTemplate().Execute(w, p)
}

// errorPage shows err's message where the app cannot be told (a bad client
// or redirect URI, an expired transaction).
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, err error) {
	lang := pickLocale("", r)
	msg := apierr.Lookup(apierr.SystemError, lang)
	if e, ok := err.(*apierr.Error); ok {
		msg = e.Message(lang)
	}
	h.render(w, status, &page{Kind: "message", Lang: lang, Error: msg})
}

// pickLocale chooses zh-Hans or en: the first of ui_locales, else of
// Accept-Language (in the browser's order of preference), that is one of
// them; zh-Hans by default, as uni-id.
func pickLocale(uiLocales string, r *http.Request) string {
	tags := strings.Fields(uiLocales)
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tags = append(tags, tag)
	}
	for _, l := range tags {
		switch l = strings.ToLower(l); {
		case strings.HasPrefix(l, "en"):
			return "en"
		case strings.HasPrefix(l, "zh"):
			return "zh-Hans"
		}
	}
	return "zh-Hans"
}

// result is a page method's envelope.
type result struct {
	ErrCode  any    `json:"errCode"`
	ErrMsg   string `json:"errMsg"`
	NewToken *struct {
		Token        string `json:"token"`
		TokenExpired int64  `json:"tokenExpired"`
	} `json:"newToken"`
	CaptchaBase64      string                  `json:"captchaBase64"`
	BindTicket         string                  `json:"bindTicket"`
	SupportedLoginType []string                `json:"supportedLoginType"`
	Providers          []account.OAuthProvider `json:"providers"`
}

func (r *result) ok() bool { return r.ErrCode == float64(0) }

func (r *result) code() string { s, _ := r.ErrCode.(string); return s }

// call runs one of the pages' methods as the client's app's web platform,
// from this browser (its cookie's digest is the deviceId) and this
// connection's address.
func (h *Handler) call(r *http.Request, cl *account.OAuthClient, lang, method string, params map[string]any, token string) *result {
	body, _ := json.Marshal(map[string]any{"method": method, "params": params, "uniIdToken": token,
		"clientInfo": map[string]any{"appId": cl.AppID, "uniPlatform": "web", "locale": lang,
			"deviceId": "sso-" + digest(h.browserValue(r))}})
	out := h.Pages.Serve(r.Context(), cloudobj.Input{Body: body, PathMethod: method, HTTP: true, HTTPMethod: http.MethodPost,
		ContentType: "application/json", SourceIP: sourceIP(r), UserAgent: r.UserAgent()})
	var res result
	if json.Unmarshal(out.Body, &res) != nil {
		res.ErrCode, res.ErrMsg = apierr.SystemError, apierr.Lookup(apierr.SystemError, lang)
	}
	return &res
}

func (h *Handler) browserValue(r *http.Request) string {
	if c, err := r.Cookie(h.cookieName("browser")); err == nil {
		return c.Value
	}
	return ""
}

// formTxn reads a page's form: the transaction it belongs to, if this
// browser started it and the CSRF token is this browser's.
func (h *Handler) formTxn(w http.ResponseWriter, r *http.Request) (string, *txn, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, apierr.New(apierr.InvalidParam))
		return "", nil, false
	}
	id := r.PostForm.Get("txn")
	t, ok := h.loadTxn(r, id)
	if !ok || r.PostForm.Get("csrf") != csrf(h.browserValue(r)) {
		h.errorPage(w, r, http.StatusBadRequest, apierr.New(apierr.OAuthRequestExpired))
		return "", nil, false
	}
	return id, t, true
}

// txnPage reads a page's transaction from the query.
func (h *Handler) txnPage(w http.ResponseWriter, r *http.Request) (string, *txn, *account.OAuthClient, bool) {
	id := r.URL.Query().Get("txn")
	t, ok := h.loadTxn(r, id)
	if !ok {
		h.errorPage(w, r, http.StatusBadRequest, apierr.New(apierr.OAuthRequestExpired))
		return "", nil, nil, false
	}
	cl, err := h.Svc.Client(r.Context(), t.Req.ClientID)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err)
		return "", nil, nil, false
	}
	return id, t, cl, true
}

// scopeTexts are the consent screen's lines for scopes, in
// account.OAuthScopes' order (who you are first).
func scopeTexts(lang string, scopes []string) []string {
	var out []string
	for _, sc := range account.OAuthScopes {
		if slices.Contains(scopes, sc) {
			out = append(out, account.ScopeText(sc, lang))
		}
	}
	return out
}
