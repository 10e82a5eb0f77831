// Package google is the Google web login provider (OpenID Connect, with
// PKCE): keys web.oauth.google.appid (the OAuth client ID) and .appsecret
// (its client secret). The identity is the verified id_token's sub, never
// the Gmail address. The API client is shared/providers/google.
package google

import (
	"context"
	"errors"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/config"
	api "github.com/idco-dev/idco/shared/providers/google"
	"github.com/idco-dev/idco/shared/thirdparty/kit"
)

// EnvBaseURL points the client at one server standing in for
// accounts.google.com, oauth2.googleapis.com and www.googleapis.com's keys
// (tests, the dev server with fakes). Production leaves it unset.
const EnvBaseURL = "IDCO_GOOGLE_BASE_URL"

// Provider is Google.
var Provider account.WebProvider = provider{kit.Web{Keyed: "google", Pkce: true,
	ZhName: "谷歌", EnName: "Google", IconSVG: kit.Badge("#4285F4", "G")}}

type provider struct{ kit.Web }

// client returns the process's client, which keeps Google's keys.
func client(env *kit.Env) *api.Client {
	return env.Keep("google", func() any {
		return &api.Client{BaseURL: env.Getenv(EnvBaseURL), HTTP: env.HTTP, Now: env.Now}
	}).(*api.Client)
}

// AuthCodeURL implements kit.WebAuthorizer.
func (p provider) AuthCodeURL(env *kit.Env, cfg *config.Config, redirectURI, state, codeChallenge string) (string, error) {
	id, err := kit.WebAppID(cfg, p.Name())
	if err != nil {
		return "", err
	}
	return client(env).AuthCodeURL(id, redirectURI, state, codeChallenge), nil
}

// Identify exchanges the code and verifies the id_token.
func (p provider) Identify(ctx context.Context, env *kit.Env, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	id, secret, err := kit.WebCreds(cfg, pr, p.Name())
	if err != nil {
		return nil, err
	}
	who, err := client(env).Exchange(ctx, id, secret, pr.Code, pr.RedirectURI, pr.CodeVerifier)
	if errors.Is(err, api.ErrUnavailable) {
		return nil, kit.Classify(err, true, false)
	}
	if err != nil {
		return nil, kit.ClassifyAPI(err)
	}
	return &account.Identity{Provider: p.Name(), Sub: "web", OpenID: who.Subject, Profile: kit.KnownProfile(who.Name, who.Picture)}, nil
}
