// Package alipay is the Alipay mini-program login provider
// (alipay.system.oauth.token). The API client is shared/providers/alipay.
package alipay

import (
	"context"
	"errors"
	"strings"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	aliapi "github.com/idco-dev/idco/shared/providers/alipay"
	"github.com/idco-dev/idco/shared/thirdparty/kit"
)

// EnvGateway points the client at another gateway (tests, the dev server
// with fakes). Production leaves it unset.
const EnvGateway = "IDCO_ALIPAY_GATEWAY"

// sandboxGateway is Alipay's sandbox, used when the oauth block says
// "sandbox": true.
const sandboxGateway = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"

// Provider is Alipay.
var Provider account.IdentityProvider = provider{}

type provider struct{}

func (provider) Name() string { return account.Alipay }

func (provider) Supported(cfg *config.Config, platform string) bool {
	return platform == "mp-alipay" && kit.Has(cfg, "alipay", "appid", "privateKey", "alipayPublicKey")
}

func (provider) Keys(u *account.User) []string {
	if u.AliOpenid == "" {
		return nil
	}
	return []string{"ali-openid:" + u.AliOpenid}
}

func (provider) Slot(id *account.Identity, _ string) (string, string) {
	return "ali-openid:" + id.OpenID, ""
}

func (provider) Owns(key string) bool { return strings.HasPrefix(key, "ali-") }

func (provider) Attach(u *account.User, id *account.Identity, _ string) { u.AliOpenid = id.OpenID }

func (provider) Detach(u *account.User) bool {
	had := u.AliOpenid != ""
	u.AliOpenid = ""
	return had
}

func (provider) Bound(u *account.User) bool { return u.AliOpenid != "" }

// Identify exchanges a mini-program auth code for the user's id.
func (provider) Identify(ctx context.Context, env *kit.Env, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	if pr.Platform != "mp-alipay" {
		return nil, apierr.New(apierr.InvalidParam)
	}
	if kit.Missing(pr.Code) {
		return nil, apierr.Param(apierr.ParamRequired, "code")
	}
	c, err := kit.Creds(cfg, pr.Platform, "alipay", "appid", "privateKey", "alipayPublicKey")
	if err != nil {
		return nil, err
	}
	priv, err1 := aliapi.ParsePrivateKey(c[1])
	pub, err2 := aliapi.ParsePublicKey(c[2])
	if err := errors.Join(err1, err2); err != nil {
		return nil, &apierr.Error{Code: apierr.ConfigFieldInvalid, Values: map[string]string{"field": "mp-alipay.oauth.alipay"}, Cause: err}
	}
	gw := env.Getenv(EnvGateway)
	if gw == "" && cfg.OAuth["alipay"]["sandbox"] == true {
		gw = sandboxGateway
	}
	cl := &aliapi.Client{Gateway: gw, AppID: c[0], PrivateKey: priv, AlipayPublicKey: pub, HTTP: env.HTTP, Now: env.Now}
	t, err := cl.OAuthToken(ctx, pr.Code)
	if err != nil {
		var ae *aliapi.Error
		if errors.As(err, &ae) {
			return nil, kit.Classify(err, ae.Retryable(), false)
		}
		return nil, kit.Classify(err, aliapi.IsRetryable(err), false)
	}
	openID := t.UserID
	if openID == "" {
		openID = t.OpenID
	}
	return &account.Identity{Provider: account.Alipay, Sub: "mp", OpenID: openID}, nil
}
