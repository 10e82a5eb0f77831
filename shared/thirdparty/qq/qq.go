// Package qq is the QQ login provider: the QQ mini program (code2Session),
// the app (an access token from QQ Connect) and the PC web login (QQ
// Connect's authorization page and code, web.oauth.qq.appid and
// .appsecret: a website application). The API client is
// shared/providers/qq.
package qq

import (
	"context"
	"errors"
	"strings"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	qqapi "github.com/idco-dev/idco/shared/providers/qq"
	"github.com/idco-dev/idco/shared/thirdparty/kit"
)

// The endpoint overrides (tests, the dev server with fakes).
const (
	EnvMiniBaseURL  = "IDCO_QQ_MINI_BASE_URL"
	EnvGraphBaseURL = "IDCO_QQ_GRAPH_BASE_URL"
)

// Provider is QQ.
var Provider account.WebProvider = provider{}

type provider struct{}

func (provider) Name() string { return account.QQ }

func (provider) Supported(cfg *config.Config, platform string) bool {
	return (platform == "app" || platform == "mp-qq" || platform == "web") && kit.Has(cfg, "qq", "appid", "appsecret")
}

// WebSupported: the PC web login needs web.oauth.qq.
func (provider) WebSupported(cfg *config.Config, platform string) bool {
	return platform == "web" && kit.Has(cfg, "qq", "appid", "appsecret")
}

func (provider) Button() account.Button {
	return account.Button{Names: map[string]string{"zh-Hans": "QQ", "en": "QQ"}, Icon: kit.SVGIcon(kit.Badge("#12B7F5", "QQ"))}
}

// PKCE: QQ Connect takes none.
func (provider) PKCE() bool { return false }

// AuthCodeURL implements kit.WebAuthorizer: QQ Connect's PC login page.
func (provider) AuthCodeURL(env *kit.Env, cfg *config.Config, redirectURI, state, _ string) (string, error) {
	id, err := kit.WebAppID(cfg, "qq")
	if err != nil {
		return "", err
	}
	return client(env).AuthCodeURL(id, redirectURI, state), nil
}

func client(env *kit.Env) *qqapi.Client {
	return &qqapi.Client{MiniBaseURL: env.Getenv(EnvMiniBaseURL), GraphBaseURL: env.Getenv(EnvGraphBaseURL), HTTP: env.HTTP}
}

func (provider) Keys(u *account.User) []string { return kit.PerApp("qq", u.QQOpenid, u.QQUnionid) }

func (provider) Slot(id *account.Identity, appID string) (string, string) {
	return kit.PerAppSlot("qq", id, appID)
}

func (provider) Owns(key string) bool { return strings.HasPrefix(key, "qq-") }

func (provider) Attach(u *account.User, id *account.Identity, appID string) {
	kit.AttachPerApp(&u.QQOpenid, &u.QQUnionid, id, appID)
}

func (provider) Detach(u *account.User) bool {
	had := len(u.QQOpenid) > 0 || u.QQUnionid != ""
	u.QQOpenid, u.QQUnionid = nil, ""
	return had
}

func (provider) Bound(u *account.User) bool { return len(u.QQOpenid) > 0 || u.QQUnionid != "" }

// Identify verifies a mini-program code, an app's access token, or a PC
// web login's code (exchanged for a token, then as the app's).
func (provider) Identify(ctx context.Context, env *kit.Env, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	c, err := kit.Creds(cfg, pr.Platform, "qq", "appid", "appsecret")
	if err != nil {
		return nil, err
	}
	appID, secret := c[0], c[1]
	cl := client(env)
	switch pr.Platform {
	case "mp-qq":
		if kit.Missing(pr.Code) {
			return nil, apierr.Param(apierr.ParamRequired, "code")
		}
		s, err := cl.Code2Session(ctx, appID, secret, pr.Code)
		if err != nil {
			return nil, classify(err)
		}
		return &account.Identity{Provider: account.QQ, Sub: "mp", OpenID: s.OpenID, UnionID: s.UnionID,
			Secret: s.SessionKey, SecretTTL: kit.SessionKeyTTL}, nil
	case "app":
		if kit.Missing(pr.AccessToken) {
			return nil, apierr.Param(apierr.ParamRequired, "accessToken")
		}
		return connect(ctx, cl, appID, pr.AccessToken, "app")
	case "web":
		if _, _, err := kit.WebCreds(cfg, pr, "qq"); err != nil {
			return nil, err
		}
		tok, err := cl.Token(ctx, appID, secret, pr.Code, pr.RedirectURI)
		if err != nil {
			return nil, classify(err)
		}
		return connect(ctx, cl, appID, tok, "web")
	}
	return nil, apierr.New(apierr.InvalidParam)
}

// connect resolves a QQ Connect access token to the identity, checking
// that it was issued to appID.
func connect(ctx context.Context, cl *qqapi.Client, appID, token, sub string) (*account.Identity, error) {
	me, err := cl.Me(ctx, token, appID)
	if err != nil {
		return nil, classify(err)
	}
	return &account.Identity{Provider: account.QQ, Sub: sub, OpenID: me.OpenID, UnionID: me.UnionID,
		Profile: func(ctx context.Context) (string, string, error) {
			u, err := cl.UserInfo(ctx, token, appID, me.OpenID)
			if err != nil {
				return "", "", err
			}
			return u.Nickname, u.FigureURL, nil
		}}, nil
}

func classify(err error) error {
	var qe *qqapi.Error
	if errors.As(err, &qe) {
		return kit.Classify(err, qe.Retryable(), qe.RateLimited())
	}
	return kit.Classify(err, qqapi.IsRetryable(err), false)
}
