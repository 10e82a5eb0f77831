// Package dingtalk is the DingTalk web login provider (扫码登录 on
// login.dingtalk.com): keys web.oauth.dingtalk.appid (the app's Client ID,
// formerly AppKey) and .appsecret (its Client Secret). The identity is the
// user's unionId. The API client is shared/providers/dingtalk.
package dingtalk

import (
	"context"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/config"
	api "github.com/idco-dev/idco/shared/providers/dingtalk"
	"github.com/idco-dev/idco/shared/thirdparty/kit"
)

// EnvBaseURL points the client at one server standing in for
// login.dingtalk.com and api.dingtalk.com (tests, the dev server with
// fakes). Production leaves it unset.
const EnvBaseURL = "IDCO_DINGTALK_BASE_URL"

// Provider is DingTalk.
var Provider account.WebProvider = provider{kit.Web{Keyed: "dingtalk",
	ZhName: "钉钉", EnName: "DingTalk", IconSVG: kit.Badge("#007FFF", "D")}}

type provider struct{ kit.Web }

func client(env *kit.Env) *api.Client {
	return &api.Client{BaseURL: env.Getenv(EnvBaseURL), HTTP: env.HTTP}
}

// AuthCodeURL implements kit.WebAuthorizer; DingTalk takes no PKCE.
func (p provider) AuthCodeURL(env *kit.Env, cfg *config.Config, redirectURI, state, _ string) (string, error) {
	id, err := kit.WebAppID(cfg, p.Name())
	if err != nil {
		return "", err
	}
	return client(env).AuthCodeURL(id, redirectURI, state), nil
}

// Identify exchanges the authCode and reads the user's unionId.
func (p provider) Identify(ctx context.Context, env *kit.Env, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	id, secret, err := kit.WebCreds(cfg, pr, p.Name())
	if err != nil {
		return nil, err
	}
	cl := client(env)
	tok, err := cl.Token(ctx, id, secret, pr.Code)
	if err != nil {
		return nil, kit.ClassifyAPI(err)
	}
	u, err := cl.Me(ctx, tok)
	if err != nil {
		return nil, kit.ClassifyAPI(err)
	}
	return &account.Identity{Provider: p.Name(), Sub: "web", OpenID: u.UnionID, Profile: kit.KnownProfile(u.Nick, u.AvatarURL)}, nil
}
