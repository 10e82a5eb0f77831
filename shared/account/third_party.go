package account

import (
	"context"
	"errors"

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
	openKey, unionKey := slot(id, c.Client.AppID)
	u, err := s.findIdentity(ctx, openKey, unionKey)
	if err != nil {
		return nil, err
	}
	s.keepSecret(ctx, id, openKey)
	if u != nil {
		if !inApp(u, c.Client.AppID) {
			return nil, apierr.New(apierr.AccountNotInApp)
		}
		if err := checkStatus(u); err != nil {
			return nil, err
		}
		return s.login(ctx, cfg, c, u, loginOpts{typ: "login", set: func(u *User) {
			attach(u, id, c.Client.AppID)
			if nickname != "" {
				u.Nickname = nickname
			}
		}})
	}
	switch {
	case !cfg.RegistrationOpen():
		return nil, apierr.New(apierr.RegistrationDisabled)
	case cfg.Idco.ThirdPartyRegistration == "bind-first":
		return nil, s.issueBindTicket(ctx, cfg, c, id)
	}
	return s.registerIdentity(ctx, cfg, c, id, nickname)
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

// findIdentity returns the account owning the openid or the unionid key,
// nil when none does, and uni-id-account-conflict when they belong to two.
func (s *Service) findIdentity(ctx context.Context, openKey, unionKey string) (*User, error) {
	var found string
	for _, k := range []string{openKey, unionKey} {
		if k == "" {
			continue
		}
		uid, err := s.Users.Owner(ctx, k)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, storeErr("find identity", err)
		}
		if found != "" && found != uid {
			return nil, apierr.New(apierr.AccountConflict)
		}
		found = uid
	}
	if found == "" {
		return nil, nil
	}
	u, err := s.Users.Get(ctx, found)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return nil, storeErr("get user", err)
	}
	return u, nil
}

// registerIdentity creates an account for a new identity, with the
// provider's nickname and avatar when it gives them.
func (s *Service) registerIdentity(ctx context.Context, cfg *config.Config, c *cloudobj.Call, id *Identity, nickname string) (any, error) {
	u, err := s.newUser(cfg, c, nil)
	if err != nil {
		return nil, err
	}
	attach(u, id, c.Client.AppID)
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
	res, err := s.create(ctx, cfg, c, u, keysOf(u), "")
	if err != nil {
		return nil, err
	}
	r := res.(LoginResult)
	r.Type = "register"
	return r, nil
}

// keepSecret stores what the provider gave for later calls (a WeChat
// session_key, for decrypting phone data), server-side only.
func (s *Service) keepSecret(ctx context.Context, id *Identity, openKey string) {
	if id.Secret == "" || s.Cache == nil {
		return
	}
	_ = s.Cache.CacheSet(ctx, "secret:"+openKey, []byte(id.Secret), s.now().Add(id.SecretTTL))
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
	openKey, _ := slot(id, c.Client.AppID)
	s.keepSecret(ctx, id, openKey)
	return nil, s.bind(ctx, c, func(u *User) { attach(u, id, c.Client.AppID) })
}

// unbind removes a provider's identity from the caller's account, unless
// it is the account's last way to log in.
func (s *Service) unbind(ctx context.Context, c *cloudobj.Call, provider string) (any, error) {
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	_, err = s.update(ctx, u, func(u *User) error {
		if !detach(u, provider) {
			return apierr.New(apierr.UnbindFailed)
		}
		if loginMethods(u) == 0 {
			return apierr.New(apierr.UnbindLast)
		}
		return nil
	})
	return nil, err
}
