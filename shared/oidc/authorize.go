package oidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
)

// txnTTL is how long a browser has to log in and consent.
const txnTTL = 10 * time.Minute

// txn is one authorisation request in progress, kept server-side under a
// random id that travels in the pages' URLs and forms, and bound to the
// browser that started it.
type txn struct {
	Req     account.AuthRequest `json:"req"`
	Scopes  []string            `json:"scopes"`
	State   string              `json:"state,omitempty"`
	Prompt  string              `json:"prompt,omitempty"`
	Token   bool                `json:"token,omitempty"` // legacy fragment delivery
	Browser string              `json:"browser"`         // digest of the browser cookie
	Locale  string              `json:"locale"`
	// IDP names a web OAuth provider to log in with at once (the
	// request's idp), instead of showing the login page: the seed's login
	// address per provider.
	IDP string `json:"idp,omitempty"`
	// BindTicket is a provider identity no account has yet (under
	// idco.thirdPartyRegistration "bind-first"): the next login on the
	// page binds it to the account logged in.
	BindTicket string `json:"bind_ticket,omitempty"`
	// LoggedIn is set once the browser logged in during this request, so
	// prompt=login is satisfied.
	LoggedIn bool `json:"logged_in,omitempty"`
}

func txnKey(id string) string { return "oauth-txn:" + id }

func randomID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// authorize is the authorization endpoint (OpenID Connect Core 3.1.2,
// RFC 9700). The client and redirect URI are checked before anything is
// sent to the URI: a bad one gets an error page, never a redirect.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k, v := range q {
		if len(v) > 1 {
			h.errorPage(w, r, http.StatusBadRequest, apierr.Param(apierr.InvalidParam, k))
			return
		}
	}
	req := account.AuthRequest{ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"), Scope: q.Get("scope"),
		CodeChallenge: q.Get("code_challenge"), CodeChallengeMethod: q.Get("code_challenge_method"), Nonce: q.Get("nonce")}
	h.start(w, r, req, q.Get("response_type"), q.Get("state"), q.Get("prompt"), q.Get("ui_locales"), q.Get("idp"))
}

// ssoLink maps the seed's unified-login link (/oauth/2?scheme=app&appId=
// &scopes=&redirect_uri=&nonce=&expireInDays=[&idp=]) onto the authorization
// request: appId is the client id, scopes the scope, nonce both the nonce
// and the state, expireInDays the refresh token's life. An app registered
// for the legacy fragment delivery gets its tokens in the fragment; any
// other gets a code.
func (h *Handler) ssoLink(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("scheme") != "app" {
		h.errorPage(w, r, http.StatusBadRequest, apierr.Param(apierr.InvalidParam, "scheme"))
		return
	}
	req := account.AuthRequest{ClientID: q.Get("appId"), RedirectURI: q.Get("redirect_uri"), Scope: q.Get("scopes"),
		CodeChallenge: q.Get("code_challenge"), CodeChallengeMethod: q.Get("code_challenge_method"), Nonce: q.Get("nonce")}
	if d := q.Get("expireInDays"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > 99 {
			h.errorPage(w, r, http.StatusBadRequest, apierr.Param(apierr.InvalidParam, "expireInDays"))
			return
		}
		req.ExpireInDays = n
	}
	rt := "code"
	if cl, err := h.Svc.Client(r.Context(), req.ClientID); err == nil && cl.LegacyFragment {
		rt = "token"
	}
	h.start(w, r, req, rt, req.Nonce, "", "", q.Get("idp"))
}

// start checks a request and begins its transaction.
func (h *Handler) start(w http.ResponseWriter, r *http.Request, req account.AuthRequest, responseType, state, prompt, locales, idp string) {
	ctx := r.Context()
	cl, err := h.Svc.CheckClientRedirect(ctx, req.ClientID, req.RedirectURI)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err)
		return
	}
	t := &txn{Req: req, State: state, Prompt: prompt, Locale: pickLocale(locales, r), IDP: idp}
	switch {
	case responseType == "token" && cl.LegacyFragment:
		t.Token = true
	case responseType != "code":
		h.redirectError(w, r, t, "unsupported_response_type")
		return
	}
	if len(state) > 512 || len(idp) > 32 || !slices.Contains([]string{"", "none", "login", "consent"}, prompt) {
		h.redirectError(w, r, t, "invalid_request")
		return
	}
	if t.Scopes, err = account.CheckAuthRequest(cl, &req); err != nil {
		code := "invalid_request"
		if apierr.Is(err, apierr.OAuthInvalidScope) {
			code = "invalid_scope"
		}
		h.redirectError(w, r, t, code)
		return
	}
	if err := h.Svc.LimitAuthorize(ctx, sourceIP(r)); err != nil {
		status := http.StatusTooManyRequests
		if !apierr.Is(err, apierr.RateLimited) {
			status = http.StatusServiceUnavailable
		}
		h.errorPage(w, r, status, err)
		return
	}
	t.Browser = digest(h.browser(w, r))
	id := randomID()
	if err := h.saveTxn(ctx, id, t); err != nil {
		h.errorPage(w, r, http.StatusServiceUnavailable, err)
		return
	}
	h.resume(w, r, id, t)
}

func (h *Handler) saveTxn(ctx context.Context, id string, t *txn) error {
	data, _ := json.Marshal(t)
	if err := h.Svc.Cache.CacheSet(ctx, txnKey(id), data, h.now().Add(txnTTL)); err != nil {
		return apierr.Wrap(apierr.RetryLater, err)
	}
	return nil
}

// loadTxn returns the transaction id names, if this browser started it.
func (h *Handler) loadTxn(r *http.Request, id string) (*txn, bool) {
	if id == "" || len(id) > 64 {
		return nil, false
	}
	data, err := h.Svc.Cache.CacheGet(r.Context(), txnKey(id), h.now())
	var t txn
	if err != nil || json.Unmarshal(data, &t) != nil {
		return nil, false
	}
	c, err := r.Cookie(h.cookieName("browser"))
	if err != nil || subtle.ConstantTimeCompare([]byte(digest(c.Value)), []byte(t.Browser)) != 1 {
		return nil, false
	}
	return &t, true
}

// resume moves a transaction on: to the login page without a live single
// sign-on session (or when prompt=login asks for a new login), to the
// consent page when the user has not authorised these scopes, else back
// to the app.
func (h *Handler) resume(w http.ResponseWriter, r *http.Request, id string, t *txn) {
	cl, err := h.Svc.Client(r.Context(), t.Req.ClientID)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err)
		return
	}
	u, authAt, ok := h.ssoUser(w, r, cl)
	if !ok || (t.Prompt == "login" && !t.LoggedIn) {
		if t.Prompt == "none" {
			h.redirectError(w, r, t, "login_required")
			return
		}
		if t.IDP != "" {
			http.Redirect(w, r, "/oauth2/provider/"+url.PathEscape(t.IDP)+"?txn="+id, http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/oauth2/login?txn="+id, http.StatusSeeOther)
		return
	}
	if !cl.Trusted && (t.Prompt == "consent" || !account.Granted(u, cl.ID, t.Scopes)) {
		if t.Prompt == "none" {
			h.redirectError(w, r, t, "consent_required")
			return
		}
		http.Redirect(w, r, "/oauth2/consent?txn="+id, http.StatusSeeOther)
		return
	}
	if cl.Trusted && !account.Granted(u, cl.ID, t.Scopes) {
		if err := h.Svc.Consent(r.Context(), u, cl.ID, t.Scopes); err != nil {
			h.errorPage(w, r, http.StatusServiceUnavailable, err)
			return
		}
	}
	h.finish(w, r, id, t, cl, u.UID, authAt)
}

// finish issues the code (or, for the legacy delivery, the tokens) and
// sends the browser back to the app. The transaction is used up.
func (h *Handler) finish(w http.ResponseWriter, r *http.Request, id string, t *txn, cl *account.OAuthClient, uid string, authAt int64) {
	ctx := r.Context()
	if _, err := h.Svc.Cache.CacheTake(ctx, txnKey(id), h.now()); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, apierr.New(apierr.OAuthRequestExpired))
		return
	}
	code, err := h.Svc.IssueCode(ctx, &account.AuthCode{ClientID: cl.ID, RedirectURI: t.Req.RedirectURI, UID: uid,
		Scopes: t.Scopes, Nonce: t.Req.Nonce, Challenge: t.Req.CodeChallenge, AuthAt: authAt, Days: t.Req.ExpireInDays})
	if err != nil {
		h.errorPage(w, r, http.StatusServiceUnavailable, err)
		return
	}
	if !t.Token {
		h.redirect(w, r, t, url.Values{"code": {code}})
		return
	}
	toks, err := h.Svc.ExchangeCode(ctx, cl, code, t.Req.RedirectURI, "")
	if err != nil {
		h.errorPage(w, r, http.StatusServiceUnavailable, err)
		return
	}
	v := url.Values{"access_token": {toks.AccessToken}, "token_type": {"Bearer"},
		"expires_in": {strconv.Itoa(toks.ExpiresIn)}, "scope": {toks.Scope}}
	if toks.IDToken != "" {
		v.Set("id_token", toks.IDToken)
	}
	if t.State != "" {
		v.Set("state", t.State)
	}
	v.Set("iss", h.issuer())
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, t.Req.RedirectURI+"#"+v.Encode(), http.StatusSeeOther)
}

// redirect sends the browser to the app's checked redirect URI with v,
// the state and the issuer (RFC 9207) in the query.
func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, t *txn, v url.Values) {
	if t.State != "" {
		v.Set("state", t.State)
	}
	v.Set("iss", h.issuer())
	sep := "?"
	if strings.Contains(t.Req.RedirectURI, "?") {
		sep = "&"
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, t.Req.RedirectURI+sep+v.Encode(), http.StatusSeeOther)
}

func (h *Handler) redirectError(w http.ResponseWriter, r *http.Request, t *txn, code string) {
	h.redirect(w, r, t, url.Values{"error": {code}})
}

// ssoUser is the user of the browser's single sign-on session, if it is
// live and good in the client's app; a refreshed token goes back into the
// cookie. It returns the session's last login time.
func (h *Handler) ssoUser(w http.ResponseWriter, r *http.Request, cl *account.OAuthClient) (*account.User, int64, bool) {
	ck, err := r.Cookie(h.cookieName("sso"))
	if err != nil || ck.Value == "" {
		return nil, 0, false
	}
	c := &cloudobj.Call{Token: ck.Value, Client: cloudobj.ClientInfo{AppID: cl.AppID, Platform: "web"}}
	if err := h.Svc.Authenticate(r.Context(), c, true); err != nil || c.Auth.AccessToken != "" {
		return nil, 0, false
	}
	u, ok := c.Auth.Record.(*account.User)
	if !ok || u == nil {
		return nil, 0, false
	}
	if c.NewToken != nil {
		h.setSSO(w, c.NewToken.Token, c.NewToken.TokenExpired)
	}
	ss := u.Sessions[c.Auth.SessionID]
	return u, max(ss.AuthAt, ss.Created), true
}
