package oidc

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
)

// oauthError maps an error to RFC 6749's error codes and statuses.
func oauthError(err error) (int, string) {
	switch {
	case apierr.Is(err, apierr.OAuthInvalidGrant):
		return http.StatusBadRequest, "invalid_grant"
	case apierr.Is(err, apierr.OAuthInvalidClient):
		return http.StatusUnauthorized, "invalid_client"
	case apierr.Is(err, apierr.RetryLater), apierr.Is(err, apierr.SystemError):
		return http.StatusServiceUnavailable, "temporarily_unavailable"
	case apierr.Is(err, apierr.AccountBanned), apierr.Is(err, apierr.AccountClosed), apierr.Is(err, apierr.AccountAuditing),
		apierr.Is(err, apierr.AccountAuditFailed):
		return http.StatusBadRequest, "invalid_grant"
	}
	return http.StatusBadRequest, "invalid_request"
}

func writeOAuthError(w http.ResponseWriter, err error, basic bool) {
	status, code := oauthError(err)
	if status == http.StatusUnauthorized && basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="idco"`)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code})
}

// clientForm reads a token or revocation request's form and
// authenticates its client: client_secret_basic, client_secret_post, or
// none for a public client. Two methods at once are refused.
func (h *Handler) clientForm(w http.ResponseWriter, r *http.Request) (*account.OAuthClient, url.Values, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.ParseForm() != nil {
		writeOAuthError(w, apierr.New(apierr.InvalidParam), false)
		return nil, nil, false
	}
	f := r.PostForm
	for k, v := range f {
		if len(v) > 1 {
			writeOAuthError(w, apierr.Param(apierr.InvalidParam, k), false)
			return nil, nil, false
		}
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		var e1, e2 error
		id, e1 = url.QueryUnescape(id)
		secret, e2 = url.QueryUnescape(secret)
		if e1 != nil || e2 != nil || f.Get("client_secret") != "" || (f.Get("client_id") != "" && f.Get("client_id") != id) {
			writeOAuthError(w, apierr.New(apierr.InvalidParam), false)
			return nil, nil, false
		}
	} else {
		id, secret = f.Get("client_id"), f.Get("client_secret")
	}
	cl, err := h.Svc.AuthenticateClient(r.Context(), id, secret)
	if err != nil {
		writeOAuthError(w, err, basic)
		return nil, nil, false
	}
	return cl, f, true
}

// token is the token endpoint: authorization_code and refresh_token.
func (h *Handler) token(w http.ResponseWriter, r *http.Request) {
	cl, f, ok := h.clientForm(w, r)
	if !ok {
		return
	}
	var toks *account.OAuthTokens
	var err error
	switch f.Get("grant_type") {
	case "authorization_code":
		toks, err = h.Svc.ExchangeCode(r.Context(), cl, f.Get("code"), f.Get("redirect_uri"), f.Get("code_verifier"))
	case "refresh_token":
		toks, err = h.Svc.RefreshOAuth(r.Context(), cl, f.Get("refresh_token"))
	default:
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	if err != nil {
		writeOAuthError(w, err, false)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, toks)
}

// userinfo answers the claims of the access token's scopes, while the
// token's session stands.
func (h *Handler) userinfo(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="idco"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_request"})
		return
	}
	u, a, err := h.Svc.OAuthAccess(r.Context(), strings.TrimSpace(tok))
	if err != nil {
		status, code := http.StatusUnauthorized, "invalid_token"
		if apierr.Is(err, apierr.RetryLater) || apierr.Is(err, apierr.SystemError) {
			status, code = http.StatusServiceUnavailable, "temporarily_unavailable"
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="idco", error="`+code+`"`)
		writeJSON(w, status, map[string]string{"error": code})
		return
	}
	if !strings.Contains(" "+strings.Join(a.Scopes, " ")+" ", " openid ") {
		w.Header().Set("WWW-Authenticate", `Bearer realm="idco", error="insufficient_scope"`)
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "insufficient_scope"})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, account.UserClaims(u, a.Scopes))
}

// revoke is RFC 7009's endpoint: the token's session ends; an unknown
// token is answered the same, so nothing is learnt.
func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	cl, f, ok := h.clientForm(w, r)
	if !ok {
		return
	}
	if err := h.Svc.RevokeOAuth(r.Context(), cl, f.Get("token")); err != nil {
		writeOAuthError(w, err, false)
		return
	}
	w.WriteHeader(http.StatusOK)
}
