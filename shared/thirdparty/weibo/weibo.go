// Package weibo is the Sina Weibo web login provider: keys
// web.oauth.weibo.appid (the App Key) and .appsecret (the App Secret). The
// identity is the user's uid. The API client is shared/providers/weibo.
package weibo

import (
	"context"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/config"
	api "github.com/idco-dev/idco/shared/providers/weibo"
	"github.com/idco-dev/idco/shared/thirdparty/kit"
)

// EnvBaseURL points the client at another api.weibo.com (tests, the dev
// server with fakes). Production leaves it unset.
const EnvBaseURL = "IDCO_WEIBO_BASE_URL"

// Provider is Weibo.
var Provider account.WebProvider = provider{kit.Web{Keyed: "weibo",
	ZhName: "微博", EnName: "Weibo", IconSVG: kit.Badge("#E6162D", "微博")}}

type provider struct{ kit.Web }

func client(env *kit.Env) *api.Client {
	return &api.Client{BaseURL: env.Getenv(EnvBaseURL), HTTP: env.HTTP}
}

// AuthCodeURL implements kit.WebAuthorizer; Weibo takes no PKCE.
func (p provider) AuthCodeURL(env *kit.Env, cfg *config.Config, redirectURI, state, _ string) (string, error) {
	id, err := kit.WebAppID(cfg, p.Name())
	if err != nil {
		return "", err
	}
	return client(env).AuthCodeURL(id, redirectURI, state), nil
}

// Identify exchanges the code; the answer names the uid, and the profile
// is read only for a registration.
func (p provider) Identify(ctx context.Context, env *kit.Env, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	id, secret, err := kit.WebCreds(cfg, pr, p.Name())
	if err != nil {
		return nil, err
	}
	cl := client(env)
	tok, err := cl.Token(ctx, id, secret, pr.Code, pr.RedirectURI)
	if err != nil {
		return nil, kit.ClassifyAPI(err)
	}
	return &account.Identity{Provider: p.Name(), Sub: "web", OpenID: tok.UID,
		Profile: func(ctx context.Context) (string, string, error) {
			u, err := cl.Show(ctx, tok.AccessToken, tok.UID)
			if err != nil {
				return "", "", err
			}
			return u.ScreenName, u.Avatar, nil
		}}, nil
}
