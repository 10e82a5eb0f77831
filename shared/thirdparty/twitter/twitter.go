// Package twitter is the X (Twitter) web login provider, OAuth 2.0 with
// PKCE required: keys web.oauth.twitter.appid (the OAuth 2.0 Client ID) and
// .appsecret (the Client Secret of a confidential "Web App"). The identity
// is X's user id. The API client is shared/providers/twitter.
package twitter

import (
	"context"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	api "github.com/idco-dev/idco/shared/providers/twitter"
	"github.com/idco-dev/idco/shared/thirdparty/kit"
)

// EnvBaseURL points the client at one server standing in for x.com and
// api.x.com (tests, the dev server with fakes). Production leaves it
// unset.
const EnvBaseURL = "IDCO_TWITTER_BASE_URL"

// Provider is X.
var Provider account.WebProvider = provider{kit.Web{Keyed: "twitter", Pkce: true,
	ZhName: "X（推特）", EnName: "X (Twitter)", IconSVG: kit.Badge("#000000", "X")}}

type provider struct{ kit.Web }

func client(env *kit.Env) *api.Client {
	return &api.Client{BaseURL: env.Getenv(EnvBaseURL), HTTP: env.HTTP}
}

// AuthCodeURL implements kit.WebAuthorizer; X requires the challenge.
func (p provider) AuthCodeURL(env *kit.Env, cfg *config.Config, redirectURI, state, codeChallenge string) (string, error) {
	if kit.Missing(codeChallenge) {
		return "", apierr.Param(apierr.ParamRequired, "codeChallenge")
	}
	id, err := kit.WebAppID(cfg, p.Name())
	if err != nil {
		return "", err
	}
	return client(env).AuthCodeURL(id, redirectURI, state, codeChallenge), nil
}

// Identify exchanges the code with its verifier and reads the user.
func (p provider) Identify(ctx context.Context, env *kit.Env, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	id, secret, err := kit.WebCreds(cfg, pr, p.Name())
	if err != nil {
		return nil, err
	}
	if kit.Missing(pr.CodeVerifier) {
		return nil, apierr.Param(apierr.ParamRequired, "codeVerifier")
	}
	cl := client(env)
	tok, err := cl.Token(ctx, id, secret, pr.Code, pr.RedirectURI, pr.CodeVerifier)
	if err != nil {
		return nil, kit.ClassifyAPI(err)
	}
	u, err := cl.Me(ctx, tok)
	if err != nil {
		return nil, kit.ClassifyAPI(err)
	}
	name := u.Name
	if name == "" {
		name = u.Username
	}
	return &account.Identity{Provider: p.Name(), Sub: "web", OpenID: u.ID, Profile: kit.KnownProfile(name, u.ProfileImageURL)}, nil
}
