package account

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
)

// UserView is an account as an administrator reads it: uni-id's fields,
// without the password hash, sessions' secrets or third-party secrets.
type UserView struct {
	UID            string   `json:"uid"`
	Username       string   `json:"username,omitempty"`
	Nickname       string   `json:"nickname,omitempty"`
	Mobile         string   `json:"mobile,omitempty"`
	MobileConfirm  int      `json:"mobile_confirmed,omitempty"`
	Email          string   `json:"email,omitempty"`
	EmailConfirm   int      `json:"email_confirmed,omitempty"`
	Role           []string `json:"role"`
	Status         int      `json:"status"`
	DcloudAppid    []string `json:"dcloud_appid,omitzero"`
	Tags           any      `json:"tags,omitempty"`
	RegisterDate   int64    `json:"register_date,omitempty"`
	LastLoginDate  int64    `json:"last_login_date,omitempty"`
	LastLoginIP    string   `json:"last_login_ip,omitempty"`
	PasswordSet    bool     `json:"passwordSet"`
	Sessions       int      `json:"sessions"`
	Identities     []string `json:"identities"`
	RealNameStatus int      `json:"realNameAuthStatus,omitempty"`
	MyInviteCode   string   `json:"my_invite_code,omitempty"`
	InviterUID     []string `json:"inviter_uid,omitempty"`
}

func (s *Service) view(u *User) UserView {
	v := UserView{UID: u.UID, Username: u.Username, Nickname: u.Nickname, Mobile: u.Mobile, MobileConfirm: u.MobileConfirmed,
		Email: u.Email, EmailConfirm: u.EmailConfirmed, Role: u.Role, Status: u.Status, DcloudAppid: u.DcloudAppid,
		Tags: u.Extra["tags"], RegisterDate: u.RegisterDate, LastLoginDate: u.LastLoginDate, LastLoginIP: u.LastLoginIP,
		PasswordSet: u.Password != "", Sessions: len(u.Sessions), Identities: []string{},
		MyInviteCode: u.MyInviteCode, InviterUID: u.InviterUID}
	if v.Role == nil {
		v.Role = []string{}
	}
	for _, p := range s.identityProviders() {
		if p.Bound(u) {
			v.Identities = append(v.Identities, p.Name())
		}
	}
	if u.RealNameAuth != nil {
		v.RealNameStatus = u.RealNameAuth.AuthStatus
	}
	return v
}

// FindUserParams are getUser's params: exactly one of them.
type FindUserParams struct {
	UID      string `json:"uid"`
	Username string `json:"username"`
	Mobile   string `json:"mobile"`
	Email    string `json:"email"`
}

// GetUser handles getUser: one account, found by uid, username, mobile or
// email.
func (s *Service) GetUser(ctx context.Context, c *cloudobj.Call, p *FindUserParams) (any, error) {
	var key string
	n := 0
	for _, f := range []struct{ v, key string }{{p.UID, ""}, {p.Username, usernameKey(p.Username)},
		{p.Mobile, ""}, {p.Email, emailKey(p.Email)}} {
		if f.v != "" {
			n++
			key = f.key
		}
	}
	if n != 1 {
		return nil, apierr.Param(apierr.InvalidParam, "uid, username, mobile or email")
	}
	uid := p.UID
	if p.Mobile != "" {
		ph, err := parsePhone(p.Mobile, []string{"+"})
		if err != nil {
			return nil, err
		}
		key = mobileKey(ph.E164)
	}
	u, err := s.account(ctx, key, uid)
	if err != nil {
		return nil, err
	}
	c.Log("uid", u.UID)
	return struct {
		User UserView `json:"user"`
	}{s.view(u)}, nil
}

// PageParams name one page of a listing: its size and the cursor the
// previous page answered ("" for the first).
type PageParams struct {
	Limit  int    `json:"limit"`
	Cursor string `json:"cursor"`
}

// check sets the default size and refuses a size outside 1..max or a
// cursor longer than any this service hands out.
func (p *PageParams) check(def, max int) error {
	if p.Limit == 0 {
		p.Limit = def
	}
	if p.Limit < 1 || p.Limit > max {
		return apierr.Param(apierr.InvalidParam, "limit")
	}
	if len(p.Cursor) > 128 {
		return apierr.Param(apierr.InvalidParam, "cursor")
	}
	return nil
}

// ListUsers handles listUsers: a page of accounts (limit 1 to 100, 20 by
// default) and the cursor of the next ("" at the end).
func (s *Service) ListUsers(ctx context.Context, _ *cloudobj.Call, p *PageParams) (any, error) {
	if err := p.check(20, 100); err != nil {
		return nil, err
	}
	users, next, err := s.Users.List(ctx, p.Limit, p.Cursor)
	if err != nil {
		return nil, storeErr("list users", err)
	}
	out := struct {
		Users  []UserView `json:"users"`
		Cursor string     `json:"cursor"`
	}{Users: []UserView{}, Cursor: next}
	for _, u := range users {
		out.Users = append(out.Users, s.view(u))
	}
	return out, nil
}

// UIDParams name one account.
type UIDParams struct {
	UID string `json:"uid"`
}

// RolesParams are setUserRoles' params.
type RolesParams struct {
	UID  string   `json:"uid"`
	Role []string `json:"role"`
}

// BanUser handles banUser: the account can no longer log in, and its
// sessions end at once.
func (s *Service) BanUser(ctx context.Context, c *cloudobj.Call, p *UIDParams) (any, error) {
	return s.setStatus(ctx, c, p.UID, StatusBanned, func(int) bool { return true })
}

// UnbanUser handles unbanUser: a banned account is normal again; any other
// is left as it is (uni-id-invalid-param).
func (s *Service) UnbanUser(ctx context.Context, c *cloudobj.Call, p *UIDParams) (any, error) {
	return s.setStatus(ctx, c, p.UID, StatusNormal, func(st int) bool { return st == StatusBanned })
}

// CloseUser handles closeUser: the account is closed, as closeAccount
// closes one's own, and its sessions end.
func (s *Service) CloseUser(ctx context.Context, c *cloudobj.Call, p *UIDParams) (any, error) {
	return s.setStatus(ctx, c, p.UID, StatusClosed, func(int) bool { return true })
}

func (s *Service) setStatus(ctx context.Context, c *cloudobj.Call, uid string, status int, from func(int) bool) (any, error) {
	if err := s.notSelf(c, uid); err != nil {
		return nil, err
	}
	return nil, s.changeUser(ctx, c, uid, func(u *User) error {
		if !from(u.Status) {
			return apierr.Param(apierr.InvalidParam, "status")
		}
		u.Status = status
		if status != StatusNormal {
			u.Sessions = nil
		}
		return nil
	})
}

// EndUserSessions handles endUserSessions: every session of the account
// ends; it can log in again.
func (s *Service) EndUserSessions(ctx context.Context, c *cloudobj.Call, p *UIDParams) (any, error) {
	return nil, s.changeUser(ctx, c, p.UID, func(u *User) error {
		revokeTokens(u, s.now())
		return nil
	})
}

// SetUserRoles handles setUserRoles: exactly these roles, each admin or
// one of the catalog's. A role taken away stops working at once.
func (s *Service) SetUserRoles(ctx context.Context, c *cloudobj.Call, p *RolesParams) (any, error) {
	if err := required("uid", p.UID); err != nil {
		return nil, err
	}
	if p.Role == nil {
		return nil, apierr.Param(apierr.ParamRequired, "role")
	}
	if err := s.knownRoles(ctx, p.Role); err != nil {
		return nil, err
	}
	if err := s.notSelf(c, p.UID); err != nil && !slices.Contains(p.Role, AdminRole) {
		return nil, err // an administrator may not demote themself
	}
	return nil, s.changeUser(ctx, c, p.UID, func(u *User) error {
		u.Role = slices.Compact(slices.Sorted(slices.Values(p.Role)))
		return nil
	})
}

// DeleteUser handles deleteUser: the account and every unique key it owns
// (username, mobile, email, third-party identities, ID number, the first
// administrator's mark) go in one transaction.
func (s *Service) DeleteUser(ctx context.Context, c *cloudobj.Call, p *UIDParams) (any, error) {
	if err := s.notSelf(c, p.UID); err != nil {
		return nil, err
	}
	c.Log("uid", p.UID)
	for range saveAttempts {
		u, err := s.Users.Get(ctx, p.UID)
		if errors.Is(err, ErrNotFound) {
			return nil, apierr.New(apierr.AccountNotExists)
		}
		if err != nil {
			return nil, storeErr("get user", err)
		}
		keys := s.keysOf(u)
		if owner, err := s.Users.Owner(ctx, adminKey); err == nil && owner == u.UID {
			keys = append(keys, adminKey)
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, storeErr("find admin", err)
		}
		err = s.Users.Delete(ctx, u, keys)
		switch {
		case err == nil:
			return nil, nil
		case errors.Is(err, ErrNotFound):
			return nil, apierr.New(apierr.AccountNotExists)
		case !errors.Is(err, ErrConflict):
			return nil, storeErr("delete user", err)
		}
	}
	return nil, apierr.Wrap(apierr.RetryLater, errors.New("account kept changing during delete"))
}

// notSelf refuses an administrator's action on their own account that
// could lock them out (ban, close, delete, losing the admin role).
func (s *Service) notSelf(c *cloudobj.Call, uid string) error {
	if err := required("uid", uid); err != nil {
		return err
	}
	if c.Auth != nil && !c.Auth.Operator && strings.EqualFold(c.Auth.UID, uid) {
		return apierr.Param(apierr.InvalidParam, "uid")
	}
	return nil
}
