package account

import (
	"context"

	"github.com/idco-dev/idco/shared/cloudobj"
)

// CodeParams are the params of logins by a provider code.
type CodeParams struct {
	Code       string `json:"code"`
	InviteCode string `json:"inviteCode"`
}

// LoginByWeixin handles loginByWeixin: a mini-program code (code2session),
// or an app / official-account / website-QR OAuth code. The account is
// found by openid or unionid, or registered.
func (s *Service) LoginByWeixin(ctx context.Context, c *cloudobj.Call, p *CodeParams) (any, error) {
	if err := checkCode(p); err != nil {
		return nil, err
	}
	return s.thirdLogin(ctx, c, Proof{Provider: Weixin, Code: p.Code}, "")
}

// LoginByAlipay handles loginByAlipay: an Alipay mini-program auth code.
func (s *Service) LoginByAlipay(ctx context.Context, c *cloudobj.Call, p *CodeParams) (any, error) {
	if err := checkCode(p); err != nil {
		return nil, err
	}
	return s.thirdLogin(ctx, c, Proof{Provider: Alipay, Code: p.Code}, "")
}

func checkCode(p *CodeParams) error {
	if err := required("code", p.Code); err != nil {
		return err
	}
	return validInviteCode(p.InviteCode)
}

// QQParams are loginByQQ's and bindQQ's params: a mini-program code, or an
// app access token.
type QQParams struct {
	Code               string   `json:"code"`
	AccessToken        string   `json:"accessToken"`
	AccessTokenExpired *float64 `json:"accessTokenExpired"`
	InviteCode         string   `json:"inviteCode"`
}

// LoginByQQ handles loginByQQ, for the QQ mini program and the QQ app.
func (s *Service) LoginByQQ(ctx context.Context, c *cloudobj.Call, p *QQParams) (any, error) {
	if err := validInviteCode(p.InviteCode); err != nil {
		return nil, err
	}
	return s.thirdLogin(ctx, c, Proof{Provider: QQ, Code: p.Code, AccessToken: p.AccessToken}, "")
}

// AppleParams are loginByApple's and bindApple's params. nonce is idco's
// addition: when the client used one, the token must carry it.
type AppleParams struct {
	IdentityToken string `json:"identityToken"`
	Nickname      string `json:"nickname"`
	Nonce         string `json:"nonce"`
	InviteCode    string `json:"inviteCode"`
}

// LoginByApple handles loginByApple: an identity token verified against
// Apple's keys. The account is found by Apple's sub only, never by email.
func (s *Service) LoginByApple(ctx context.Context, c *cloudobj.Call, p *AppleParams) (any, error) {
	if err := required("identityToken", p.IdentityToken); err != nil {
		return nil, err
	}
	if err := validNickname(p.Nickname); err != nil {
		return nil, err
	}
	if err := validInviteCode(p.InviteCode); err != nil {
		return nil, err
	}
	return s.thirdLogin(ctx, c, Proof{Provider: Apple, IdentityToken: p.IdentityToken, Nonce: p.Nonce}, p.Nickname)
}

// BindWeixin handles bindWeixin.
func (s *Service) BindWeixin(ctx context.Context, c *cloudobj.Call, p *CodeParams) (any, error) {
	if err := checkCode(p); err != nil {
		return nil, err
	}
	return s.bindThird(ctx, c, Proof{Provider: Weixin, Code: p.Code})
}

// BindAlipay handles bindAlipay, which uni-id ships broken.
func (s *Service) BindAlipay(ctx context.Context, c *cloudobj.Call, p *CodeParams) (any, error) {
	if err := checkCode(p); err != nil {
		return nil, err
	}
	return s.bindThird(ctx, c, Proof{Provider: Alipay, Code: p.Code})
}

// BindQQ handles bindQQ.
func (s *Service) BindQQ(ctx context.Context, c *cloudobj.Call, p *QQParams) (any, error) {
	return s.bindThird(ctx, c, Proof{Provider: QQ, Code: p.Code, AccessToken: p.AccessToken})
}

// BindApple handles bindApple.
func (s *Service) BindApple(ctx context.Context, c *cloudobj.Call, p *AppleParams) (any, error) {
	if err := required("identityToken", p.IdentityToken); err != nil {
		return nil, err
	}
	return s.bindThird(ctx, c, Proof{Provider: Apple, IdentityToken: p.IdentityToken, Nonce: p.Nonce})
}

// UnbindWeixin handles unbindWeixin; the account's last way to log in is
// never removed.
func (s *Service) UnbindWeixin(ctx context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	return s.unbind(ctx, c, Weixin)
}

// UnbindQQ handles unbindQQ.
func (s *Service) UnbindQQ(ctx context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	return s.unbind(ctx, c, QQ)
}

// UnbindAlipay handles unbindAlipay.
func (s *Service) UnbindAlipay(ctx context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	return s.unbind(ctx, c, Alipay)
}

// UnbindApple handles unbindApple.
func (s *Service) UnbindApple(ctx context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	return s.unbind(ctx, c, Apple)
}
