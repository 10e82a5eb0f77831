package thirdparty

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/providers/weixin"
)

// sessionKeyTTL is how long a mini-program session_key is kept, as uni-id's
// open-data cache.
const sessionKeyTTL = 30 * 24 * time.Hour

// weixinSub returns uni-id's WeChat sub-platform and its config block.
func weixinSub(platform, ua string) (sub, block string, ok bool) {
	switch {
	case platform == "mp-weixin":
		return "mp", "weixin", true
	case platform == "app":
		return "app", "weixin", true
	case platform == "web" && isWeChatBrowser(ua):
		return "h5", "weixin-h5", true
	case platform == "web":
		return "web", "weixin-web", true
	}
	return "", "", false
}

func weixinErr(err error) error {
	var we *weixin.Error
	if errors.As(err, &we) {
		return classify(err, we.Retryable(), we.RateLimited())
	}
	return classify(err, weixin.IsRetryable(err), false)
}

func (p *Providers) weixin(ctx context.Context, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	if missing(pr.Code) {
		return nil, apierr.Param(apierr.ParamRequired, "code")
	}
	sub, block, ok := weixinSub(pr.Platform, pr.UserAgent)
	if !ok {
		return nil, apierr.New(apierr.InvalidParam)
	}
	c, err := creds(cfg, pr.Platform, block, "appid", "appsecret")
	if err != nil {
		return nil, err
	}
	appID, secret := c[0], c[1]
	if sub == "mp" {
		s, err := p.Weixin.Code2Session(ctx, appID, secret, pr.Code)
		if err != nil {
			return nil, weixinErr(err)
		}
		return &account.Identity{Provider: account.Weixin, Sub: sub, OpenID: s.OpenID, UnionID: s.UnionID,
			Secret: s.SessionKey, SecretTTL: sessionKeyTTL}, nil
	}
	t, err := p.Weixin.OAuthToken(ctx, appID, secret, pr.Code)
	if err != nil {
		return nil, weixinErr(err)
	}
	id := &account.Identity{Provider: account.Weixin, Sub: sub, OpenID: t.OpenID, UnionID: t.UnionID}
	if strings.Contains(t.Scope, "snsapi_userinfo") || strings.Contains(t.Scope, "snsapi_login") {
		id.Profile = func(ctx context.Context) (string, string, error) {
			u, err := p.Weixin.UserInfo(ctx, t.AccessToken, t.OpenID)
			if err != nil {
				return "", "", err
			}
			return u.Nickname, u.HeadImgURL, nil
		}
	}
	return id, nil
}

// weixinPhone gets the number behind a mini-program phone code, with the
// mini program's access token cached in DynamoDB for every Lambda.
func (p *Providers) weixinPhone(ctx context.Context, cfg *config.Config, code string) (string, error) {
	c, err := creds(cfg, "mp-weixin", "weixin", "appid", "appsecret")
	if err != nil {
		return "", err
	}
	appID, secret := c[0], c[1]
	for attempt := 0; attempt < 2; attempt++ {
		tok, err := p.mpToken(ctx, appID, secret, attempt > 0)
		if err != nil {
			return "", weixinErr(err)
		}
		ph, err := p.Weixin.PhoneNumber(ctx, tok, code, appID)
		var we *weixin.Error
		if errors.As(err, &we) && we.InvalidToken() && attempt == 0 {
			continue // the cached token was revoked: fetch a new one once
		}
		if err != nil {
			return "", weixinErr(err)
		}
		return phoneOf(ph), nil
	}
	return "", apierr.New(apierr.RetryLater)
}

// mpToken returns the mini program's access token from the cache, or a new
// one stored until five minutes before it expires.
func (p *Providers) mpToken(ctx context.Context, appID, secret string, fresh bool) (string, error) {
	key := "wx-access-token:" + appID
	if p.Cache != nil && !fresh {
		if v, err := p.Cache.CacheGet(ctx, key, p.now()); err == nil {
			return string(v), nil
		}
	}
	tok, expiresIn, err := p.Weixin.AccessToken(ctx, appID, secret)
	if err != nil {
		return "", err
	}
	if p.Cache != nil && expiresIn > 600 {
		_ = p.Cache.CacheSet(ctx, key, []byte(tok), p.now().Add(time.Duration(expiresIn-300)*time.Second))
	}
	return tok, nil
}

// phoneOf returns a WeChat number in the form idco parses: 11 digits for
// mainland China, E.164 otherwise.
func phoneOf(ph *weixin.Phone) string {
	if ph.CountryCode == "" || ph.CountryCode == "86" {
		return ph.PurePhoneNumber
	}
	return "+" + ph.CountryCode + ph.PurePhoneNumber
}

func missing(s string) bool { return strings.TrimSpace(s) == "" }
