// Package thirdparty is the registry of login providers: each provider is
// one package below it (weixin, qq, alipay, apple, univerify, and the web
// ones: github, google, dingtalk, weibo, facebook, twitter) that declares its config keys
// (Supported), where its identity lives on the user record and its unique
// keys (account.IdentityProvider), how its proofs are verified
// (kit.Identifier, kit.PhoneReader) and, for a web provider, its button and
// authorization address (account.WebProvider, kit.WebAuthorizer). All lists
// them; Wire gives the functions that log in and bind the verifiers.
package thirdparty

import (
	"context"
	"net/http"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/thirdparty/alipay"
	"github.com/idco-dev/idco/shared/thirdparty/apple"
	"github.com/idco-dev/idco/shared/thirdparty/dingtalk"
	"github.com/idco-dev/idco/shared/thirdparty/facebook"
	"github.com/idco-dev/idco/shared/thirdparty/github"
	"github.com/idco-dev/idco/shared/thirdparty/google"
	"github.com/idco-dev/idco/shared/thirdparty/kit"
	"github.com/idco-dev/idco/shared/thirdparty/qq"
	"github.com/idco-dev/idco/shared/thirdparty/twitter"
	"github.com/idco-dev/idco/shared/thirdparty/univerify"
	"github.com/idco-dev/idco/shared/thirdparty/weibo"
	"github.com/idco-dev/idco/shared/thirdparty/weixin"
	"github.com/idco-dev/idco/shared/wiring"
)

// All lists every login provider, one line each, in the order
// getSupportedLoginType answers them. Every function's service holds it
// (app.NewService): the domain needs the identities' keys everywhere, and
// a binary links a provider's API client only where Wire is applied.
func All() []account.Provider {
	return []account.Provider{
		weixin.Provider,
		qq.Provider,
		apple.Provider,
		alipay.Provider,
		univerify.Provider,
		github.Provider,
		google.Provider,
		dingtalk.Provider,
		weibo.Provider,
		facebook.Provider,
		twitter.Provider,
	}
}

// Verifiers implements account.Identities and account.Phones over the
// providers' packages.
type Verifiers struct {
	Providers []account.Provider
	Env       *kit.Env
}

var (
	_ account.Identities = (*Verifiers)(nil)
	_ account.Phones     = (*Verifiers)(nil)
	_ account.OAuthURLs  = (*Verifiers)(nil)
)

// New returns the verifiers of every provider, with endpoints from getenv
// and an HTTP client that keeps every call inside a Lambda's deadline.
func New(getenv func(string) string, cache account.Cache, now func() time.Time) *Verifiers {
	return &Verifiers{Providers: All(), Env: &kit.Env{HTTP: &http.Client{Timeout: 5 * time.Second}, Getenv: getenv, Cache: cache, Now: now}}
}

func (v *Verifiers) find(name string) account.Provider {
	for _, p := range v.Providers {
		if p.Name() == name {
			return p
		}
	}
	return nil
}

// Identify implements account.Identities.
func (v *Verifiers) Identify(ctx context.Context, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	if p, ok := v.find(pr.Provider).(kit.Identifier); ok {
		return p.Identify(ctx, v.Env, cfg, pr)
	}
	return nil, apierr.New(apierr.InvalidParam)
}

// Phone implements account.Phones.
func (v *Verifiers) Phone(ctx context.Context, cfg *config.Config, pr account.PhoneProof) (string, error) {
	if p, ok := v.find(pr.Provider).(kit.PhoneReader); ok {
		return p.Phone(ctx, v.Env, cfg, pr)
	}
	return "", apierr.New(apierr.InvalidParam)
}

// AuthCodeURL implements account.OAuthURLs.
func (v *Verifiers) AuthCodeURL(cfg *config.Config, provider, redirectURI, state, codeChallenge string) (string, error) {
	if p, ok := v.find(provider).(kit.WebAuthorizer); ok {
		return p.AuthCodeURL(v.Env, cfg, redirectURI, state, codeChallenge)
	}
	return "", apierr.Param(apierr.InvalidParam, "provider")
}

// Wire adds the providers' verifiers to a service (the login and bind
// functions).
var Wire = wiring.Wire{Name: "thirdparty", ThirdParty: true, Apply: apply}

func apply(_ context.Context, svc *account.Service, rt wiring.Runtime) error {
	v := New(rt.Getenv, svc.Cache, svc.Now)
	svc.Identities, svc.Phones, svc.OAuthURLs = v, v, v
	return nil
}
