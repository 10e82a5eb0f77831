package account

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/mask"
	"github.com/idco-dev/idco/shared/password"
)

// ResetPwdBySmsParams are resetPwdBySms's params.
type ResetPwdBySmsParams struct {
	Mobile   string `json:"mobile"`
	Code     string `json:"code"`
	Password string `json:"password"`
	Captcha  string `json:"captcha"`
}

// ResetPwdBySms handles resetPwdBySms: with a code sent to mobile (scene
// reset-pwd-by-sms), set a new password on the account with that confirmed
// mobile. Every session of the account ends.
func (s *Service) ResetPwdBySms(ctx context.Context, c *cloudobj.Call, p *ResetPwdBySmsParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if err := systemAccounts(cfg); err != nil {
		return nil, err
	}
	if err := required("mobile", p.Mobile, "code", p.Code, "password", p.Password); err != nil {
		return nil, err
	}
	ph, err := parsePhone(p.Mobile, cfg.AllowedRegions())
	if err != nil {
		return nil, err
	}
	c.Log("mobile", mask.Mobile(ph.Stored))
	return s.resetPwd(ctx, cfg, c, chanSMS, ph.E164, "reset-pwd-by-sms", p.Code, p.Password, p.Captcha, mobileKey(ph.E164))
}

// ResetPwdByEmailParams are resetPwdByEmail's params.
type ResetPwdByEmailParams struct {
	Email    string `json:"email"`
	Code     string `json:"code"`
	Password string `json:"password"`
	Captcha  string `json:"captcha"`
}

// ResetPwdByEmail handles resetPwdByEmail, as ResetPwdBySms with an email
// (scene reset-pwd-by-email).
func (s *Service) ResetPwdByEmail(ctx context.Context, c *cloudobj.Call, p *ResetPwdByEmailParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if err := systemAccounts(cfg); err != nil {
		return nil, err
	}
	if err := required("email", p.Email, "code", p.Code, "password", p.Password); err != nil {
		return nil, err
	}
	if err := validEmail(p.Email); err != nil {
		return nil, err
	}
	email := strings.ToLower(strings.TrimSpace(p.Email))
	c.Log("email", mask.Email(email))
	return s.resetPwd(ctx, cfg, c, chanEmail, email, "reset-pwd-by-email", p.Code, p.Password, p.Captcha, emailKey(email))
}

// resetPwd verifies the code, then replaces the password of the account
// owning key and ends all its sessions. A closed account keeps its mobile
// and email reserved but gets no new password: uni-id-account-closed, as
// its login answers. With enumeration protection on, an unknown or closed
// account answers as a wrong code, since codes go out whether or not an
// account has the address (a recycled number must not learn of one).
func (s *Service) resetPwd(ctx context.Context, cfg *config.Config, c *cloudobj.Call, channel, dest, scene, code, pw, captchaAnswer, key string) (any, error) {
	if rule := password.Check(pw, cfg.PasswordStrength); rule != "" {
		return nil, apierr.New(rule)
	}
	k := codeCheck{channel: channel, dest: dest, scene: scene, code: code, gate: true, captcha: captchaAnswer}
	if err := s.verifyCode(ctx, cfg, c, k); err != nil {
		return nil, err
	}
	refuse := func(code string) error {
		if cfg.EnumerationProtected() && (code == apierr.AccountNotExists || code == apierr.AccountNotInApp || code == apierr.AccountClosed) {
			return codeErr(channel)
		}
		return apierr.New(code)
	}
	u, err := s.findByKey(ctx, key)
	switch {
	case apierr.Is(err, apierr.AccountNotExists):
		return nil, refuse(apierr.AccountNotExists)
	case err != nil:
		return nil, err
	case !inApp(u, c.Client.AppID):
		return nil, refuse(apierr.AccountNotInApp)
	case u.Status == StatusClosed:
		return nil, refuse(apierr.AccountClosed)
	}
	c.Subject = u.UID // the reset goes in the account's own audit log
	hash, err := s.hashPassword(cfg, pw)
	if err != nil {
		return nil, err
	}
	var before *User
	saved, err := s.update(ctx, u, func(u *User) error {
		if u.Status == StatusClosed { // closed since it was read
			return refuse(apierr.AccountClosed)
		}
		if err := s.channelSettled(cfg, u, channel); err != nil {
			return err
		}
		before = cloneUser(u)
		u.Password, u.PasswordSecretVersion = hash, 0
		revokeTokens(u, s.now())
		return nil
	})
	if err == nil {
		s.notifyChanges(ctx, cfg, c, before, saved)
	}
	return nil, err
}

// channelSettled refuses a reset through a mobile or email bound to the
// account less than idco.newChannelResetDelayHours ago: a thief who binds
// their own channel with a stolen session cannot then lock the owner out.
func (s *Service) channelSettled(cfg *config.Config, u *User, channel string) error {
	bound := u.MobileBoundAt
	if channel == chanEmail {
		bound = u.EmailBoundAt
	}
	delay := cfg.NewChannelResetDelay()
	if bound == 0 || delay == 0 || s.now().Sub(time.UnixMilli(bound)) >= delay {
		return nil
	}
	return &apierr.Error{Code: apierr.ChannelTooNew, Values: map[string]string{"hours": fmt.Sprint(int(delay.Hours()))}}
}
