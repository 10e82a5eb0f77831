package account

import (
	"context"

	"github.com/idco-dev/idco/shared/cloudobj"
)

// OAuthProvider is one entry of getOAuthProviders: the provider key that
// loginByOAuth takes, its display name in the caller's locale (names has
// both), its icon (a data: URL), and whether its authorization takes a
// PKCE code challenge.
type OAuthProvider struct {
	Provider string            `json:"provider"`
	Name     string            `json:"name"`
	Names    map[string]string `json:"names"`
	Icon     string            `json:"icon"`
	PKCE     bool              `json:"pkce"`
}

// OAuthProviders is getOAuthProviders' answer.
type OAuthProviders struct {
	Providers []OAuthProvider `json:"providers"`
}

// GetOAuthProviders handles getOAuthProviders: the web login providers the
// calling app's config enables on its platform, in the registry's order
// (the seed's provider list). Third-party logins stay on under
// idco.thirdPartyOnly; with registration disabled they still log in
// existing accounts, so the list does not change with either.
func (s *Service) GetOAuthProviders(_ context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	out := []OAuthProvider{}
	for _, p := range s.Providers {
		wp, ok := p.(WebProvider)
		if !ok || !wp.WebSupported(cfg, c.Client.Platform) {
			continue
		}
		b := wp.Button()
		name := b.Names[c.Locale]
		if name == "" {
			name = b.Names["en"]
		}
		out = append(out, OAuthProvider{Provider: wp.Name(), Name: name, Names: b.Names, Icon: b.Icon, PKCE: wp.PKCE()})
	}
	return OAuthProviders{Providers: out}, nil
}
