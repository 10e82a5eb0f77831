// Package github is the GitHub web login provider (an OAuth app or a GitHub
// App's user authorization, with PKCE): keys web.oauth.github.appid (the
// Client ID) and .appsecret (a client secret). The identity is GitHub's
// numeric user id. The API client is shared/providers/github.
package github

import (
	"context"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/config"
	api "github.com/idco-dev/idco/shared/providers/github"
	"github.com/idco-dev/idco/shared/thirdparty/kit"
)

// EnvBaseURL points the client at one server standing in for github.com
// and api.github.com (tests, the dev server with fakes). Production leaves
// it unset.
const EnvBaseURL = "IDCO_GITHUB_BASE_URL"

// Provider is GitHub.
var Provider account.WebProvider = provider{kit.Web{Keyed: "github", Pkce: true,
	ZhName: "GitHub", EnName: "GitHub", IconSVG: kit.Badge("#24292f", "GH")}}

type provider struct{ kit.Web }

func client(env *kit.Env) *api.Client {
	return &api.Client{BaseURL: env.Getenv(EnvBaseURL), HTTP: env.HTTP}
}

// AuthCodeURL implements kit.WebAuthorizer.
func (p provider) AuthCodeURL(env *kit.Env, cfg *config.Config, redirectURI, state, codeChallenge string) (string, error) {
	id, err := kit.WebAppID(cfg, p.Name())
	if err != nil {
		return "", err
	}
	return client(env).AuthCodeURL(id, redirectURI, state, codeChallenge), nil
}

// Identify exchanges the code and reads the user's id.
func (p provider) Identify(ctx context.Context, env *kit.Env, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	id, secret, err := kit.WebCreds(cfg, pr, p.Name())
	if err != nil {
		return nil, err
	}
	cl := client(env)
	tok, err := cl.Token(ctx, id, secret, pr.Code, pr.RedirectURI, pr.CodeVerifier)
	if err != nil {
		return nil, kit.ClassifyAPI(err)
	}
	u, err := cl.User(ctx, tok)
	if err != nil {
		return nil, kit.ClassifyAPI(err)
	}
	name := u.Name
	if name == "" {
		name = u.Login
	}
	return &account.Identity{Provider: p.Name(), Sub: "web", OpenID: u.ID, Profile: kit.KnownProfile(name, u.AvatarURL)}, nil
}
