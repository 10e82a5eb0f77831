package account

import (
	"context"
	"errors"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/password"
)

// UpdatePwdParams are updatePwd's params.
type UpdatePwdParams struct {
	OldPassword string `json:"oldPassword"`
	NewPassword string `json:"newPassword"`
}

// UpdatePwd handles updatePwd: with the current password, set a new one.
// Every other session ends; the caller's session continues with a newToken.
func (s *Service) UpdatePwd(ctx context.Context, c *cloudobj.Call, p *UpdatePwdParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if err := systemAccounts(cfg); err != nil {
		return nil, err
	}
	if err := required("oldPassword", p.OldPassword, "newPassword", p.NewPassword); err != nil {
		return nil, err
	}
	if code := password.Check(p.NewPassword, cfg.PasswordStrength); code != "" {
		return nil, apierr.New(code)
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	// A stolen token must not become an unlimited password oracle: tries
	// are counted per account, before the compare, as login's are. The
	// token fixes the account, so spraying tiers do not apply.
	pc, err := s.startPasswordCheck(ctx, cfg, c, pwGuard{account: "pwd-change:" + u.UID})
	if err != nil {
		return nil, err
	}
	ok, _, verr := s.hasher(cfg).Verify(p.OldPassword, u.Password, u.PasswordSecretVersion)
	switch {
	case errors.Is(verr, password.ErrBusy):
		err = hashErr(verr, apierr.SystemError)
	case !ok || u.Password == "":
		err = apierr.New(apierr.PasswordError)
	}
	pc.settle(ctx, c, err)
	if err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(cfg, p.NewPassword)
	if err != nil {
		return nil, err
	}
	return nil, s.replacePassword(ctx, c, u, hash)
}
