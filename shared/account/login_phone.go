package account

import (
	"cmp"
	"context"
	"errors"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/mask"
)

// WeixinMobileParams are loginByWeixinMobile's params.
type WeixinMobileParams struct {
	PhoneCode  string `json:"phoneCode"`
	InviteCode string `json:"inviteCode"`
	BindTicket string `json:"bindTicket"`
}

// LoginByWeixinMobile handles loginByWeixinMobile: the number behind a
// mini-program phone code logs in, or registers.
func (s *Service) LoginByWeixinMobile(ctx context.Context, c *cloudobj.Call, p *WeixinMobileParams) (any, error) {
	if err := required("phoneCode", p.PhoneCode); err != nil {
		return nil, err
	}
	return s.phoneLogin(ctx, c, PhoneProof{Provider: Weixin, Code: p.PhoneCode}, p.BindTicket)
}

// UniverifyParams are loginByUniverify's and bindMobileByUniverify's
// params, named as uni-app's univerify gives them.
type UniverifyParams struct {
	AccessToken string `json:"access_token"`
	OpenID      string `json:"openid"`
	InviteCode  string `json:"inviteCode"`
	BindTicket  string `json:"bindTicket"`
}

// LoginByUniverify handles loginByUniverify: uni-app's one-click login,
// resolved to a number by the configured provider, logs in or registers.
func (s *Service) LoginByUniverify(ctx context.Context, c *cloudobj.Call, p *UniverifyParams) (any, error) {
	if err := required("access_token", p.AccessToken, "openid", p.OpenID); err != nil {
		return nil, err
	}
	return s.phoneLogin(ctx, c, PhoneProof{Provider: Univerify, AccessToken: p.AccessToken, OpenID: p.OpenID}, p.BindTicket)
}

// BindMobileByUniverify handles bindMobileByUniverify.
func (s *Service) BindMobileByUniverify(ctx context.Context, c *cloudobj.Call, p *UniverifyParams) (any, error) {
	if err := required("openid", p.OpenID, "access_token", p.AccessToken); err != nil {
		return nil, err
	}
	return s.phoneBind(ctx, c, PhoneProof{Provider: Univerify, AccessToken: p.AccessToken, OpenID: p.OpenID})
}

// MpWeixinPhoneParams are bindMobileByMpWeixin's params: a phone code, or
// the older encryptedData and iv.
type MpWeixinPhoneParams struct {
	EncryptedData string `json:"encryptedData"`
	IV            string `json:"iv"`
	Code          string `json:"code"`
}

// BindMobileByMpWeixin handles bindMobileByMpWeixin. encryptedData is
// decrypted with the session_key kept from the caller's mini-program login
// and must carry this mini program's appid in its watermark.
func (s *Service) BindMobileByMpWeixin(ctx context.Context, c *cloudobj.Call, p *MpWeixinPhoneParams) (any, error) {
	if !missing(p.Code) {
		return s.phoneBind(ctx, c, PhoneProof{Provider: Weixin, Code: p.Code})
	}
	if missing(p.EncryptedData) || missing(p.IV) {
		return nil, apierr.Param(apierr.InvalidParam, "encryptedData")
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	key := "secret:wx-openid:mp_" + c.Client.AppID + ":" + u.WxOpenid["mp_"+c.Client.AppID]
	var sessionKey []byte
	if s.Cache != nil && u.WxOpenid["mp_"+c.Client.AppID] != "" {
		sessionKey, err = s.Cache.CacheGet(ctx, key, s.now())
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, storeErr("get session key", err)
		}
	}
	if len(sessionKey) == 0 {
		// Log in with WeChat again to get a fresh session_key.
		return nil, apierr.Wrap(apierr.ThirdPartyFailed, errors.New("no session_key for this user"))
	}
	return s.phoneBind(ctx, c, PhoneProof{Provider: Weixin, Kind: PhoneData, Data: p.EncryptedData, IV: p.IV, SessionKey: string(sessionKey)})
}

// phoneNumber resolves a phone proof to a parsed number.
func (s *Service) phoneNumber(ctx context.Context, cfg *config.Config, c *cloudobj.Call, pr PhoneProof) (phone, error) {
	if s.Phones == nil {
		return phone{}, &apierr.Error{Code: apierr.ConfigFieldRequired, Values: map[string]string{"field": pr.Provider}}
	}
	// DCloud checks the appId against the token it issued, so the one the
	// client sent goes when the config names none.
	pr.AppID = cmp.Or(c.Client.AppID, c.Client.SentAppID)
	raw, err := s.Phones.Phone(ctx, cfg, pr)
	if err != nil {
		return phone{}, err
	}
	// The provider proved the number: any region may log in.
	ph, err := parsePhone(raw, []string{"+"})
	if err != nil {
		return phone{}, apierr.Wrap(apierr.ThirdPartyFailed, err)
	}
	c.Log("mobile", mask.Mobile(ph.Stored))
	return ph, nil
}

func (s *Service) phoneLogin(ctx context.Context, c *cloudobj.Call, pr PhoneProof, ticket string) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	ph, err := s.phoneNumber(ctx, cfg, c, pr)
	if err != nil {
		return nil, err
	}
	return s.loginOrRegister(ctx, cfg, c, mobileKey(ph.E164),
		func(u *User) { u.Mobile, u.MobileConfirmed = ph.Stored, 1 }, false, ticket)
}

func (s *Service) phoneBind(ctx context.Context, c *cloudobj.Call, pr PhoneProof) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	ph, err := s.phoneNumber(ctx, cfg, c, pr)
	if err != nil {
		return nil, err
	}
	return nil, s.bind(ctx, c, func(u *User) { u.Mobile, u.MobileConfirmed = ph.Stored, 1 })
}
