package oidc

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
)

// button is a third-party login on the login page.
type button struct {
	Provider, Name string
	Icon           template.URL
}

// loginChoices reads what the client's app offers on the web: the login
// types (getSupportedLoginType: the password, SMS and email forms, which
// idco.thirdPartyOnly turns off) and the web OAuth providers
// (getOAuthProviders), as the apps' own login pages would.
func (h *Handler) loginChoices(r *http.Request, cl *account.OAuthClient, p *page) {
	types := h.call(r, cl, p.Lang, "getSupportedLoginType", map[string]any{}, "")
	p.Types = map[string]bool{}
	for _, t := range types.SupportedLoginType {
		p.Types[t] = true
	}
	for _, pr := range h.providers(r, cl, p.Lang) {
		b := button{Provider: pr.Provider, Name: pr.Name}
		if strings.HasPrefix(pr.Icon, "data:image/") {
			b.Icon = template.URL(pr.Icon)
		}
		p.Buttons = append(p.Buttons, b)
	}
}

func (h *Handler) providers(r *http.Request, cl *account.OAuthClient, lang string) []account.OAuthProvider {
	return h.call(r, cl, lang, "getOAuthProviders", map[string]any{}, "").Providers
}

// extLogin is a web OAuth login in progress, kept under its state.
type extLogin struct {
	Txn      string `json:"txn"`
	Provider string `json:"provider"`
	Verifier string `json:"verifier,omitempty"`
	Browser  string `json:"browser"`
}

func extKey(state string) string { return "oauth-ext:" + state }

// providerStart sends the browser to a provider's authorization page, with
// a state bound to this browser and transaction and, where the provider
// takes it, a PKCE challenge. The callback is this issuer's, exactly.
func (h *Handler) providerStart(w http.ResponseWriter, r *http.Request) {
	id, t, cl, ok := h.txnPage(w, r)
	if !ok {
		return
	}
	name := r.PathValue("provider")
	var pr *account.OAuthProvider
	for _, p := range h.providers(r, cl, t.Locale) {
		if p.Provider == name {
			pr = &p
		}
	}
	if pr == nil {
		h.errorPage(w, r, http.StatusBadRequest, apierr.Param(apierr.InvalidParam, "provider"))
		return
	}
	ext := extLogin{Txn: id, Provider: name, Browser: t.Browser}
	st := account.OAuthStart{Provider: name, RedirectURI: h.issuer() + "/oauth2/callback/" + name, State: randomID()}
	if pr.PKCE {
		ext.Verifier = randomID() + randomID()
		sum := sha256.Sum256([]byte(ext.Verifier))
		st.CodeChallenge = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	c := &cloudobj.Call{Client: cloudobj.ClientInfo{AppID: cl.AppID, Platform: "web", Locale: t.Locale}}
	addr, err := h.Svc.OAuthAuthorizeURL(c, &st)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err)
		return
	}
	data, _ := json.Marshal(ext)
	if err := h.Svc.Cache.CacheSet(r.Context(), extKey(st.State), data, h.now().Add(txnTTL)); err != nil {
		h.errorPage(w, r, http.StatusServiceUnavailable, apierr.Wrap(apierr.RetryLater, err))
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, addr, http.StatusSeeOther)
}

// providerCallback finishes a web OAuth login: the state is taken (once),
// must be this browser's, and its code goes to loginByOAuth, so the
// provider's login is an app login like any other. Then the transaction
// moves on as after a password login.
func (h *Handler) providerCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var ext extLogin
	data, err := h.Svc.Cache.CacheTake(r.Context(), extKey(q.Get("state")), h.now())
	if err != nil || len(q.Get("state")) > 64 || json.Unmarshal(data, &ext) != nil || ext.Provider != r.PathValue("provider") ||
		subtle.ConstantTimeCompare([]byte(digest(h.browserValue(r))), []byte(ext.Browser)) != 1 {
		h.errorPage(w, r, http.StatusBadRequest, apierr.New(apierr.OAuthRequestExpired))
		return
	}
	t, ok := h.loadTxn(r, ext.Txn)
	if !ok {
		h.errorPage(w, r, http.StatusBadRequest, apierr.New(apierr.OAuthRequestExpired))
		return
	}
	cl, err := h.Svc.Client(r.Context(), t.Req.ClientID)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err)
		return
	}
	p := &page{Kind: "login", Lang: t.Locale, Txn: ext.Txn, CSRF: csrf(h.browserValue(r)), Client: cl}
	if q.Get("code") == "" { // the user said no at the provider
		h.loginChoices(r, cl, p)
		p.Error = apierr.Param(apierr.ParamRequired, "code").Message(t.Locale)
		h.render(w, http.StatusOK, p)
		return
	}
	res := h.call(r, cl, t.Locale, "loginByOAuth", map[string]any{"provider": ext.Provider, "code": q.Get("code"),
		"redirectUri": h.issuer() + "/oauth2/callback/" + ext.Provider, "codeVerifier": ext.Verifier}, "")
	if res.code() == apierr.BindRequired && res.BindTicket != "" {
		// Nobody has this identity and the config wants it bound first:
		// the next login on this page binds it.
		t.BindTicket = res.BindTicket
		if err := h.saveTxn(r.Context(), ext.Txn, t); err != nil {
			h.errorPage(w, r, http.StatusServiceUnavailable, err)
			return
		}
		h.loginChoices(r, cl, p)
		p.Message = texts[t.Locale]["bind_first"]
		h.render(w, http.StatusOK, p)
		return
	}
	if !res.ok() || res.NewToken == nil {
		h.loginChoices(r, cl, p)
		p.Error = res.ErrMsg
		h.render(w, http.StatusOK, p)
		return
	}
	h.loggedIn(w, r, ext.Txn, t, res)
}

// loggedIn keeps a login's token as the single sign-on session and moves
// the transaction on (a GET, so going back never resubmits a form).
func (h *Handler) loggedIn(w http.ResponseWriter, r *http.Request, id string, t *txn, res *result) {
	h.setSSO(w, res.NewToken.Token, res.NewToken.TokenExpired)
	t.LoggedIn, t.BindTicket = true, ""
	if err := h.saveTxn(r.Context(), id, t); err != nil {
		h.errorPage(w, r, http.StatusServiceUnavailable, err)
		return
	}
	http.Redirect(w, r, "/oauth2/login/continue?txn="+id, http.StatusSeeOther)
}
