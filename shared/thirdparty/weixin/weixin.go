// Package weixin is the WeChat login provider: mini program (code2Session),
// app, official-account h5 and website QR logins (OAuth; the website login
// also through the web redirect flow, loginByOAuth), and the mini-program
// phone number. The API client is shared/providers/weixin.
package weixin

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	wx "github.com/idco-dev/idco/shared/providers/weixin"
	"github.com/idco-dev/idco/shared/thirdparty/kit"
)

// EnvBaseURL points the client at another api.weixin.qq.com, and
// open.weixin.qq.com's pages (tests, the dev server with fakes). Production
// leaves it unset.
const EnvBaseURL = "IDCO_WEIXIN_BASE_URL"

// Provider is WeChat.
var Provider account.WebProvider = provider{}

type provider struct{}

func (provider) Name() string { return account.Weixin }

// Supported: web needs weixin-h5 or weixin-web, app and mp-weixin need the
// weixin block.
func (provider) Supported(cfg *config.Config, platform string) bool {
	switch platform {
	case "web":
		return kit.Has(cfg, "weixin-h5", "appid", "appsecret") || kit.Has(cfg, "weixin-web", "appid", "appsecret")
	case "app", "mp-weixin":
		return kit.Has(cfg, "weixin", "appid", "appsecret")
	}
	return false
}

// WebSupported: the website login (QR) needs weixin-web; the official
// account's login happens inside WeChat, not through the web list.
func (provider) WebSupported(cfg *config.Config, platform string) bool {
	return platform == "web" && kit.Has(cfg, "weixin-web", "appid", "appsecret")
}

func (provider) Button() account.Button {
	return account.Button{Names: map[string]string{"zh-Hans": "微信", "en": "WeChat"}, Icon: kit.SVGIcon(kit.Badge("#07C160", "微信"))}
}

// PKCE: WeChat takes none.
func (provider) PKCE() bool { return false }

// AuthCodeURL implements kit.WebAuthorizer: the website application's QR
// login page.
func (provider) AuthCodeURL(env *kit.Env, cfg *config.Config, redirectURI, state, _ string) (string, error) {
	id, err := kit.WebAppID(cfg, "weixin-web")
	if err != nil {
		return "", err
	}
	return client(env).QRConnectURL(id, redirectURI, state), nil
}

// Keys: an openid is unique per sub-platform and app, a unionid across apps.
func (provider) Keys(u *account.User) []string { return kit.PerApp("wx", u.WxOpenid, u.WxUnionid) }

func (provider) Slot(id *account.Identity, appID string) (string, string) {
	return kit.PerAppSlot("wx", id, appID)
}

func (provider) Owns(key string) bool { return strings.HasPrefix(key, "wx-") }

func (provider) Attach(u *account.User, id *account.Identity, appID string) {
	kit.AttachPerApp(&u.WxOpenid, &u.WxUnionid, id, appID)
}

func (provider) Detach(u *account.User) bool {
	had := len(u.WxOpenid) > 0 || u.WxUnionid != ""
	u.WxOpenid, u.WxUnionid = nil, ""
	return had
}

func (provider) Bound(u *account.User) bool { return len(u.WxOpenid) > 0 || u.WxUnionid != "" }

func client(env *kit.Env) *wx.Client {
	return &wx.Client{BaseURL: env.Getenv(EnvBaseURL), HTTP: env.HTTP}
}

// sub returns uni-id's WeChat sub-platform and its config block. A web
// redirect (a proof with a redirect URI) is the website login's, from
// qrconnect, whatever the browser.
func sub(platform, ua, redirectURI string) (sub, block string, ok bool) {
	switch {
	case platform == "web" && redirectURI != "":
		return "web", "weixin-web", true
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

// isWeChatBrowser tells WeChat's in-app browser (the official account, h5)
// from an ordinary browser (website QR login), as uni-id does.
func isWeChatBrowser(ua string) bool { return strings.Contains(ua, "MicroMessenger") }

func classify(err error) error {
	var we *wx.Error
	if errors.As(err, &we) {
		return kit.Classify(err, we.Retryable(), we.RateLimited())
	}
	return kit.Classify(err, wx.IsRetryable(err), false)
}

// Identify verifies a WeChat code.
func (provider) Identify(ctx context.Context, env *kit.Env, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	if kit.Missing(pr.Code) {
		return nil, apierr.Param(apierr.ParamRequired, "code")
	}
	s, block, ok := sub(pr.Platform, pr.UserAgent, pr.RedirectURI)
	if !ok {
		return nil, apierr.New(apierr.InvalidParam)
	}
	c, err := kit.Creds(cfg, pr.Platform, block, "appid", "appsecret")
	if err != nil {
		return nil, err
	}
	appID, secret := c[0], c[1]
	cl := client(env)
	if s == "mp" {
		ses, err := cl.Code2Session(ctx, appID, secret, pr.Code)
		if err != nil {
			return nil, classify(err)
		}
		return &account.Identity{Provider: account.Weixin, Sub: s, OpenID: ses.OpenID, UnionID: ses.UnionID,
			Secret: ses.SessionKey, SecretTTL: kit.SessionKeyTTL}, nil
	}
	t, err := cl.OAuthToken(ctx, appID, secret, pr.Code)
	if err != nil {
		return nil, classify(err)
	}
	id := &account.Identity{Provider: account.Weixin, Sub: s, OpenID: t.OpenID, UnionID: t.UnionID}
	if strings.Contains(t.Scope, "snsapi_userinfo") || strings.Contains(t.Scope, "snsapi_login") {
		id.Profile = func(ctx context.Context) (string, string, error) {
			u, err := cl.UserInfo(ctx, t.AccessToken, t.OpenID)
			if err != nil {
				return "", "", err
			}
			return u.Nickname, u.HeadImgURL, nil
		}
	}
	return id, nil
}

// Phone reads the number behind a mini-program phone code, or opens
// encryptedData with the stored session_key.
func (provider) Phone(ctx context.Context, env *kit.Env, cfg *config.Config, pr account.PhoneProof) (string, error) {
	if pr.Kind == account.PhoneData {
		c, err := kit.Creds(cfg, "mp-weixin", "weixin", "appid")
		if err != nil {
			return "", err
		}
		ph, err := wx.DecryptPhone(pr.SessionKey, pr.Data, pr.IV, c[0])
		if err != nil {
			// Every decryption failure answers the same, so the answers
			// cannot be used as a padding oracle.
			return "", apierr.Wrap(apierr.ThirdPartyFailed, errors.New("encrypted data rejected"))
		}
		return phoneOf(ph), nil
	}
	c, err := kit.Creds(cfg, "mp-weixin", "weixin", "appid", "appsecret")
	if err != nil {
		return "", err
	}
	appID, secret := c[0], c[1]
	cl := client(env)
	for attempt := 0; attempt < 2; attempt++ {
		tok, err := mpToken(ctx, env, cl, appID, secret, attempt > 0)
		if err != nil {
			return "", classify(err)
		}
		ph, err := cl.PhoneNumber(ctx, tok, pr.Code, appID)
		var we *wx.Error
		if errors.As(err, &we) && we.InvalidToken() && attempt == 0 {
			continue // the cached token was revoked: fetch a new one once
		}
		if err != nil {
			return "", classify(err)
		}
		return phoneOf(ph), nil
	}
	return "", apierr.New(apierr.RetryLater)
}

// mpToken returns the mini program's access token from the cache, shared by
// every Lambda, or a new one stored until five minutes before it expires.
func mpToken(ctx context.Context, env *kit.Env, cl *wx.Client, appID, secret string, fresh bool) (string, error) {
	key := "wx-access-token:" + appID
	if env.Cache != nil && !fresh {
		if v, err := env.Cache.CacheGet(ctx, key, env.Time()); err == nil {
			return string(v), nil
		}
	}
	tok, expiresIn, err := cl.AccessToken(ctx, appID, secret)
	if err != nil {
		return "", err
	}
	if env.Cache != nil && expiresIn > 600 {
		_ = env.Cache.CacheSet(ctx, key, []byte(tok), env.Time().Add(time.Duration(expiresIn-300)*time.Second))
	}
	return tok, nil
}

// phoneOf returns a WeChat number in the form idco parses: 11 digits for
// mainland China, E.164 otherwise.
func phoneOf(ph *wx.Phone) string {
	if ph.CountryCode == "" || ph.CountryCode == "86" {
		return ph.PurePhoneNumber
	}
	return "+" + ph.CountryCode + ph.PurePhoneNumber
}
