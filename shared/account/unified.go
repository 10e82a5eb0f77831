package account

import (
	"context"
	"errors"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
)

// loginOrRegister is uni-id's unified login: the account owning key logs
// in, or, when none does and registration is open, a new account is made
// by fill. The answer's type says which.
func (s *Service) loginOrRegister(ctx context.Context, cfg *config.Config, c *cloudobj.Call, key string, fill func(u *User), endOthers bool, ticket string) (any, error) {
	for range 2 {
		u, err := s.findByKey(ctx, key)
		switch {
		case err == nil:
			if !inApp(u, c.Client.AppID) {
				return nil, apierr.New(apierr.AccountNotInApp)
			}
			if err := checkStatus(u); err != nil {
				return nil, err
			}
			return s.login(ctx, cfg, c, u, loginOpts{endOthers: endOthers, typ: "login", ticket: ticket})
		case !apierr.Is(err, apierr.AccountNotExists):
			return nil, err
		case !cfg.RegistrationOpen():
			return nil, apierr.New(apierr.RegistrationDisabled)
		}
		u, err = s.newUser(cfg, c, nil)
		if err != nil {
			return nil, err
		}
		fill(u)
		res, err := s.create(ctx, cfg, c, u, keysOf(u), ticket)
		if err == nil {
			r := res.(LoginResult)
			r.Type = "register"
			return r, nil
		}
		if _, taken := errors.AsType[*TakenError](err); !taken {
			return nil, err
		}
		// Someone registered this key meanwhile: log in to that account.
	}
	return nil, apierr.Wrap(apierr.RetryLater, errors.New("account kept changing"))
}

// captchaGate requires a captcha of scene once idco.loginCaptchaAfter code
// logins from this IP for this destination failed within two hours, as
// uni-id does for loginBySms. It returns the window to count a failure in.
func (s *Service) captchaGate(ctx context.Context, cfg *config.Config, c *cloudobj.Call, dest, scene, answer string) (Window, int, error) {
	w := Window{"code-captcha:" + c.SourceIP + ":" + dest, captchaWindow}
	counts, err := s.Counters.Counts(ctx, s.now(), w)
	if err != nil {
		return w, 0, storeErr("read login failures", err)
	}
	if counts[0] >= cfg.Idco.LoginCaptchaAfter {
		if err := s.verifyCaptcha(ctx, cfg, c, scene, answer); err != nil {
			return w, counts[0], err
		}
	}
	return w, counts[0], nil
}

// codeLogin verifies a code and runs the unified login on its destination.
func (s *Service) codeLogin(ctx context.Context, cfg *config.Config, c *cloudobj.Call, channel, dest, scene, code, captchaAnswer, key, ticket string, fill func(u *User)) (any, error) {
	w, fails, err := s.captchaGate(ctx, cfg, c, dest, scene, captchaAnswer)
	if err != nil {
		return nil, err
	}
	if err := s.verifyCode(ctx, cfg, channel, dest, scene, code); err != nil {
		if apierr.Is(err, apierr.MobileCodeError) || apierr.Is(err, apierr.EmailCodeError) {
			_, _ = s.Counters.Hit(ctx, w, 0, s.now())
		}
		return nil, err
	}
	if fails > 0 {
		_ = s.Counters.Reset(ctx, w, s.now())
	}
	return s.loginOrRegister(ctx, cfg, c, key, fill, cfg.CodeLoginEndsOthers(), ticket)
}
