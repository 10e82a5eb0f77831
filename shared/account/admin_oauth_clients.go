package account

import (
	"context"
	"slices"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
)

// OAuthClientParams are addOAuthClient's and updateOAuthClient's params;
// updateOAuthClient changes the fields given.
type OAuthClientParams struct {
	ClientID               string    `json:"clientId"`
	AppID                  *string   `json:"appid"`
	Name                   *string   `json:"name"`
	Logo                   *string   `json:"logo"`
	Website                *string   `json:"website"`
	RedirectURIs           *[]string `json:"redirectUris"`
	PostLogoutRedirectURIs *[]string `json:"postLogoutRedirectUris"`
	Scopes                 *[]string `json:"scopes"`
	Public                 bool      `json:"public"`
	LegacyFragment         *bool     `json:"legacyFragment"`
	Trusted                *bool     `json:"trusted"`
}

// ClientIDParams name one registered app.
type ClientIDParams struct {
	ClientID string `json:"clientId"`
}

// NewClientResult is addOAuthClient's and resetOAuthClientSecret's answer:
// the secret is shown here only.
type NewClientResult struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret,omitempty"`
}

// AddOAuthClient handles addOAuthClient: registers an app with the open
// platform. Its users are those of appid (the calling app's by default).
// A confidential app's secret is in this answer only.
func (s *Service) AddOAuthClient(ctx context.Context, c *cloudobj.Call, p *OAuthClientParams) (any, error) {
	id, err := s.newClientID()
	if err != nil {
		return nil, err
	}
	cl := OAuthClient{ID: id, AppID: c.Client.AppID, Scopes: []string{"openid", "profile"}, Created: ms(s.now())}
	if err := s.setClient(&cl, p); err != nil {
		return nil, err
	}
	out := NewClientResult{ClientID: id}
	if !p.Public {
		if out.ClientSecret, cl.SecretDigest, err = s.newClientSecret(); err != nil {
			return nil, err
		}
	}
	c.Log("client", id)
	return out, s.editClients(ctx, func(cat *ClientCatalog) error {
		cat.Clients[id] = cl
		return nil
	})
}

// setClient applies p's given fields to cl and checks the result.
func (s *Service) setClient(cl *OAuthClient, p *OAuthClientParams) error {
	if p.AppID != nil {
		if _, _, err := s.Config.Resolve(*p.AppID, ""); err != nil {
			return apierr.Param(apierr.InvalidParam, "appid")
		}
		cl.AppID = *p.AppID
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&cl.Name, p.Name)
	set(&cl.Logo, p.Logo)
	set(&cl.Website, p.Website)
	if p.RedirectURIs != nil {
		cl.RedirectURIs = slices.Clone(*p.RedirectURIs)
	}
	if p.PostLogoutRedirectURIs != nil {
		cl.PostLogoutRedirectURIs = slices.Clone(*p.PostLogoutRedirectURIs)
	}
	if p.Scopes != nil {
		cl.Scopes = slices.Clone(*p.Scopes)
	}
	if p.LegacyFragment != nil {
		cl.LegacyFragment = *p.LegacyFragment
	}
	if p.Trusted != nil {
		cl.Trusted = *p.Trusted
	}
	for _, check := range []error{
		displayText("name", cl.Name, true, 64),
		httpsURL("logo", cl.Logo),
		httpsURL("website", cl.Website),
		checkURIs("redirectUris", cl.RedirectURIs, true),
		checkURIs("postLogoutRedirectUris", cl.PostLogoutRedirectURIs, false),
		checkScopes(cl.Scopes),
	} {
		if check != nil {
			return check
		}
	}
	if len(cl.Scopes) == 0 {
		return apierr.Param(apierr.ParamRequired, "scopes")
	}
	return nil
}

// UpdateOAuthClient handles updateOAuthClient: the given fields.
func (s *Service) UpdateOAuthClient(ctx context.Context, c *cloudobj.Call, p *OAuthClientParams) (any, error) {
	if err := required("clientId", p.ClientID); err != nil {
		return nil, err
	}
	c.Log("client", p.ClientID)
	return nil, s.editClients(ctx, func(cat *ClientCatalog) error {
		cl, ok := cat.Clients[p.ClientID]
		if !ok {
			return &apierr.Error{Code: apierr.OAuthClientNotFound, Values: map[string]string{"client": clip(p.ClientID, 64)}}
		}
		if err := s.setClient(&cl, p); err != nil {
			return err
		}
		cat.Clients[p.ClientID] = cl
		return nil
	})
}

// ResetOAuthClientSecret handles resetOAuthClientSecret: a new secret for
// a confidential app; the old one stops working at once.
func (s *Service) ResetOAuthClientSecret(ctx context.Context, c *cloudobj.Call, p *ClientIDParams) (any, error) {
	if err := required("clientId", p.ClientID); err != nil {
		return nil, err
	}
	secret, digest, err := s.newClientSecret()
	if err != nil {
		return nil, err
	}
	c.Log("client", p.ClientID)
	err = s.editClients(ctx, func(cat *ClientCatalog) error {
		cl, ok := cat.Clients[p.ClientID]
		if !ok {
			return &apierr.Error{Code: apierr.OAuthClientNotFound, Values: map[string]string{"client": clip(p.ClientID, 64)}}
		}
		if cl.Public() {
			return apierr.Param(apierr.InvalidParam, "clientId")
		}
		cl.SecretDigest = digest
		cat.Clients[p.ClientID] = cl
		return nil
	})
	if err != nil {
		return nil, err
	}
	return NewClientResult{ClientID: p.ClientID, ClientSecret: secret}, nil
}

// RemoveOAuthClient handles removeOAuthClient: the app can no longer send
// users to log in or use its codes and refresh tokens; its access tokens
// stop at their next check.
func (s *Service) RemoveOAuthClient(ctx context.Context, c *cloudobj.Call, p *ClientIDParams) (any, error) {
	if err := required("clientId", p.ClientID); err != nil {
		return nil, err
	}
	c.Log("client", p.ClientID)
	return nil, s.editClients(ctx, func(cat *ClientCatalog) error {
		if _, ok := cat.Clients[p.ClientID]; !ok {
			return &apierr.Error{Code: apierr.OAuthClientNotFound, Values: map[string]string{"client": clip(p.ClientID, 64)}}
		}
		delete(cat.Clients, p.ClientID)
		return nil
	})
}

// ClientInfo is one registered app as listOAuthClients shows it: never
// the secret's digest.
type ClientInfo struct {
	OAuthClient
	Public bool `json:"public"`
}

// ListOAuthClients handles listOAuthClients: every registered app, by id.
func (s *Service) ListOAuthClients(ctx context.Context, _ *cloudobj.Call, _ *NoParams) (any, error) {
	cat, err := s.Clients.ClientCatalog(ctx)
	if err != nil {
		return nil, storeErr("read client catalog", err)
	}
	out := []ClientInfo{}
	for _, id := range sortedIDs(cat.Clients) {
		cl := cat.Clients[id]
		public := cl.Public()
		cl.SecretDigest = ""
		out = append(out, ClientInfo{OAuthClient: cl, Public: public})
	}
	return map[string]any{"clients": out}, nil
}
