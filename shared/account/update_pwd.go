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
	// are counted per account, before the compare, as login's are.
	w := Window{"pwd-change:" + u.UID, cfg.PasswordErrorWindow()}
	if _, err := s.Counters.Hit(ctx, w, cfg.PasswordErrorLimit, s.now()); errors.Is(err, ErrLimited) {
		return nil, apierr.New(apierr.PasswordExceedLimit)
	} else if err != nil {
		return nil, storeErr("count password change", err)
	}
	h := s.hasher(cfg)
	if ok, _, _ := h.Verify(p.OldPassword, u.Password, u.PasswordSecretVersion); !ok || u.Password == "" {
		return nil, apierr.New(apierr.PasswordError)
	}
	defer func() { _ = s.Counters.Reset(ctx, w, s.now()) }()
	hash, err := h.Hash(p.NewPassword)
	if err != nil {
		return nil, apierr.Wrap(apierr.InvalidPassword, err)
	}
	return nil, s.replacePassword(ctx, c, u, hash)
}
