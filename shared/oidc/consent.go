package oidc

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/idco-dev/idco/shared/apierr"
)

// consentPage asks the signed-in user to authorise the app: its name,
// logo, website and what the scopes let it read.
func (h *Handler) consentPage(w http.ResponseWriter, r *http.Request) {
	id, t, cl, ok := h.txnPage(w, r)
	if !ok {
		return
	}
	if _, _, ok := h.ssoUser(w, r, cl); !ok {
		http.Redirect(w, r, "/oauth2/login?txn="+id, http.StatusSeeOther)
		return
	}
	h.render(w, http.StatusOK, &page{Kind: "consent", Lang: t.Locale, Txn: id, CSRF: csrf(h.browserValue(r)), Client: cl,
		Scopes: scopeTexts(t.Locale, t.Scopes)})
}

// consentSubmit records the user's answer: allow grants the scopes and
// finishes the request, deny sends access_denied to the app.
func (h *Handler) consentSubmit(w http.ResponseWriter, r *http.Request) {
	id, t, ok := h.formTxn(w, r)
	if !ok {
		return
	}
	cl, err := h.Svc.Client(r.Context(), t.Req.ClientID)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err)
		return
	}
	u, authAt, ok := h.ssoUser(w, r, cl)
	if !ok {
		http.Redirect(w, r, "/oauth2/login?txn="+id, http.StatusSeeOther)
		return
	}
	if r.PostForm.Get("decision") != "allow" {
		_, _ = h.Svc.Cache.CacheTake(r.Context(), txnKey(id), h.now())
		h.redirectError(w, r, t, "access_denied")
		return
	}
	if err := h.Svc.Consent(r.Context(), u, cl.ID, t.Scopes); err != nil {
		h.errorPage(w, r, http.StatusServiceUnavailable, err)
		return
	}
	h.finish(w, r, id, t, cl, u.UID, authAt)
}

// logoutPage is RP-initiated logout's confirmation (OpenID Connect
// RP-Initiated Logout 1.0): a GET never ends a session by itself, so a
// link or image elsewhere cannot log the user out.
func (h *Handler) logoutPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	clientID := q.Get("client_id")
	if clientID == "" {
		clientID = hintAudience(q.Get("id_token_hint"))
	}
	lang := pickLocale(q.Get("ui_locales"), r)
	h.render(w, http.StatusOK, &page{Kind: "logout", Lang: lang, CSRF: csrf(h.browser(w, r)),
		ClientID: clientID, PostLogout: q.Get("post_logout_redirect_uri"), State: q.Get("state")})
}

// hintAudience is the client an ID token was for. The token is not
// verified: it only picks whose registered logout URIs may be used.
func hintAudience(tok string) string {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
		return ""
	}
	aud, _ := claims.GetAudience()
	if len(aud) != 1 {
		return ""
	}
	return aud[0]
}

// logoutSubmit ends the single sign-on session and sends the browser to
// the app's registered post-logout URI, if it named one.
func (h *Handler) logoutSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("csrf") != csrf(h.browserValue(r)) || h.browserValue(r) == "" {
		h.errorPage(w, r, http.StatusBadRequest, apierr.New(apierr.IllegalRequest))
		return
	}
	f := r.PostForm
	lang := pickLocale("", r)
	var target string
	if id, uri := f.Get("client_id"), f.Get("post_logout_redirect_uri"); id != "" && uri != "" {
		if cl, err := h.Svc.Client(r.Context(), id); err == nil && slices.Contains(cl.PostLogoutRedirectURIs, uri) {
			target = uri
		}
	}
	h.endAnySSO(r, lang)
	h.clearSSO(w)
	if target != "" {
		v := url.Values{}
		if st := f.Get("state"); st != "" {
			v.Set("state", st)
		}
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		if len(v) > 0 {
			target += sep + v.Encode()
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	h.render(w, http.StatusOK, &page{Kind: "message", Lang: lang, Message: texts[lang]["logged_out"]})
}

// endAnySSO ends the SSO session's token whatever app it belongs to: the
// logout method is run as each registered app's until one accepts it.
func (h *Handler) endAnySSO(r *http.Request, lang string) {
	ck, err := r.Cookie(h.cookieName("sso"))
	if err != nil || ck.Value == "" {
		return
	}
	cat, err := h.Svc.Clients.ClientCatalog(r.Context())
	if err != nil {
		return
	}
	seen := map[string]bool{}
	for _, cl := range cat.Clients {
		if seen[cl.AppID] {
			continue
		}
		seen[cl.AppID] = true
		if h.call(r, &cl, lang, "logout", map[string]any{}, ck.Value).ok() {
			return
		}
	}
}
