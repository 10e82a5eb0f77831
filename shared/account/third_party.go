package account

import (
	"context"
	"errors"
	"slices"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
)

// thirdLogin is every third-party login: verify the proof, find the account
// by openid or unionid (a user who logged in on the mini-program and on the
// app with one unionid is one account), and log in, or register, or, with
// the bind-first policy, hand out a bind ticket.
func (s *Service) thirdLogin(ctx context.Context, c *cloudobj.Call, proof Proof, nickname string) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	id, err := s.identify(ctx, cfg, c, proof)
	if err != nil {
		return nil, err
	}
	return s.loginWithIdentity(ctx, cfg, c, id, nickname)
}

// loginWithIdentity logs in, registers or hands out a bind ticket for a
// verified identity (thirdLogin's second half).
func (s *Service) loginWithIdentity(ctx context.Context, cfg *config.Config, c *cloudobj.Call, id *Identity, nickname string) (any, error) {
	openKey, unionKey := s.slot(id, c.Client.AppID)
	s.keepSecret(ctx, c, id, openKey)
	for range 2 {
		u, key, err := s.findIdentity(ctx, openKey, unionKey)
		if err != nil {
			return nil, err
		}
		if u != nil {
			return s.identityLogin(ctx, cfg, c, u, key, id, nickname)
		}
		switch {
		case !cfg.RegistrationOpen():
			return nil, apierr.New(apierr.RegistrationDisabled)
		case cfg.Idco.ThirdPartyRegistration == "bind-first":
			return nil, s.issueBindTicket(ctx, cfg, c, id)
		}
		res, err := s.registerIdentity(ctx, cfg, c, id, nickname)
		if !apierr.Is(err, apierr.BindConflict) {
			return res, err
		}
		// A concurrent first login registered this identity: log in to it.
	}
	return nil, apierr.Wrap(apierr.RetryLater, errors.New("identity kept changing"))
}

// identityLogin logs in the account an identity was found on, attaching
// the identity's other keys (a new openid found by unionid).
func (s *Service) identityLogin(ctx context.Context, cfg *config.Config, c *cloudobj.Call, u *User, key string, id *Identity, nickname string) (any, error) {
	if !inApp(u, c.Client.AppID) {
		return nil, apierr.New(apierr.AccountNotInApp)
	}
	if err := checkStatus(u); err != nil {
		return nil, err
	}
	return s.login(ctx, cfg, c, u, loginOpts{typ: "login", guard: s.stillOwns(key), set: func(u *User) {
		s.attach(u, id, c.Client.AppID)
		if nickname != "" {
			u.Nickname = nickname
		}
	}})
}

// identify checks the provider is configured and verifies the proof.
func (s *Service) identify(ctx context.Context, cfg *config.Config, c *cloudobj.Call, proof Proof) (*Identity, error) {
	if s.Identities == nil {
		return nil, &apierr.Error{Code: apierr.ConfigFieldRequired,
			Values: map[string]string{"field": c.Client.Platform + ".oauth." + proof.Provider}}
	}
	proof.Platform, proof.UserAgent = c.Client.Platform, c.UserAgent
	id, err := s.Identities.Identify(ctx, cfg, proof)
	if err != nil {
		return nil, err
	}
	c.Log("provider", id.Provider)
	return id, nil
}

// findIdentity returns the account owning the openid or the unionid key
// and the key it was found by; nil when none does, and
// uni-id-account-conflict when they belong to two.
func (s *Service) findIdentity(ctx context.Context, openKey, unionKey string) (*User, string, error) {
	var found, by string
	for _, k := range []string{openKey, unionKey} {
		if k == "" {
			continue
		}
		uid, err := s.Users.Owner(ctx, k)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, "", storeErr("find identity", err)
		}
		if found != "" && found != uid {
			return nil, "", apierr.New(apierr.AccountConflict)
		}
		if found == "" {
			found, by = uid, k
		}
	}
	if found == "" {
		return nil, "", nil
	}
	u, err := s.Users.Get(ctx, found)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, "", nil
		}
		return nil, "", storeErr("get user", err)
	}
	return u, by, nil
}

// registerIdentity creates an account for a new identity, with the
// provider's nickname and avatar when it gives them, and the roles of
// idco.thirdPartyDefaultRole when it is set.
func (s *Service) registerIdentity(ctx context.Context, cfg *config.Config, c *cloudobj.Call, id *Identity, nickname string) (any, error) {
	u, err := s.newUser(cfg, c, nil)
	if err != nil {
		return nil, err
	}
	if roles := cfg.Idco.ThirdPartyDefaultRole; len(roles) > 0 {
		u.Role = slices.Clone(roles)
	}
	s.attach(u, id, c.Client.AppID)
	if id.Profile != nil {
		// A profile is a nicety: an account is made without one.
		if name, avatar, err := id.Profile(ctx); err == nil {
			u.Nickname, u.Avatar = name, avatar
		} else {
			c.Log("profile", err.Error())
		}
	}
	if nickname != "" {
		u.Nickname = nickname
	}
	res, err := s.create(ctx, cfg, c, u, s.keysOf(u), "")
	if err != nil {
		return nil, err
	}
	r := res.(LoginResult)
	r.Type = "register"
	return r, nil
}

// keepSecret stores what the provider gave for later calls (a WeChat
// session_key, for decrypting phone data), server-side only. A failure is
// logged, not fatal: only bindMobileByMpWeixin's encryptedData path needs it.
func (s *Service) keepSecret(ctx context.Context, c *cloudobj.Call, id *Identity, openKey string) {
	if id.Secret == "" || s.Cache == nil {
		return
	}
	if err := s.Cache.CacheSet(ctx, "secret:"+openKey, []byte(id.Secret), s.now().Add(id.SecretTTL)); err != nil {
		c.Log("secretStore", "failed: "+err.Error())
	}
}

// bindThird attaches a verified identity to the caller's account. An
// identity another account owns is uni-id-bind-conflict, nothing changed.
func (s *Service) bindThird(ctx context.Context, c *cloudobj.Call, proof Proof) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	id, err := s.identify(ctx, cfg, c, proof)
	if err != nil {
		return nil, err
	}
	openKey, _ := s.slot(id, c.Client.AppID)
	s.keepSecret(ctx, c, id, openKey)
	return nil, s.bind(ctx, c, func(u *User) { s.attach(u, id, c.Client.AppID) })
}

// unbind removes a provider's identity from the caller's account, unless
// it is the account's last way to log in.
func (s *Service) unbind(ctx context.Context, c *cloudobj.Call, provider string) (any, error) {
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	_, err = s.updateCaller(ctx, c, u, func(u *User) error {
		if p := s.identityProvider(provider); p == nil || !p.Detach(u) {
			return apierr.New(apierr.UnbindFailed)
		}
		if s.loginMethods(u) == 0 {
			return apierr.New(apierr.UnbindLast)
		}
		return nil
	})
	return nil, err
}
