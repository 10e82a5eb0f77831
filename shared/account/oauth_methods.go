package account

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/internal/lazyre"
)

// AuthRequest is an authorisation request as the authorize endpoint and
// applyAuthorizationCode receive it.
type AuthRequest struct {
	ClientID            string `json:"clientId"`
	RedirectURI         string `json:"redirectUri"`
	Scope               string `json:"scope"`
	CodeChallenge       string `json:"codeChallenge"`
	CodeChallengeMethod string `json:"codeChallengeMethod"`
	Nonce               string `json:"nonce"`
	// ExpireInDays is the seed's SSO link parameter: how long the grant's
	// refresh token lives (1-99; 0: DefaultGrantDays).
	ExpireInDays int `json:"expireInDays"`
}

var challengeRE = lazyre.New(`^[A-Za-z0-9_-]{43}$`)

// CheckClientRedirect finds the client and checks the redirect URI is one
// it registered, exactly: until both pass, nothing may be sent to the URI.
func (s *Service) CheckClientRedirect(ctx context.Context, clientID, redirectURI string) (*OAuthClient, error) {
	if err := required("clientId", clientID, "redirectUri", redirectURI); err != nil {
		return nil, err
	}
	cl, err := s.Client(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(cl.RedirectURIs, redirectURI) {
		return nil, &apierr.Error{Code: apierr.OAuthInvalidURI, Values: map[string]string{"uri": clip(redirectURI, 80)}}
	}
	return cl, nil
}

// CheckAuthRequest checks the rest of a request of cl: its scopes (each
// known and allowed to the app), PKCE (S256 only; required of a public
// app), the nonce's and the lifetime's bounds. It returns the scopes.
func CheckAuthRequest(cl *OAuthClient, r *AuthRequest) ([]string, error) {
	scopes, err := clientScopes(cl, r.Scope)
	if err != nil {
		return nil, err
	}
	switch {
	case r.CodeChallenge == "" && cl.Public():
		return nil, apierr.Param(apierr.ParamRequired, "code_challenge")
	case r.CodeChallenge != "" && (r.CodeChallengeMethod != "S256" || !challengeRE.MatchString(r.CodeChallenge)):
		return nil, apierr.Param(apierr.InvalidParam, "code_challenge")
	case len(r.Nonce) > 256:
		return nil, apierr.Param(apierr.InvalidParam, "nonce")
	case r.ExpireInDays < 0 || r.ExpireInDays > 99:
		return nil, apierr.Param(apierr.InvalidParam, "expireInDays")
	}
	return scopes, nil
}

// clientScopes returns the scopes of a space-separated list, sorted and
// once each: at least one, each allowed to the client.
func clientScopes(cl *OAuthClient, scope string) ([]string, error) {
	scopes := strings.Fields(scope)
	if len(scopes) == 0 {
		return nil, apierr.Param(apierr.ParamRequired, "scope")
	}
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	for _, sc := range scopes {
		if !slices.Contains(cl.Scopes, sc) {
			return nil, &apierr.Error{Code: apierr.OAuthInvalidScope, Values: map[string]string{"scope": clip(sc, 32)}}
		}
	}
	return scopes, nil
}

// ApplyAuthorizationCode handles applyAuthorizationCode (the seed's 申请授权码):
// a logged-in user of the client's app authorises the client from the
// app's own page, and gets a code to hand to the client, which exchanges
// it with exchangeAuthorizationCode or at the token endpoint.
func (s *Service) ApplyAuthorizationCode(ctx context.Context, c *cloudobj.Call, p *AuthRequest) (any, error) {
	if err := sessionOnly(c); err != nil {
		return nil, err
	}
	cl, err := s.CheckClientRedirect(ctx, p.ClientID, p.RedirectURI)
	if err != nil {
		return nil, err
	}
	scopes, err := CheckAuthRequest(cl, p)
	if err != nil {
		return nil, err
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	if !inApp(u, cl.AppID) || cl.AppID != c.Client.AppID {
		return nil, apierr.New(apierr.PermissionError)
	}
	c.Log("client", cl.ID)
	if err := s.Consent(ctx, u, cl.ID, scopes); err != nil {
		return nil, err
	}
	code, err := s.IssueCode(ctx, &AuthCode{ClientID: cl.ID, RedirectURI: p.RedirectURI, UID: u.UID, Scopes: scopes,
		Nonce: p.Nonce, Challenge: p.CodeChallenge, AuthAt: u.Sessions[c.Auth.SessionID].AuthAt, Days: p.ExpireInDays})
	if err != nil {
		return nil, err
	}
	return map[string]any{"code": code, "expiresIn": int(codeTTL.Seconds())}, nil
}

// ExchangeParams are exchangeAuthorizationCode's params.
type ExchangeParams struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	Code         string `json:"code"`
	RedirectURI  string `json:"redirectUri"`
	CodeVerifier string `json:"codeVerifier"`
}

// ExchangeAuthorizationCode handles exchangeAuthorizationCode (the seed's
// 获取访问令牌): the client trades a code for tokens, as at the token
// endpoint.
func (s *Service) ExchangeAuthorizationCode(ctx context.Context, c *cloudobj.Call, p *ExchangeParams) (any, error) {
	if err := required("clientId", p.ClientID, "code", p.Code, "redirectUri", p.RedirectURI); err != nil {
		return nil, err
	}
	cl, err := s.AuthenticateClient(ctx, p.ClientID, p.ClientSecret)
	if err != nil {
		return nil, err
	}
	c.Log("client", cl.ID)
	return s.ExchangeCode(ctx, cl, p.Code, p.RedirectURI, p.CodeVerifier)
}

// AuthenticateClient finds a client by id and checks its secret: a
// confidential client must give it, a public one must not.
func (s *Service) AuthenticateClient(ctx context.Context, id, secret string) (*OAuthClient, error) {
	cl, err := s.Client(ctx, id)
	if apierr.Is(err, apierr.OAuthClientNotFound) {
		return nil, apierr.New(apierr.OAuthInvalidClient)
	}
	if err != nil {
		return nil, err
	}
	if cl.Public() != (secret == "") || (!cl.Public() && !cl.CheckSecret(secret)) {
		return nil, apierr.New(apierr.OAuthInvalidClient)
	}
	return cl, nil
}

// Authorization is one app a user authorised, as getAuthorizations shows.
type Authorization struct {
	ClientID string   `json:"clientId"`
	Name     string   `json:"name"`
	Logo     string   `json:"logo,omitempty"`
	Website  string   `json:"website,omitempty"`
	Scopes   []string `json:"scopes"`
	Created  int64    `json:"created"`
	Updated  int64    `json:"updated"`
}

// GetAuthorizations handles getAuthorizations: the apps the caller
// authorised, with their scopes and dates, newest first.
func (s *Service) GetAuthorizations(ctx context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	cat, err := s.Clients.ClientCatalog(ctx)
	if err != nil {
		return nil, storeErr("read client catalog", err)
	}
	out := []Authorization{}
	for id, g := range u.OAuthGrants {
		cl, ok := cat.Clients[id]
		if !ok {
			continue // a removed app can do nothing more
		}
		out = append(out, Authorization{ClientID: id, Name: cl.Name, Logo: cl.Logo, Website: cl.Website,
			Scopes: g.Scopes, Created: g.Created, Updated: g.Updated})
	}
	slices.SortFunc(out, func(a, b Authorization) int { return int(b.Updated - a.Updated) })
	return map[string]any{"authorizations": out}, nil
}

// DeleteAuthorization handles deleteAuthorization: the caller withdraws an
// app's authorisation; its refresh and access tokens stop working at
// once, and it must ask for consent again.
func (s *Service) DeleteAuthorization(ctx context.Context, c *cloudobj.Call, p *ClientIDParams) (any, error) {
	if err := required("clientId", p.ClientID); err != nil {
		return nil, err
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	c.Log("client", p.ClientID)
	_, err = s.updateCaller(ctx, c, u, func(u *User) error {
		if _, ok := u.OAuthGrants[p.ClientID]; !ok {
			return apierr.Param(apierr.InvalidParam, "clientId")
		}
		delete(u.OAuthGrants, p.ClientID)
		for id, ss := range u.Sessions {
			if ss.ClientID == p.ClientID {
				delete(u.Sessions, id)
			}
		}
		return nil
	})
	return nil, err
}

// authorizeLimit bounds the authorization requests one source starts (each
// keeps a transaction for 10 minutes): a stranger cannot fill the table,
// and a person never meets it.
var authorizeLimit = Limit{Window: Window{Size: 10 * time.Minute}, Max: 100}

// LimitAuthorize counts an authorization request from ip (its /64 for
// IPv6) and answers uni-id-rate-limited past authorizeLimit.
func (s *Service) LimitAuthorize(ctx context.Context, ip string) error {
	w := authorizeLimit.Window
	w.Key = "oauth-authorize:" + ipKey(ip)
	_, err := s.Counters.Hit(ctx, w, authorizeLimit.Max, s.now())
	if errors.Is(err, ErrLimited) {
		return apierr.New(apierr.RateLimited)
	}
	if err != nil {
		return storeErr("count authorization requests", err)
	}
	return nil
}
