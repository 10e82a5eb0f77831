package thirdparty

import (
	"context"
	"errors"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/providers/alipay"
	"github.com/idco-dev/idco/shared/providers/apple"
	"github.com/idco-dev/idco/shared/providers/qq"
)

func (p *Providers) qq(ctx context.Context, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	c, err := creds(cfg, pr.Platform, "qq", "appid", "appsecret")
	if err != nil {
		return nil, err
	}
	appID, secret := c[0], c[1]
	switch pr.Platform {
	case "mp-qq":
		if missing(pr.Code) {
			return nil, apierr.Param(apierr.ParamRequired, "code")
		}
		s, err := p.QQ.Code2Session(ctx, appID, secret, pr.Code)
		if err != nil {
			return nil, qqErr(err)
		}
		return &account.Identity{Provider: account.QQ, Sub: "mp", OpenID: s.OpenID, UnionID: s.UnionID,
			Secret: s.SessionKey, SecretTTL: sessionKeyTTL}, nil
	case "app":
		if missing(pr.AccessToken) {
			return nil, apierr.Param(apierr.ParamRequired, "accessToken")
		}
		me, err := p.QQ.Me(ctx, pr.AccessToken, appID)
		if err != nil {
			return nil, qqErr(err)
		}
		return &account.Identity{Provider: account.QQ, Sub: "app", OpenID: me.OpenID, UnionID: me.UnionID,
			Profile: func(ctx context.Context) (string, string, error) {
				u, err := p.QQ.UserInfo(ctx, pr.AccessToken, appID, me.OpenID)
				if err != nil {
					return "", "", err
				}
				return u.Nickname, u.FigureURL, nil
			}}, nil
	}
	return nil, apierr.New(apierr.InvalidParam)
}

func qqErr(err error) error {
	var qe *qq.Error
	if errors.As(err, &qe) {
		return classify(err, qe.Retryable(), qe.RateLimited())
	}
	return classify(err, qq.IsRetryable(err), false)
}

func (p *Providers) alipay(ctx context.Context, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	if pr.Platform != "mp-alipay" {
		return nil, apierr.New(apierr.InvalidParam)
	}
	if missing(pr.Code) {
		return nil, apierr.Param(apierr.ParamRequired, "code")
	}
	c, err := creds(cfg, pr.Platform, "alipay", "appid", "privateKey", "alipayPublicKey")
	if err != nil {
		return nil, err
	}
	priv, err1 := alipay.ParsePrivateKey(c[1])
	pub, err2 := alipay.ParsePublicKey(c[2])
	if err := errors.Join(err1, err2); err != nil {
		return nil, &apierr.Error{Code: apierr.ConfigFieldInvalid, Values: map[string]string{"field": "mp-alipay.oauth.alipay"}, Cause: err}
	}
	gw := p.AlipayGateway
	if gw == "" && cfg.OAuth["alipay"]["sandbox"] == true {
		gw = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
	}
	cl := &alipay.Client{Gateway: gw, AppID: c[0], PrivateKey: priv, AlipayPublicKey: pub, HTTP: p.HTTP, Now: p.Now}
	t, err := cl.OAuthToken(ctx, pr.Code)
	if err != nil {
		var ae *alipay.Error
		if errors.As(err, &ae) {
			return nil, classify(err, ae.Retryable(), false)
		}
		return nil, classify(err, alipay.IsRetryable(err), false)
	}
	openID := t.UserID
	if openID == "" {
		openID = t.OpenID
	}
	return &account.Identity{Provider: account.Alipay, Sub: "mp", OpenID: openID}, nil
}

func (p *Providers) apple(ctx context.Context, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	if missing(pr.IdentityToken) {
		return nil, apierr.Param(apierr.ParamRequired, "identityToken")
	}
	auds := cfg.AppleAudiences()
	if len(auds) == 0 {
		return nil, &apierr.Error{Code: apierr.ConfigFieldRequired, Values: map[string]string{"field": pr.Platform + ".oauth.apple.bundleId"}}
	}
	id, err := p.Apple.Verify(ctx, pr.IdentityToken, auds, pr.Nonce)
	if err != nil {
		// An Apple email never matches an account: only sub is kept.
		return nil, classify(err, errors.Is(err, apple.ErrUnavailable), false)
	}
	return &account.Identity{Provider: account.Apple, Sub: "app", OpenID: id.Subject}, nil
}
