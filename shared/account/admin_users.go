package account

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/password"
)

// AddUserParams are addUser's params (uni-id-co).
type AddUserParams struct {
	Username      string   `json:"username"`
	Password      string   `json:"password"`
	AuthorizedApp []string `json:"authorizedApp"`
	Nickname      string   `json:"nickname"`
	Role          []string `json:"role"`
	Mobile        string   `json:"mobile"`
	Email         string   `json:"email"`
	Tags          []string `json:"tags"`
	Status        *int     `json:"status"`
}

// UpdateUserParams are updateUser's params (uni-id-co): only the fields
// given change.
type UpdateUserParams struct {
	UID           string    `json:"uid"`
	Username      string    `json:"username"`
	Password      string    `json:"password"`
	AuthorizedApp *[]string `json:"authorizedApp"`
	Nickname      *string   `json:"nickname"`
	Role          *[]string `json:"role"`
	Mobile        *string   `json:"mobile"`
	Email         *string   `json:"email"`
	Tags          *[]string `json:"tags"`
	Status        *int      `json:"status"`
}

// AddUser handles addUser: an account made by an administrator, as uni-id
// makes it: in the apps of authorizedApp only (none: no app), its mobile
// and email confirmed, no session. A username, mobile or email another
// account holds is uni-id-account-exists.
func (s *Service) AddUser(ctx context.Context, c *cloudobj.Call, p *AddUserParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if err := required("username", p.Username, "password", p.Password); err != nil {
		return nil, err
	}
	if err := validUsername(p.Username); err != nil {
		return nil, err
	}
	hash, err := s.adminPassword(cfg, p.Password)
	if err != nil {
		return nil, err
	}
	uid, err := s.newID()
	if err != nil {
		return nil, err
	}
	u := &User{UID: uid, Username: strings.ToLower(p.Username), Password: hash, RegisterDate: ms(s.now()),
		DcloudAppid: []string{}}
	set := UpdateUserParams{AuthorizedApp: &p.AuthorizedApp, Nickname: &p.Nickname, Role: &p.Role,
		Mobile: &p.Mobile, Email: &p.Email, Tags: &p.Tags, Status: p.Status}
	if err := s.applyUserFields(ctx, cfg, u, &set); err != nil {
		return nil, err
	}
	keys := s.keysOf(u)
	if hasRole(u.Role, AdminRole) {
		keys = append(keys, adminKey) // the first administrator, if none was made yet
	}
	err = s.Users.Create(ctx, u, keys)
	if t, ok := errors.AsType[*TakenError](err); ok && t.Key == adminKey {
		err = s.Users.Create(ctx, u, keys[:len(keys)-1])
	}
	if err != nil {
		if t, ok := errors.AsType[*TakenError](err); ok {
			return nil, s.takenErr(t)
		}
		return nil, storeErr("create user", err)
	}
	c.Log("uid", u.UID)
	return struct {
		UID string `json:"uid"`
	}{u.UID}, nil
}

// UpdateUser handles updateUser: the given fields of the account uid. A
// new password ends the account's sessions; so does a status other than
// normal, at once, as every token check reads it.
func (s *Service) UpdateUser(ctx context.Context, c *cloudobj.Call, p *UpdateUserParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if err := required("uid", p.UID, "username", p.Username); err != nil {
		return nil, err
	}
	if err := validUsername(p.Username); err != nil {
		return nil, err
	}
	hash, err := s.adminPassword(cfg, p.Password)
	if err != nil {
		return nil, err
	}
	return nil, s.changeUser(ctx, c, p.UID, func(u *User) error {
		u.Username = strings.ToLower(p.Username)
		s.setPassword(u, hash)
		return s.applyUserFields(ctx, cfg, u, p)
	})
}

// adminPassword checks a password an administrator sets against the
// config's strength rule and hashes it ("" for none given).
func (s *Service) adminPassword(cfg *config.Config, pw string) (string, error) {
	if pw == "" {
		return "", nil
	}
	if code := password.Check(pw, cfg.PasswordStrength); code != "" {
		return "", apierr.New(code)
	}
	hash, err := s.hashPassword(cfg, pw)
	if err != nil {
		return "", err
	}
	return hash, nil
}

// setPassword writes a password hash an administrator set ("" leaves the
// password): every session of the account ends.
func (s *Service) setPassword(u *User, hash string) {
	if hash != "" {
		u.Password, u.PasswordSecretVersion = hash, 0
		revokeTokens(u, s.now())
	}
}

// applyUserFields writes the given fields onto u: a mobile or email an
// administrator sets counts as confirmed, an empty one removes it.
func (s *Service) applyUserFields(ctx context.Context, cfg *config.Config, u *User, p *UpdateUserParams) error {
	if p.Nickname != nil {
		if err := validNickname(*p.Nickname); err != nil {
			return err
		}
		u.Nickname = *p.Nickname
	}
	if p.Mobile != nil {
		u.Mobile, u.MobileConfirmed = "", 0
		if *p.Mobile != "" {
			ph, err := parsePhone(*p.Mobile, []string{"+"})
			if err != nil {
				return err
			}
			u.Mobile, u.MobileConfirmed = ph.Stored, 1
		}
	}
	if p.Email != nil {
		u.Email, u.EmailConfirmed = "", 0
		if *p.Email != "" {
			if err := validEmail(*p.Email); err != nil {
				return err
			}
			u.Email, u.EmailConfirmed = strings.ToLower(*p.Email), 1
		}
	}
	if p.AuthorizedApp != nil {
		apps, err := appList(*p.AuthorizedApp, "authorizedApp")
		if err != nil {
			return err
		}
		u.DcloudAppid = apps
	}
	if p.Role != nil {
		if err := s.knownRoles(ctx, *p.Role); err != nil {
			return err
		}
		u.Role = slices.Clone(*p.Role)
	}
	if p.Tags != nil {
		tags := make([]any, len(*p.Tags))
		for i, t := range *p.Tags {
			tags[i] = t
		}
		setExtra(u, "tags", tags, len(tags) == 0)
	}
	if p.Status != nil {
		if *p.Status < StatusNormal || *p.Status > StatusClosed {
			return apierr.Param(apierr.InvalidParam, "status")
		}
		if u.Status = *p.Status; u.Status != StatusNormal {
			u.Sessions = nil
		}
	}
	return nil
}

// appList checks a list of DCloud appIds: no empty names and not "*",
// which uni-id reads as every app and which only the config may say.
func appList(apps []string, param string) ([]string, error) {
	out := []string{}
	for _, a := range apps {
		if strings.TrimSpace(a) == "" || a == "*" || len(a) > 64 {
			return nil, apierr.Param(apierr.InvalidParam, param)
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out, nil
}

// knownRoles refuses a role that is neither admin nor in the catalog: a
// typo would otherwise grant nothing, silently.
func (s *Service) knownRoles(ctx context.Context, roles []string) error {
	if len(roles) == 0 || len(roles) == 1 && roles[0] == AdminRole {
		return nil
	}
	cat, err := s.Roles.Catalog(ctx)
	if err != nil {
		return storeErr("read role catalog", err)
	}
	for _, r := range roles {
		if _, ok := cat.Roles[r]; !ok && r != AdminRole {
			return &apierr.Error{Code: apierr.RoleNotFound, Values: map[string]string{"role": r}}
		}
	}
	return nil
}

// account returns the account found by key (a unique key; "" to take
// uid as it is) or uid: uni-id-account-not-exists when there is none.
func (s *Service) account(ctx context.Context, key, uid string) (*User, error) {
	if key != "" {
		owner, err := s.Users.Owner(ctx, key)
		if errors.Is(err, ErrNotFound) {
			return nil, apierr.New(apierr.AccountNotExists)
		}
		if err != nil {
			return nil, storeErr("find user", err)
		}
		uid = owner
	}
	u, err := s.Users.Get(ctx, uid)
	if errors.Is(err, ErrNotFound) {
		return nil, apierr.New(apierr.AccountNotExists)
	}
	if err != nil {
		return nil, storeErr("get user", err)
	}
	return u, nil
}

// changeUser is updateUser for an administrator's method: the uid is
// required and goes to the log line (and the audit log).
func (s *Service) changeUser(ctx context.Context, c *cloudobj.Call, uid string, fn func(u *User) error) error {
	if err := required("uid", uid); err != nil {
		return err
	}
	c.Log("uid", uid)
	return s.updateUser(ctx, uid, fn)
}

// updateUser applies fn to the account uid as an administrator: no
// session check, and a missing account is uni-id-account-not-exists.
func (s *Service) updateUser(ctx context.Context, uid string, fn func(u *User) error) error {
	u, err := s.account(ctx, "", uid)
	if err != nil {
		return err
	}
	_, err = s.update(ctx, u, fn)
	if apierr.Is(err, apierr.CheckTokenFailed) {
		return apierr.New(apierr.AccountNotExists) // deleted meanwhile
	}
	return err
}

// AppParams are authorizeAppLogin's and removeAuthorizedApp's params.
type AppParams struct {
	UID   string `json:"uid"`
	AppID string `json:"appId"`
}

// AppListParams are setAuthorizedApp's params.
type AppListParams struct {
	UID       string   `json:"uid"`
	AppIDList []string `json:"appIdList"`
}

// AuthorizeAppLogin handles authorizeAppLogin: the account may log in to
// appId too. idco's unique keys span every app, so no identifier of the
// account can belong to another account of appId.
func (s *Service) AuthorizeAppLogin(ctx context.Context, c *cloudobj.Call, p *AppParams) (any, error) {
	if err := required("uid", p.UID, "appId", p.AppID); err != nil {
		return nil, err
	}
	apps, err := appList([]string{p.AppID}, "appId")
	if err != nil {
		return nil, err
	}
	return nil, s.changeUser(ctx, c, p.UID, func(u *User) error {
		if !slices.Contains(u.DcloudAppid, apps[0]) {
			u.DcloudAppid = append(slices.Clone(u.DcloudAppid), apps[0])
		}
		return nil
	})
}

// RemoveAuthorizedApp handles removeAuthorizedApp: the account may no
// longer log in to appId.
func (s *Service) RemoveAuthorizedApp(ctx context.Context, c *cloudobj.Call, p *AppParams) (any, error) {
	if err := required("uid", p.UID, "appId", p.AppID); err != nil {
		return nil, err
	}
	return nil, s.changeUser(ctx, c, p.UID, func(u *User) error {
		u.DcloudAppid = slices.DeleteFunc(slices.Clone(u.DcloudAppid), func(a string) bool { return a == p.AppID })
		if u.DcloudAppid == nil {
			u.DcloudAppid = []string{} // no app: not "every app"
		}
		return nil
	})
}

// SetAuthorizedApp handles setAuthorizedApp: exactly these apps.
func (s *Service) SetAuthorizedApp(ctx context.Context, c *cloudobj.Call, p *AppListParams) (any, error) {
	if err := required("uid", p.UID); err != nil {
		return nil, err
	}
	if p.AppIDList == nil {
		return nil, apierr.Param(apierr.ParamRequired, "appIdList")
	}
	apps, err := appList(p.AppIDList, "appIdList")
	if err != nil {
		return nil, err
	}
	return nil, s.changeUser(ctx, c, p.UID, func(u *User) error {
		u.DcloudAppid = apps
		return nil
	})
}
