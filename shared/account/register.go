package account

import (
	"context"
	"crypto/subtle"
	"errors"
	"slices"
	"strings"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/password"
)

// RegisterUserParams are registerUser's params, in uni-id's schema order.
type RegisterUserParams struct {
	Username   string `json:"username"`
	Password   string `json:"password"`
	Captcha    string `json:"captcha"`
	Nickname   string `json:"nickname"`
	InviteCode string `json:"inviteCode"`
	BindTicket string `json:"bindTicket"`
}

// LoginResult is what a login or registration returns besides newToken.
type LoginResult struct {
	UID               string `json:"uid"`
	PasswordConfirmed bool   `json:"passwordConfirmed"`
	Type              string `json:"type,omitempty"` // "login" or "register", for unified flows
}

// RegisterUser handles registerUser: a username and password account,
// captcha required (scene register). The user is logged in at once.
func (s *Service) RegisterUser(ctx context.Context, c *cloudobj.Call, p *RegisterUserParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if err := systemAccounts(cfg); err != nil {
		return nil, err
	}
	if err := checkRegisterParams(cfg, p.Username, p.Password, p.Nickname, p.InviteCode, "captcha", p.Captcha); err != nil {
		return nil, err
	}
	if err := s.verifyCaptcha(ctx, cfg, c, "register", p.Captcha); err != nil {
		return nil, err
	}
	c.Log("username", p.Username)
	return s.registerWithPassword(ctx, cfg, c, p.Username, p.Password, p.Nickname, nil, p.BindTicket)
}

// RegisterAdminParams are registerAdmin's params: uni-id's, and idco's
// setupSecret and captcha for a call over the network.
type RegisterAdminParams struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	Nickname    string `json:"nickname"`
	SetupSecret string `json:"setupSecret"`
	Captcha     string `json:"captcha"`
}

// RegisterAdmin handles registerAdmin: the first administrator. Once an
// admin exists it answers uni-id-admin-exists; concurrent calls create one.
// Unlike uni-id, a caller on the network needs the config's setup secret
// and a captcha: otherwise whoever reaches a new deployment first would
// own it. A trusted call (direct invocation, the admin CLI) needs neither.
func (s *Service) RegisterAdmin(ctx context.Context, c *cloudobj.Call, p *RegisterAdminParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if err := checkRegisterParams(cfg, p.Username, p.Password, p.Nickname, ""); err != nil {
		return nil, err
	}
	if err := s.adminExists(ctx, c); err != nil {
		return nil, err
	}
	if !c.Trusted {
		secret := cfg.Idco.Admin.SetupSecret
		if secret == "" {
			return nil, apierr.New(apierr.AdminSetupRequired)
		}
		if subtle.ConstantTimeCompare([]byte(p.SetupSecret), []byte(secret)) != 1 {
			return nil, apierr.New(apierr.PermissionError)
		}
		if err := s.verifyCaptcha(ctx, cfg, c, "register", p.Captcha); err != nil {
			return nil, err
		}
	}
	c.Log("username", p.Username)
	res, err := s.registerWithPassword(ctx, cfg, c, p.Username, p.Password, p.Nickname, []string{"admin"}, "")
	if t, ok := errors.AsType[*apierr.Error](err); ok && t.Code == apierr.AccountExists {
		if taken, ok := errors.AsType[*TakenError](err); ok && taken.Key == adminKey {
			return nil, s.adminExists(ctx, c)
		}
	}
	return res, err
}

// adminExists returns uni-id's admin-exists error when an admin was
// registered, naming whether it belongs to the calling app.
func (s *Service) adminExists(ctx context.Context, c *cloudobj.Call) error {
	uid, err := s.Users.Owner(ctx, adminKey)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return storeErr("find admin", err)
	}
	admin, err := s.Users.Get(ctx, uid)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return storeErr("get admin", err)
	}
	if admin != nil && !inApp(admin, c.Client.AppID) {
		return &apierr.Error{Code: apierr.AdminExists, MsgKey: apierr.AdminExistsInOtherApps}
	}
	return apierr.New(apierr.AdminExists)
}

// checkRegisterParams applies the policy and the checks shared by the
// username registrations; extra holds further required name/value pairs.
func checkRegisterParams(cfg *config.Config, username, pw, nickname, invite string, extra ...string) error {
	if !cfg.RegistrationOpen() {
		return apierr.New(apierr.RegistrationDisabled)
	}
	if err := required(append([]string{"username", username, "password", pw}, extra...)...); err != nil {
		return err
	}
	if err := validUsername(username); err != nil {
		return err
	}
	if code := password.Check(pw, cfg.PasswordStrength); code != "" {
		return apierr.New(code)
	}
	if err := validNickname(nickname); err != nil {
		return err
	}
	return validInviteCode(invite)
}

// registerWithPassword creates a username account, opens its first session
// in the same write, and sets the caller's newToken.
func (s *Service) registerWithPassword(ctx context.Context, cfg *config.Config, c *cloudobj.Call, username, pw, nickname string, roles []string, ticket string) (any, error) {
	hash, err := s.hashPassword(cfg, pw)
	if err != nil {
		return nil, err
	}
	u, err := s.newUser(cfg, c, roles)
	if err != nil {
		return nil, err
	}
	u.Username, u.Password, u.Nickname = strings.ToLower(username), hash, nickname
	keys := s.keysOf(u)
	if hasRole(roles, "admin") {
		keys = append(keys, adminKey)
	}
	return s.create(ctx, cfg, c, u, keys, ticket)
}

// newUser returns a user record in uni-id's shape for the calling client.
func (s *Service) newUser(cfg *config.Config, c *cloudobj.Call, roles []string) (*User, error) {
	uid, err := s.newID()
	if err != nil {
		return nil, err
	}
	now := ms(s.now())
	u := &User{
		UID: uid, RegisterDate: now, RegisterIP: c.SourceIP, LastLoginDate: now, LastLoginIP: c.SourceIP,
		Role: union(roles, cfg.UserRegisterDefaultRole),
		RegisterEnv: &RegisterEnv{AppID: c.Client.AppID, UniPlatform: c.Client.Platform,
			OSName: c.Client.OSName, AppName: c.Client.AppName, AppVersion: c.Client.AppVersion,
			AppVersionCode: c.Client.VersionCode, Channel: c.Client.Channel, ClientIP: c.SourceIP},
	}
	if c.Client.AppID != "" {
		u.DcloudAppid = []string{c.Client.AppID}
	}
	return u, nil
}

// create stores a new user with its first session and signs its token. A
// bind ticket, when given, binds its identity to the new account.
func (s *Service) create(ctx context.Context, cfg *config.Config, c *cloudobj.Call, u *User, keys []string, ticket string) (any, error) {
	sid, err := s.openSession(cfg, c, u)
	if err != nil {
		return nil, err
	}
	if ticket != "" {
		fn, err := s.withTicket(ctx, c, ticket)
		if err != nil {
			return nil, err
		}
		fn(u)
		keys = append(keys, s.identityKeys(u)...)
	}
	if err := s.invite(ctx, cfg, c, u); err != nil {
		return nil, err
	}
	keys = append(keys, inviteKeys(u)...)
	for attempt := 0; ; attempt++ {
		err := s.Users.Create(ctx, u, keys)
		if err == nil {
			break
		}
		t, ok := errors.AsType[*TakenError](err)
		if ok && u.MyInviteCode != "" && t.Key == inviteKey(u.MyInviteCode) && attempt < 10 {
			// Another account has this code: draw another, as uni-id does.
			old := t.Key
			if u.MyInviteCode, err = s.newInviteCode(); err != nil {
				return nil, err
			}
			keys[slices.Index(keys, old)] = inviteKey(u.MyInviteCode)
			continue
		}
		if ok {
			if attempt >= 10 && t.Key == inviteKey(u.MyInviteCode) {
				return nil, apierr.New(apierr.SetInviteCodeFailed)
			}
			return nil, s.takenErr(t)
		}
		return nil, storeErr("create user", err)
	}
	if c.NewToken, err = s.sign(ctx, cfg, u, sid); err != nil {
		return nil, err
	}
	c.Log("uid", u.UID)
	return LoginResult{UID: u.UID, PasswordConfirmed: u.Password != ""}, nil
}

// inApp applies uni-id's app filter: no dcloud_appid means any app, "*" any
// app, otherwise only the apps listed.
func inApp(u *User, appID string) bool {
	if u.DcloudAppid == nil || appID == "" {
		return true
	}
	for _, a := range u.DcloudAppid {
		if a == "*" || a == appID {
			return true
		}
	}
	return false
}

func hasRole(roles []string, r string) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, x := range b {
		if !hasRole(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// HasAdminResult is hasAdmin's answer.
type HasAdminResult struct {
	Exists bool `json:"exists"`
}

// HasAdmin handles hasAdmin (idco's): whether the first administrator was
// registered, what uni-id-pages' login page asks the client database
// (uni-id-users where role is admin, counted) to hide its register-admin
// link. registerAdmin tells anyone the same.
func (s *Service) HasAdmin(ctx context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	err := s.adminExists(ctx, c)
	if t, ok := errors.AsType[*apierr.Error](err); ok && t.Code == apierr.AdminExists {
		return HasAdminResult{Exists: true}, nil
	}
	if err != nil {
		return nil, err
	}
	return HasAdminResult{}, nil
}
