package account

import (
	"context"
	"errors"
	"slices"
	"unicode/utf8"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/mask"
	"github.com/idco-dev/idco/shared/password"
)

// LoginParams are login's params: exactly one of username, mobile and email,
// and the password.
type LoginParams struct {
	Username string `json:"username"`
	Mobile   string `json:"mobile"`
	Email    string `json:"email"`
	Password string `json:"password"`
	Captcha  string `json:"captcha"`
	// BindTicket binds the third-party identity a bind-first login handed
	// out to this account.
	BindTicket string `json:"bindTicket"`
}

// Login handles login: a password login by username, confirmed mobile or
// confirmed email. The attempt is counted before the password is looked at
// (startPasswordCheck): per source and account, at most passwordErrorLimit
// reach the compare in passwordErrorRetryTime, with a captcha after
// idco.loginCaptchaAfter; per source across accounts, a captcha after
// idco.limits.passwordSourceCaptchaAfter failures and a refusal after
// passwordSourcePerHour (an IPv6 /48 after passwordNetworkPerHour). With
// enumeration protection on, an unknown account answers exactly as a
// wrong password, after the same work.
func (s *Service) Login(ctx context.Context, c *cloudobj.Call, p *LoginParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if !cfg.PasswordLoginEnabled() {
		return nil, apierr.New(apierr.LoginTypeDisabled)
	}
	key, err := loginKey(c, p)
	if err != nil {
		return nil, err
	}
	pc, err := s.startPasswordCheck(ctx, cfg, c, pwGuard{account: "pwd-try:" + ipKey(c.SourceIP) + ":" + key,
		captchaAfter: cfg.Idco.LoginCaptchaAfter, spray: true, scene: "login-by-pwd", captcha: p.Captcha})
	if err != nil {
		return nil, err
	}
	u, rehash, err := s.checkPassword(ctx, cfg, c, key, p.Password)
	pc.settle(ctx, c, err)
	if err != nil {
		return nil, err
	}
	o := loginOpts{ticket: p.BindTicket, guard: samePassword(u.Password)}
	if rehash {
		o.newPw = p.Password
	}
	return s.login(ctx, cfg, c, u, o)
}

// loginKey checks the identifiers and returns the unique key to look up.
func loginKey(c *cloudobj.Call, p *LoginParams) (string, error) {
	n := 0
	for _, v := range []string{p.Username, p.Mobile, p.Email} {
		if !missing(v) {
			n++
		}
	}
	switch {
	case n == 0:
		return "", apierr.New(apierr.InvalidUsername)
	case n > 1:
		return "", apierr.Param(apierr.InvalidParam, "username")
	}
	if err := required("password", p.Password); err != nil {
		return "", err
	}
	switch {
	case p.Username != "":
		if len(p.Username) > 64 {
			return "", apierr.New(apierr.InvalidUsername)
		}
		c.Log("username", p.Username)
		return usernameKey(p.Username), nil
	case p.Mobile != "":
		// Any region: the region list limits where codes go, not who logs in.
		ph, err := parsePhone(p.Mobile, []string{"+"})
		if err != nil {
			return "", err
		}
		c.Log("mobile", mask.Mobile(ph.Stored))
		return mobileKey(ph.E164), nil
	}
	if err := validEmail(p.Email); err != nil {
		return "", err
	}
	c.Log("email", mask.Email(p.Email))
	return emailKey(p.Email), nil
}

// checkPassword finds the account and verifies the password, in the order
// that hides whether the account exists when enumeration protection is on.
// rehash reports a legacy or outdated hash to replace.
func (s *Service) checkPassword(ctx context.Context, cfg *config.Config, c *cloudobj.Call, key, pw string) (*User, bool, error) {
	protect := cfg.EnumerationProtected()
	h := s.hasher(cfg)
	u, err := s.findByKey(ctx, key)
	if err != nil && !apierr.Is(err, apierr.AccountNotExists) {
		return nil, false, err
	}
	if u != nil && !inApp(u, c.Client.AppID) {
		if !protect {
			return nil, false, apierr.New(apierr.AccountNotInApp)
		}
		u = nil
	}
	if u == nil {
		if !protect {
			return nil, false, err
		}
		if err := h.Dummy(pw); err != nil {
			return nil, false, hashErr(err, apierr.SystemError)
		}
		return nil, false, apierr.New(apierr.PasswordError)
	}
	c.Subject = u.UID // the audit log's, never the client's
	if !protect {
		if err := checkStatus(u); err != nil {
			return nil, false, err
		}
	}
	if utf8.RuneCountInString(pw) > password.MaxLength || u.Password == "" {
		if err := h.Dummy(pw); err != nil {
			return nil, false, hashErr(err, apierr.SystemError)
		}
		return nil, false, apierr.New(apierr.PasswordError)
	}
	ok, rehash, verr := h.Verify(pw, u.Password, u.PasswordSecretVersion)
	if errors.Is(verr, password.ErrBusy) {
		return nil, false, hashErr(verr, apierr.SystemError)
	}
	if rehash || verr != nil {
		// A legacy HMAC takes microseconds: spend what an argon2id verify
		// costs, so timing does not tell imported accounts apart.
		if err := h.Dummy(pw); err != nil {
			return nil, false, hashErr(err, apierr.SystemError)
		}
	}
	if !ok {
		if verr != nil {
			c.Log("hashError", verr.Error())
		}
		return nil, false, apierr.New(apierr.PasswordError)
	}
	if err := checkStatus(u); err != nil {
		return nil, false, err
	}
	return u, rehash, nil
}

// findByKey returns the account owning a unique key, or
// uni-id-account-not-exists.
func (s *Service) findByKey(ctx context.Context, key string) (*User, error) {
	uid, err := s.Users.Owner(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil, apierr.New(apierr.AccountNotExists)
	}
	if err != nil {
		return nil, storeErr("find account", err)
	}
	u, err := s.Users.Get(ctx, uid)
	if errors.Is(err, ErrNotFound) {
		return nil, apierr.New(apierr.AccountNotExists)
	}
	if err != nil {
		return nil, storeErr("get account", err)
	}
	return u, nil
}

// loginOpts vary a login: newPw replaces a legacy hash with argon2id;
// endOthers ends the user's other sessions; set changes the record (a
// confirmed mobile, a third-party id) in the same write; typ is the
// unified flows' answer type.
type loginOpts struct {
	newPw     string
	endOthers bool
	set       func(u *User)
	typ       string
	ticket    string
	// guard re-checks, on every attempt of the save, what the login was
	// decided on (the verified password, the key the account was found
	// by), so a concurrent change of the account wins over the login.
	guard func(u *User) error
}

// samePassword is the guard of a password login: the stored hash must still
// be the one the password was verified against.
func samePassword(hash string) func(u *User) error {
	return func(u *User) error {
		if u.Password != hash {
			return apierr.New(apierr.PasswordError)
		}
		return nil
	}
}

// stillOwns is the guard of a login by a unique key (a mobile, an email, a
// third-party identity): the account must still own it.
func (s *Service) stillOwns(key string) func(u *User) error {
	return func(u *User) error {
		if slices.Contains(s.keysOf(u), key) {
			return nil
		}
		return apierr.Wrap(apierr.RetryLater, errors.New("the account changed during the login"))
	}
}

// login opens a session for an authenticated user and records the login.
func (s *Service) login(ctx context.Context, cfg *config.Config, c *cloudobj.Call, u *User, o loginOpts) (any, error) {
	var newHash string
	if o.newPw != "" {
		h, err := s.hasher(cfg).Hash(o.newPw)
		if err != nil {
			return nil, hashErr(err, apierr.SystemError)
		}
		newHash = h
	}
	bindTicket, err := s.withTicket(ctx, c, o.ticket)
	if err != nil {
		return nil, err
	}
	var sid string
	saved, err := s.update(ctx, u, func(u *User) error {
		if err := checkStatus(u); err != nil {
			return err
		}
		if o.guard != nil {
			if err := o.guard(u); err != nil {
				return err
			}
		}
		if newHash != "" {
			u.Password, u.PasswordSecretVersion = newHash, 0
		}
		u.LastLoginDate, u.LastLoginIP = ms(s.now()), c.SourceIP
		s.dropCallerSession(cfg, c, u)
		if o.endOthers {
			u.Sessions = nil
		}
		if o.set != nil {
			o.set(u)
		}
		if bindTicket != nil {
			bindTicket(u)
		}
		var err error
		sid, err = s.openSession(cfg, c, u)
		return err
	})
	if err != nil {
		return nil, err
	}
	if c.NewToken, err = s.sign(ctx, cfg, saved, sid); err != nil {
		return nil, err
	}
	c.Log("uid", saved.UID)
	return LoginResult{UID: saved.UID, PasswordConfirmed: saved.Password != "", Type: o.typ}, nil
}

// dropCallerSession ends the session of a token the login request carried
// for the same account, as uni-id logs out the old token on login.
func (s *Service) dropCallerSession(cfg *config.Config, c *cloudobj.Call, u *User) {
	if c.Token == "" {
		return
	}
	if claims, err := s.parseToken(cfg, c); err == nil && claims.UID == u.UID {
		delete(u.Sessions, claims.SID)
	}
}
