package account

import (
	"context"
	"strings"

	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/mask"
)

// LoginByEmailCodeParams are loginByEmailCode's params.
type LoginByEmailCodeParams struct {
	Email      string `json:"email"`
	Code       string `json:"code"`
	Captcha    string `json:"captcha"`
	InviteCode string `json:"inviteCode"`
	BindTicket string `json:"bindTicket"`
}

// LoginByEmailCode handles loginByEmailCode, which uni-id declared but never
// implemented: with a code sent to email (scene login-by-email), log in to
// the account with that confirmed email, or register one.
func (s *Service) LoginByEmailCode(ctx context.Context, c *cloudobj.Call, p *LoginByEmailCodeParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if err := required("email", p.Email, "code", p.Code); err != nil {
		return nil, err
	}
	if err := validInviteCode(p.InviteCode); err != nil {
		return nil, err
	}
	if err := validEmail(p.Email); err != nil {
		return nil, err
	}
	email := strings.ToLower(strings.TrimSpace(p.Email))
	c.Log("email", mask.Email(email))
	k := codeCheck{channel: chanEmail, dest: email, scene: "login-by-email", code: p.Code, captcha: p.Captcha}
	return s.codeLogin(ctx, cfg, c, k, emailKey(email), p.BindTicket,
		func(u *User) { u.Email, u.EmailConfirmed = email, 1 })
}
