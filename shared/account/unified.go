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
			return s.login(ctx, cfg, c, u, loginOpts{endOthers: endOthers, typ: "login", ticket: ticket, guard: s.stillOwns(key)})
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
		res, err := s.create(ctx, cfg, c, u, s.keysOf(u), ticket)
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

// codeLogin verifies a code and runs the unified login on its destination.
func (s *Service) codeLogin(ctx context.Context, cfg *config.Config, c *cloudobj.Call, k codeCheck, key, ticket string, fill func(u *User)) (any, error) {
	if err := systemAccounts(cfg); err != nil {
		return nil, err
	}
	k.gate = true
	if err := s.verifyCode(ctx, cfg, c, k); err != nil {
		return nil, err
	}
	return s.loginOrRegister(ctx, cfg, c, key, fill, cfg.CodeLoginEndsOthers(), ticket)
}
