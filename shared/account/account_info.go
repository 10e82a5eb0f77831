package account

import (
	"context"

	"github.com/idco-dev/idco/shared/cloudobj"
)

// NoParams is the params of methods that take none.
type NoParams struct{}

// AccountInfo is getAccountInfo's answer, as uni-id's.
type AccountInfo struct {
	IsUsernameSet bool `json:"isUsernameSet"`
	IsNicknameSet bool `json:"isNicknameSet"`
	IsPasswordSet bool `json:"isPasswordSet"`
	IsMobileBound bool `json:"isMobileBound"`
	IsEmailBound  bool `json:"isEmailBound"`
	IsWeixinBound bool `json:"isWeixinBound"`
	IsQQBound     bool `json:"isQQBound"`
	IsAlipayBound bool `json:"isAlipayBound"`
	IsAppleBound  bool `json:"isAppleBound"`
	// OAuthBound is idco's: the web providers (getOAuthProviders' keys)
	// bound to the account, for unbindOAuth.
	OAuthBound []string `json:"oauthBound"`
}

// GetAccountInfo handles getAccountInfo: which credentials the caller's
// account has.
func (s *Service) GetAccountInfo(ctx context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	bound := func(provider string) bool {
		p := s.identityProvider(provider)
		return p != nil && p.Bound(u)
	}
	oauth := []string{}
	for _, p := range s.Providers {
		if wp, ok := p.(WebProvider); ok && wp.Bound(u) {
			oauth = append(oauth, wp.Name())
		}
	}
	return AccountInfo{
		IsUsernameSet: u.Username != "",
		IsNicknameSet: u.Nickname != "",
		IsPasswordSet: u.Password != "",
		IsMobileBound: u.Mobile != "" && u.MobileConfirmed == 1,
		IsEmailBound:  u.Email != "" && u.EmailConfirmed == 1,
		IsWeixinBound: bound(Weixin),
		IsQQBound:     bound(QQ),
		IsAlipayBound: bound(Alipay),
		IsAppleBound:  bound(Apple),
		OAuthBound:    oauth,
	}, nil
}

// caller returns the authenticated caller's account: the copy read by the
// token check, or a fresh read.
func (s *Service) caller(ctx context.Context, c *cloudobj.Call) (*User, error) {
	if u, ok := c.Auth.Record.(*User); ok && u != nil {
		return u, nil
	}
	u, err := s.Users.Get(ctx, c.Auth.UID)
	if err != nil {
		return nil, s.saveErr(err)
	}
	return u, nil
}
