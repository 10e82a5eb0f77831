package account

import (
	"context"
	"errors"
	"strings"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/mask"
)

// BindMobileBySmsParams are bindMobileBySms's params.
type BindMobileBySmsParams struct {
	Mobile  string `json:"mobile"`
	Code    string `json:"code"`
	Captcha string `json:"captcha"`
}

// BindMobileBySms handles bindMobileBySms: with a code sent to mobile
// (scene bind-mobile-by-sms), the caller's account gets that confirmed
// mobile, replacing any earlier one. A mobile another account owns is
// never taken (uni-id-bind-conflict).
func (s *Service) BindMobileBySms(ctx context.Context, c *cloudobj.Call, p *BindMobileBySmsParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if err := required("mobile", p.Mobile, "code", p.Code); err != nil {
		return nil, err
	}
	ph, err := parsePhone(p.Mobile, cfg.AllowedRegions())
	if err != nil {
		return nil, err
	}
	c.Log("mobile", mask.Mobile(ph.Stored))
	k := codeCheck{channel: chanSMS, dest: ph.E164, scene: "bind-mobile-by-sms", code: p.Code, gate: true, captcha: p.Captcha}
	if err := s.verifyCode(ctx, cfg, c, k); err != nil {
		return nil, err
	}
	return nil, s.bind(ctx, c, func(u *User) { u.Mobile, u.MobileConfirmed = ph.Stored, 1 })
}

// BindEmailByCodeParams are bindEmailByCode's params.
type BindEmailByCodeParams struct {
	Email   string `json:"email"`
	Code    string `json:"code"`
	Captcha string `json:"captcha"`
}

// BindEmailByCode handles bindEmailByCode (new in idco): with a code sent to
// email (scene bind-email), the caller's account gets that confirmed email.
func (s *Service) BindEmailByCode(ctx context.Context, c *cloudobj.Call, p *BindEmailByCodeParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if err := required("email", p.Email, "code", p.Code); err != nil {
		return nil, err
	}
	if err := validEmail(p.Email); err != nil {
		return nil, err
	}
	email := strings.ToLower(strings.TrimSpace(p.Email))
	c.Log("email", mask.Email(email))
	if err := s.verifyCode(ctx, cfg, c, codeCheck{channel: chanEmail, dest: email, scene: "bind-email", code: p.Code, captcha: p.Captcha}); err != nil {
		return nil, err
	}
	return nil, s.bind(ctx, c, func(u *User) { u.Email, u.EmailConfirmed = email, 1 })
}

// bind applies set to the caller's account; the unique keys it claims and
// releases change in the same transaction, and a key another account owns
// is uni-id-bind-conflict with nothing changed.
func (s *Service) bind(ctx context.Context, c *cloudobj.Call, set func(u *User)) error {
	cfg, err := s.cfg(c)
	if err != nil {
		return err
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return err
	}
	var before *User
	saved, err := s.updateCaller(ctx, c, u, func(u *User) error {
		before = cloneUser(u)
		set(u)
		now := ms(s.now())
		if u.Mobile != before.Mobile && u.Mobile != "" {
			u.MobileBoundAt = now
		}
		if u.Email != before.Email && u.Email != "" {
			u.EmailBoundAt = now
		}
		return nil
	})
	if apierr.Is(err, apierr.AccountExists) {
		if t, ok := errors.AsType[*TakenError](err); ok {
			return apierr.Wrap(apierr.BindConflict, t)
		}
	}
	if err == nil {
		s.notifyChanges(ctx, cfg, c, before, saved)
	}
	return err
}
