package account

import (
	"context"

	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/mask"
)

// LoginBySmsParams are loginBySms's params.
type LoginBySmsParams struct {
	Mobile     string `json:"mobile"`
	Code       string `json:"code"`
	Captcha    string `json:"captcha"`
	InviteCode string `json:"inviteCode"`
	BindTicket string `json:"bindTicket"`
}

// LoginBySms handles loginBySms: with a code sent to mobile (scene
// login-by-sms), log in to the account with that confirmed mobile, or
// register one.
func (s *Service) LoginBySms(ctx context.Context, c *cloudobj.Call, p *LoginBySmsParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if err := required("mobile", p.Mobile, "code", p.Code); err != nil {
		return nil, err
	}
	if err := validInviteCode(p.InviteCode); err != nil {
		return nil, err
	}
	ph, err := parsePhone(p.Mobile, cfg.AllowedRegions())
	if err != nil {
		return nil, err
	}
	c.Log("mobile", mask.Mobile(ph.Stored))
	k := codeCheck{channel: chanSMS, dest: ph.E164, scene: "login-by-sms", code: p.Code, captcha: p.Captcha}
	return s.codeLogin(ctx, cfg, c, k, mobileKey(ph.E164), p.BindTicket,
		func(u *User) { u.Mobile, u.MobileConfirmed = ph.Stored, 1 })
}
