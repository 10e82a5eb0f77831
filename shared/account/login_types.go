package account

import (
	"context"

	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
)

// supported reports whether cfg has every key provider needs on platform,
// as uni-id's getSupportedLoginType checks.
func supported(cfg *config.Config, provider, platform string) bool {
	need := func(block string, keys ...string) bool {
		for _, k := range keys {
			if cfg.OAuthString(block, k) == "" {
				return false
			}
		}
		return true
	}
	switch provider {
	case Weixin:
		switch platform {
		case "web":
			return need("weixin-h5", "appid", "appsecret") || need("weixin-web", "appid", "appsecret")
		case "app", "mp-weixin":
			return need("weixin", "appid", "appsecret")
		}
	case QQ:
		return (platform == "app" || platform == "mp-qq") && need("qq", "appid", "appsecret")
	case Alipay:
		return platform == "mp-alipay" && need("alipay", "appid", "privateKey", "alipayPublicKey")
	case Apple:
		return (platform == "app" || platform == "web") && len(cfg.AppleAudiences()) > 0
	case "univerify":
		return platform == "app" && cfg.Idco.Univerify != nil
	}
	return false
}

// LoginTypes is getSupportedLoginType's answer.
type LoginTypes struct {
	SupportedLoginType []string `json:"supportedLoginType"`
}

// GetSupportedLoginType handles getSupportedLoginType: the login types the
// calling app and platform can use, from its config.
func (s *Service) GetSupportedLoginType(ctx context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	types := []string{}
	if cfg.PasswordLoginEnabled() {
		types = append(types, "username-password", "mobile-password", "email-password")
	}
	if cfg.Idco.SMS != nil || s.Dev {
		types = append(types, "mobile-code")
	}
	if cfg.Idco.Email != nil || s.Dev {
		types = append(types, "email-code")
	}
	for _, p := range []string{Weixin, QQ, Apple, Alipay, "univerify"} {
		if supported(cfg, p, c.Client.Platform) {
			types = append(types, p)
		}
	}
	return LoginTypes{SupportedLoginType: types}, nil
}
