// Package facebook is the Facebook web login provider: keys
// web.oauth.facebook.appid (the App ID) and .appsecret (the App Secret),
// and optionally .version (the Graph API version, default
// facebook.DefaultVersion of shared/providers/facebook). The identity is
// the app-scoped user id. The API client is shared/providers/facebook.
package facebook

import (
	"context"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/internal/lazyre"
	api "github.com/idco-dev/idco/shared/providers/facebook"
	"github.com/idco-dev/idco/shared/thirdparty/kit"
)

// EnvBaseURL points the client at one server standing in for
// www.facebook.com and graph.facebook.com (tests, the dev server with
// fakes). Production leaves it unset.
const EnvBaseURL = "IDCO_FACEBOOK_BASE_URL"

// Provider is Facebook.
var Provider account.WebProvider = provider{kit.Web{Keyed: "facebook",
	ZhName: "脸书", EnName: "Facebook", IconSVG: kit.Badge("#1877F2", "f")}}

type provider struct{ kit.Web }

// versionRE is a Graph API version, such as v23.0.
var versionRE = lazyre.New(`^v[0-9]{1,3}\.[0-9]{1,2}$`)

// client returns a client for the config's Graph API version.
func client(env *kit.Env, cfg *config.Config) (*api.Client, error) {
	v := cfg.OAuthString("facebook", "version")
	if v != "" && !versionRE.MatchString(v) {
		return nil, &apierr.Error{Code: apierr.ConfigFieldInvalid, Values: map[string]string{"field": "web.oauth.facebook.version"}}
	}
	return &api.Client{BaseURL: env.Getenv(EnvBaseURL), Version: v, HTTP: env.HTTP}, nil
}

// AuthCodeURL implements kit.WebAuthorizer; the manual web flow takes no
// PKCE (Facebook's PKCE is its OIDC flow, still in testing).
func (p provider) AuthCodeURL(env *kit.Env, cfg *config.Config, redirectURI, state, _ string) (string, error) {
	id, err := kit.WebAppID(cfg, p.Name())
	if err != nil {
		return "", err
	}
	cl, err := client(env, cfg)
	if err != nil {
		return "", err
	}
	return cl.AuthCodeURL(id, redirectURI, state), nil
}

// Identify exchanges the code and reads the user.
func (p provider) Identify(ctx context.Context, env *kit.Env, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	id, secret, err := kit.WebCreds(cfg, pr, p.Name())
	if err != nil {
		return nil, err
	}
	cl, err := client(env, cfg)
	if err != nil {
		return nil, err
	}
	tok, err := cl.Token(ctx, id, secret, pr.Code, pr.RedirectURI)
	if err != nil {
		return nil, kit.ClassifyAPI(err)
	}
	u, err := cl.Me(ctx, tok, secret)
	if err != nil {
		return nil, kit.ClassifyAPI(err)
	}
	return &account.Identity{Provider: p.Name(), Sub: "web", OpenID: u.ID, Profile: kit.KnownProfile(u.Name, u.Picture)}, nil
}
