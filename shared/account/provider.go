package account

import (
	"github.com/idco-dev/idco/shared/config"
)

// Provider is one third-party login provider as the domain sees it. Each
// provider is one package of shared/thirdparty, listed once in its
// registry (thirdparty.All); the composition root hands the list to the
// service (Service.Providers). Nothing else switches over provider names.
type Provider interface {
	// Name is the provider's name: Proof.Provider, the login type
	// getSupportedLoginType answers, the uni-id-co method suffix.
	Name() string
	// Supported reports whether cfg has every key the provider needs on
	// platform, as uni-id's getSupportedLoginType checks.
	Supported(cfg *config.Config, platform string) bool
}

// IdentityProvider is a Provider whose identities live on the user record
// (all but the phone-only ones, such as univerify).
type IdentityProvider interface {
	Provider
	// Keys returns the unique keys of the user's identities of this
	// provider.
	Keys(u *User) []string
	// Slot returns the lookup keys of an identity: its openid's and, when
	// it has one, its unionid's.
	Slot(id *Identity, appID string) (openKey, unionKey string)
	// Owns reports whether key is one of this provider's unique keys.
	Owns(key string) bool
	// Attach writes an identity onto the user record, as uni-id does.
	Attach(u *User, id *Identity, appID string)
	// Detach removes the provider's identities from the user record and
	// reports whether there were any.
	Detach(u *User) bool
	// Bound reports whether the user has an identity of this provider.
	Bound(u *User) bool
}

// identityProviders returns the providers whose identities live on users.
func (s *Service) identityProviders() []IdentityProvider {
	var out []IdentityProvider
	for _, p := range s.Providers {
		if ip, ok := p.(IdentityProvider); ok {
			out = append(out, ip)
		}
	}
	return out
}

// identityProvider returns the named identity provider, or nil.
func (s *Service) identityProvider(name string) IdentityProvider {
	for _, p := range s.identityProviders() {
		if p.Name() == name {
			return p
		}
	}
	return nil
}

// WebProvider is an IdentityProvider a browser signs in with through a
// redirect (web OAuth: GitHub, Google, DingTalk, Weibo, QQ on PC, WeChat
// website login, Facebook, X): loginByOAuth, bindOAuth and unbindOAuth
// name it by Name, getOAuthProviders lists it with its Button.
type WebProvider interface {
	IdentityProvider
	// Button is how a login page shows the provider.
	Button() Button
	// WebSupported reports whether cfg has the keys of the provider's web
	// application for platform (what getOAuthProviders lists).
	WebSupported(cfg *config.Config, platform string) bool
	// PKCE reports whether the provider takes a PKCE code challenge (S256);
	// for X it is required.
	PKCE() bool
}

// Button is a web provider's entry in the login page's list: its display
// name by locale ("zh-Hans", "en") and its icon, a data: URL (no external
// asset).
type Button struct {
	Names map[string]string
	Icon  string
}

// webProvider returns the named web provider, or nil.
func (s *Service) webProvider(name string) WebProvider {
	for _, p := range s.Providers {
		if wp, ok := p.(WebProvider); ok && wp.Name() == name {
			return wp
		}
	}
	return nil
}
