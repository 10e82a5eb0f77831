package account

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/internal/lazyre"
)

// Limits of the web OAuth params. Providers' codes are tens of characters
// (GitHub 20, Google about 75, X about 90); a redirect address is a URL a
// browser keeps.
const (
	maxOAuthCode   = 1024
	maxRedirectURI = 2048
	maxOAuthState  = 512
)

// pkceRE is an RFC 7636 code verifier (43-128 unreserved characters); an
// S256 code challenge, 32 bytes of base64url, is the 43-character case.
var (
	pkceVerifierRE  = lazyre.New(`^[A-Za-z0-9._~-]{43,128}$`)
	pkceChallengeRE = lazyre.New(`^[A-Za-z0-9_-]{43}$`)
)

// OAuthParams are loginByOAuth's and bindOAuth's params: the code a web
// OAuth provider sent back to redirectUri (the exact address the
// authorization named: providers refuse the code for any other) and, when
// the authorization carried a PKCE code challenge, its verifier.
type OAuthParams struct {
	Provider     string `json:"provider"`
	Code         string `json:"code"`
	RedirectURI  string `json:"redirectUri"`
	CodeVerifier string `json:"codeVerifier"`
	InviteCode   string `json:"inviteCode"`
}

// LoginByOAuth handles loginByOAuth, the last step of a web login through
// a provider (WebProvider: GitHub, Google, DingTalk, Weibo, QQ, WeChat,
// Facebook, X): the code is exchanged with the provider and the account
// found by the provider's stable user id (never by an email), logged in or
// registered as thirdLogin does (idco.registration, thirdPartyRegistration
// and thirdPartyDefaultRole apply). The redirect endpoints call it from Go
// with the callback's code; c.Params may then be empty, and is set from p.
func (s *Service) LoginByOAuth(ctx context.Context, c *cloudobj.Call, p *OAuthParams) (any, error) {
	proof, err := s.oauthProof(c, p)
	if err != nil {
		return nil, err
	}
	return s.thirdLogin(ctx, c, proof, "")
}

// BindOAuth handles bindOAuth: the provider's identity is bound to the
// caller's account, unless another account owns it (uni-id-bind-conflict).
func (s *Service) BindOAuth(ctx context.Context, c *cloudobj.Call, p *OAuthParams) (any, error) {
	proof, err := s.oauthProof(c, p)
	if err != nil {
		return nil, err
	}
	return s.bindThird(ctx, c, proof)
}

// ProviderParams name a web provider (unbindOAuth).
type ProviderParams struct {
	Provider string `json:"provider"`
}

// UnbindOAuth handles unbindOAuth: the provider's identity leaves the
// caller's account, unless it is the account's last way to log in.
func (s *Service) UnbindOAuth(ctx context.Context, c *cloudobj.Call, p *ProviderParams) (any, error) {
	if err := required("provider", p.Provider); err != nil {
		return nil, err
	}
	if s.webProvider(p.Provider) == nil {
		return nil, apierr.Param(apierr.InvalidParam, "provider")
	}
	return s.unbind(ctx, c, p.Provider)
}

// oauthProof checks the params and makes them a proof. The redirect flow
// is a browser's: another platform is uni-id-unsupported-request.
func (s *Service) oauthProof(c *cloudobj.Call, p *OAuthParams) (Proof, error) {
	if err := checkOAuth(p); err != nil {
		return Proof{}, err
	}
	if s.webProvider(p.Provider) == nil {
		return Proof{}, apierr.Param(apierr.InvalidParam, "provider")
	}
	if c.Client.Platform != "web" {
		return Proof{}, apierr.New(apierr.UnsupportedRequest)
	}
	if len(c.Params) == 0 {
		// inviteCode is read from the call's params at registration.
		c.Params, _ = json.Marshal(p)
	}
	return Proof{Provider: p.Provider, Code: p.Code, RedirectURI: p.RedirectURI, CodeVerifier: p.CodeVerifier}, nil
}

// checkOAuth validates the params' shapes.
func checkOAuth(p *OAuthParams) error {
	if err := required("provider", p.Provider, "code", p.Code, "redirectUri", p.RedirectURI); err != nil {
		return err
	}
	switch {
	case len(p.Code) > maxOAuthCode:
		return apierr.Param(apierr.InvalidParam, "code")
	case !validRedirectURI(p.RedirectURI):
		return apierr.Param(apierr.InvalidParam, "redirectUri")
	case p.CodeVerifier != "" && !pkceVerifierRE.MatchString(p.CodeVerifier):
		return apierr.Param(apierr.InvalidParam, "codeVerifier")
	}
	return validInviteCode(p.InviteCode)
}

// validRedirectURI accepts an absolute http or https address with a host,
// no user info and no fragment (RFC 6749 section 3.1.2), as every provider
// requires of a registered callback.
func validRedirectURI(s string) bool {
	if len(s) > maxRedirectURI || strings.ContainsAny(s, "# \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// OAuthStart is what the first redirect of a web login needs: the
// provider, the callback address registered with it, the state the
// callback will check, and the PKCE S256 code challenge (required for X;
// ignored by providers without PKCE, see WebProvider.PKCE).
type OAuthStart struct {
	Provider      string
	RedirectURI   string
	State         string
	CodeChallenge string
}

// OAuthURLs builds providers' browser authorization addresses.
type OAuthURLs interface {
	AuthCodeURL(cfg *config.Config, provider, redirectURI, state, codeChallenge string) (string, error)
}

// OAuthAuthorizeURL returns the address to send a browser to for a web
// login through st.Provider, from the calling app's config on c's platform.
// Errors: uni-id-invalid-param (an unknown provider, a bad redirect URI,
// state or code challenge), uni-id-param-required, and
// uni-id-config-field-required when the provider's keys are missing.
func (s *Service) OAuthAuthorizeURL(c *cloudobj.Call, st *OAuthStart) (string, error) {
	if err := required("provider", st.Provider, "redirectUri", st.RedirectURI, "state", st.State); err != nil {
		return "", err
	}
	switch {
	case s.webProvider(st.Provider) == nil:
		return "", apierr.Param(apierr.InvalidParam, "provider")
	case !validRedirectURI(st.RedirectURI):
		return "", apierr.Param(apierr.InvalidParam, "redirectUri")
	case len(st.State) > maxOAuthState:
		return "", apierr.Param(apierr.InvalidParam, "state")
	case st.CodeChallenge != "" && !pkceChallengeRE.MatchString(st.CodeChallenge):
		return "", apierr.Param(apierr.InvalidParam, "codeChallenge")
	}
	cfg, err := s.cfg(c)
	if err != nil {
		return "", err
	}
	if s.OAuthURLs == nil {
		return "", &apierr.Error{Code: apierr.ConfigFieldRequired,
			Values: map[string]string{"field": c.Client.Platform + ".oauth." + st.Provider}}
	}
	return s.OAuthURLs.AuthCodeURL(cfg, st.Provider, st.RedirectURI, st.State, st.CodeChallenge)
}
