// Package oidc is idco's open platform over plain HTTP: an OpenID Connect
// provider (discovery, JWKS, the authorization, token, userinfo,
// revocation and end-session endpoints) with hosted login, consent and
// logout pages, and the seed's single-sign-on link. The pages log users in
// through the same cloud-object methods the apps call (a dispatcher of the
// login family's methods), so every limit, captcha and audit applies; the
// account package keeps the apps, grants, codes and tokens.
package oidc

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
)

// Handler serves the open platform.
type Handler struct {
	Svc *account.Service
	// Pages serves the methods the hosted pages call: login, loginBySms,
	// loginByEmailCode, sendSmsCode, sendEmailCode, createCaptcha, logout.
	Pages *cloudobj.Dispatcher
}

// Routes are the paths the handler serves, as template.yaml's routes.
var Routes = []string{
	"GET /.well-known/openid-configuration",
	"GET /.well-known/oauth-authorization-server",
	"GET /oauth2/jwks",
	"GET /oauth2/authorize",
	"GET /oauth/2",
	"GET /oauth2/login",
	"POST /oauth2/login",
	"GET /oauth2/login/continue",
	"GET /oauth2/provider/{provider}",
	"GET /oauth2/callback/{provider}",
	"GET /oauth2/consent",
	"POST /oauth2/consent",
	"POST /oauth2/token",
	"GET /oauth2/userinfo",
	"POST /oauth2/userinfo",
	"POST /oauth2/revoke",
	"GET /oauth2/logout",
	"POST /oauth2/logout",
	"GET /qr",
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mux().ServeHTTP(w, r)
}

func (h *Handler) mux() *http.ServeMux {
	m := http.NewServeMux()
	handlers := map[string]http.HandlerFunc{
		"GET /.well-known/openid-configuration":       h.discovery,
		"GET /.well-known/oauth-authorization-server": h.discovery,
		"GET /oauth2/jwks":                            h.jwks,
		"GET /oauth2/authorize":                       h.authorize,
		"GET /oauth/2":                                h.ssoLink,
		"GET /oauth2/login":                           h.loginPage,
		"POST /oauth2/login":                          h.loginSubmit,
		"GET /oauth2/login/continue":                  h.loginContinue,
		"GET /oauth2/provider/{provider}":             h.providerStart,
		"GET /oauth2/callback/{provider}":             h.providerCallback,
		"GET /oauth2/consent":                         h.consentPage,
		"POST /oauth2/consent":                        h.consentSubmit,
		"POST /oauth2/token":                          h.token,
		"GET /oauth2/userinfo":                        h.userinfo,
		"POST /oauth2/userinfo":                       h.userinfo,
		"POST /oauth2/revoke":                         h.revoke,
		"GET /oauth2/logout":                          h.logoutPage,
		"POST /oauth2/logout":                         h.logoutSubmit,
		"GET /qr":                                     h.qrPage,
	}
	for _, route := range Routes {
		m.HandleFunc(route, handlers[route])
	}
	return m
}

// now is the service's clock.
func (h *Handler) now() time.Time {
	if h.Svc.Now != nil {
		return h.Svc.Now()
	}
	return time.Now()
}

func (h *Handler) issuer() string { return strings.TrimSuffix(h.Svc.Issuer, "/") }

// qrPage is where a QR-login picture drawn by idco leads (the default
// idco.qrLogin.url) when it is scanned outside WeChat: the mini program
// opens the link itself where it is registered (扫普通链接二维码打开小程序);
// any other scanner lands here and is told to use WeChat. It reads and
// changes no ticket.
func (h *Handler) qrPage(w http.ResponseWriter, r *http.Request) {
	lang := pickLocale("", r)
	h.render(w, http.StatusOK, &page{Kind: "message", Lang: lang, Message: texts[lang]["qr_use_wechat"]})
}

// discovery answers OpenID Connect Discovery 1.0 and RFC 8414.
func (h *Handler) discovery(w http.ResponseWriter, _ *http.Request) {
	iss := h.issuer()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/oauth2/authorize",
		"token_endpoint":                        iss + "/oauth2/token",
		"userinfo_endpoint":                     iss + "/oauth2/userinfo",
		"jwks_uri":                              iss + "/oauth2/jwks",
		"revocation_endpoint":                   iss + "/oauth2/revoke",
		"end_session_endpoint":                  iss + "/oauth2/logout",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      account.OAuthScopes,
		"claims_supported": []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid", "name", "nickname",
			"preferred_username", "picture", "email", "email_verified", "phone_number", "phone_number_verified", "role"},
		"token_endpoint_auth_methods_supported":          []string{"client_secret_basic", "client_secret_post", "none"},
		"revocation_endpoint_auth_methods_supported":     []string{"client_secret_basic", "client_secret_post", "none"},
		"code_challenge_methods_supported":               []string{"S256"},
		"prompt_values_supported":                        []string{"none", "login", "consent"},
		"ui_locales_supported":                           []string{"zh-Hans", "en"},
		"authorization_response_iss_parameter_supported": true,
	})
}

// jwks publishes the key set's public keys.
func (h *Handler) jwks(w http.ResponseWriter, r *http.Request) {
	set, err := h.Svc.SigningKeys.Keys(r.Context())
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(set.JWKS())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// sourceIP is the connection's peer: no header the client controls.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
