package account

import (
	"context"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/password"
)

// SetPwdParams are setPwd's params.
type SetPwdParams struct {
	Password string `json:"password"`
	Code     string `json:"code"`
	Captcha  string `json:"captcha"`
}

// SetPwd handles setPwd: a logged-in user (often one who came by a
// third-party login) sets a password, proven by a code sent to the
// account's own mobile (scene set-pwd-by-sms). Other sessions end; this
// one continues with a newToken.
func (s *Service) SetPwd(ctx context.Context, c *cloudobj.Call, p *SetPwdParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if err := systemAccounts(cfg); err != nil {
		return nil, err
	}
	if err := required("password", p.Password, "code", p.Code); err != nil {
		return nil, err
	}
	if rule := password.Check(p.Password, cfg.PasswordStrength); rule != "" {
		return nil, apierr.New(rule)
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	if u.Mobile == "" || u.MobileConfirmed != 1 {
		return nil, apierr.New(apierr.MobileNotBound)
	}
	dest := e164Of(u.Mobile)
	k := codeCheck{channel: chanSMS, dest: dest, scene: "set-pwd-by-sms", code: p.Code, gate: true, captcha: p.Captcha}
	if err := s.verifyCode(ctx, cfg, c, k); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(cfg, p.Password)
	if err != nil {
		return nil, err
	}
	return nil, s.replacePassword(ctx, c, u, hash)
}

// replacePassword stores a new hash and ends every session but the
// caller's, which moves to a new session id whose token goes out as
// newToken. Moving it, rather than rotating it, puts the caller's old token
// with the other sessions' ones: refused as revoked, even in the same
// second as the change (iat is in whole seconds), and never taken for the
// replay of a rotated token, which would end the new session.
func (s *Service) replacePassword(ctx context.Context, c *cloudobj.Call, u *User, hash string) error {
	cfg, err := s.cfg(c)
	if err != nil {
		return err
	}
	sid, err := s.newSessionID()
	if err != nil {
		return err
	}
	var before *User
	saved, err := s.updateCaller(ctx, c, u, func(u *User) error {
		before = cloneUser(u)
		ss := u.Sessions[c.Auth.SessionID]
		now := s.now()
		u.Password, u.PasswordSecretVersion = hash, 0
		revokeTokens(u, now)
		ss.Gen, ss.RotatedAt, ss.AuthAt = 1, 0, ms(now) // the old password or a code proved it
		ss.Expires = ms(now.Add(cfg.TokenTTL()))
		u.Sessions = map[string]Session{sid: ss}
		return nil
	})
	if err != nil {
		return err
	}
	c.Auth.SessionID = sid
	s.notifyChanges(ctx, cfg, c, before, saved)
	c.NewToken, err = s.sign(ctx, cfg, saved, sid)
	return err
}
