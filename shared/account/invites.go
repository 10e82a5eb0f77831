package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/mask"
)

// Invites lists who an account invited, by level: level 1 are the accounts
// it invited itself, level 2 the accounts those invited, and so on. The
// index is kept by the users' own writes: each account's inviter chain
// claims one "invited:" key per level (InvitedKey), which the store keeps
// where it can be listed.
type Invites interface {
	// Invitees returns the uids at level of inviter, newest invite first,
	// skipping offset and returning at most limit.
	Invitees(ctx context.Context, inviter string, level, limit, offset int) ([]string, error)
	// CountInvitees counts them.
	CountInvitees(ctx context.Context, inviter string, level int) (int, error)
}

// maxInviteChain caps the inviter chain an account keeps (uni-id keeps it
// whole): each level is one more item written with the account.
const maxInviteChain = 20

// inviteAlphabet is uni-id's: capitals and digits without 0, 1, I and O,
// which people mistype.
const inviteAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// InvitedKeyPrefix starts the keys of the invite index.
const InvitedKeyPrefix = "invited:"

// InvitedKey is the index entry saying that inviter is uid's inviter at
// level (1: direct), since inviteTime: "invited:<inviter>#<level>|<time,
// 13 digits>#<uid>". The store lists them by the part before "|", newest
// first.
func InvitedKey(inviter string, level int, inviteTime int64, uid string) string {
	return fmt.Sprintf("%s%s#%d|%013d#%s", InvitedKeyPrefix, inviter, level, inviteTime, uid)
}

func inviteKey(code string) string { return "invite:" + strings.ToUpper(code) }

// inviteKeys are the keys a user's invite fields claim: its own code, and
// one index entry per level of its inviter chain.
func inviteKeys(u *User) []string {
	var keys []string
	if u.MyInviteCode != "" {
		keys = append(keys, inviteKey(u.MyInviteCode))
	}
	for i, inviter := range u.InviterUID {
		keys = append(keys, InvitedKey(inviter, i+1, u.InviteTime, u.UID))
	}
	return keys
}

// newInviteCode returns a random code of six of inviteAlphabet.
func (s *Service) newInviteCode() (string, error) {
	b := make([]byte, 6)
	if _, err := io.ReadFull(s.rand(), b); err != nil {
		return "", apierr.Systemf("random invite code: %w", err)
	}
	for i := range b {
		b[i] = inviteAlphabet[int(b[i])%len(inviteAlphabet)]
	}
	return string(b), nil
}

// inviteParam reads the inviteCode param every registering method takes
// (the method has checked its shape).
func inviteParam(c *cloudobj.Call) string {
	var p struct {
		InviteCode string `json:"inviteCode"`
	}
	_ = json.Unmarshal(c.Params, &p)
	return p.InviteCode
}

// invite prepares a new account's invite fields, as uni-id's
// postRegister: with an invite code, the inviter and the chain above it;
// none with forceInviteCode (but for the first administrator) is
// uni-id-invalid-invite-code; autoSetInviteCode gives it a code of its own.
func (s *Service) invite(ctx context.Context, cfg *config.Config, c *cloudobj.Call, u *User) error {
	code := inviteParam(c)
	if code == "" {
		if cfg.ForceInviteCode && !hasRole(u.Role, AdminRole) {
			return apierr.New(apierr.InvalidInviteCode)
		}
	} else {
		inviter, err := s.inviterOf(ctx, code, u.UID)
		if err != nil {
			return err
		}
		u.InviterUID = chain(inviter)
		u.InviteTime = ms(s.now())
	}
	if cfg.AutoSetInviteCode {
		var err error
		if u.MyInviteCode, err = s.newInviteCode(); err != nil {
			return err
		}
	}
	return nil
}

// chain is the inviter chain of an account inviter invited.
func chain(inviter *User) []string {
	out := append([]string{inviter.UID}, inviter.InviterUID...)
	if len(out) > maxInviteChain {
		out = out[:maxInviteChain]
	}
	return out
}

// inviterOf returns the account whose code is code, unless it is uid or
// one of uid's own invitees (a loop): uni-id-invalid-invite-code.
func (s *Service) inviterOf(ctx context.Context, code, uid string) (*User, error) {
	owner, err := s.Users.Owner(ctx, inviteKey(code))
	if errors.Is(err, ErrNotFound) {
		return nil, apierr.New(apierr.InvalidInviteCode)
	}
	if err != nil {
		return nil, storeErr("find inviter", err)
	}
	inviter, err := s.Users.Get(ctx, owner)
	if errors.Is(err, ErrNotFound) {
		return nil, apierr.New(apierr.InvalidInviteCode)
	}
	if err != nil {
		return nil, storeErr("get inviter", err)
	}
	if inviter.UID == uid || slices.Contains(inviter.InviterUID, uid) {
		return nil, apierr.New(apierr.InvalidInviteCode)
	}
	return inviter, nil
}

// InviteParams are acceptInvite's params.
type InviteParams struct {
	InviteCode string `json:"inviteCode"`
}

// AcceptInvite handles acceptInvite: the caller, who has no inviter yet,
// takes the code's owner as inviter (uni-id-change-inviter-forbidden
// otherwise); the accounts the caller invited get the new chain appended
// to theirs, as uni-id does.
func (s *Service) AcceptInvite(ctx context.Context, c *cloudobj.Call, p *InviteParams) (any, error) {
	if err := required("inviteCode", p.InviteCode); err != nil {
		return nil, err
	}
	if err := validInviteCode(p.InviteCode); err != nil {
		return nil, err
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	if len(u.InviterUID) > 0 {
		return nil, apierr.New(apierr.ChangeInviterForbidden)
	}
	inviter, err := s.inviterOf(ctx, p.InviteCode, u.UID)
	if err != nil {
		return nil, err
	}
	saved, err := s.updateCaller(ctx, c, u, func(u *User) error {
		if len(u.InviterUID) > 0 {
			return apierr.New(apierr.ChangeInviterForbidden)
		}
		u.InviterUID, u.InviteTime = chain(inviter), ms(s.now())
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.Log("uid", u.UID)
	return nil, s.extendChains(ctx, saved)
}

// extendChains appends top's chain to the chains of the accounts below it
// that end at top: level by level, each account in its own save, and
// skipping an account already extended, so a retry finishes the work.
func (s *Service) extendChains(ctx context.Context, top *User) error {
	if s.Invites == nil {
		return nil
	}
	for level := 1; level < maxInviteChain; level++ {
		uids, err := s.Invites.Invitees(ctx, top.UID, level, 1000, 0)
		if err != nil {
			return storeErr("list invitees", err)
		}
		if len(uids) == 0 {
			return nil
		}
		for _, uid := range uids {
			err := s.updateUser(ctx, uid, func(u *User) error {
				if len(u.InviterUID) != level || u.InviterUID[level-1] != top.UID {
					return errSkip
				}
				u.InviterUID = append(slices.Clone(u.InviterUID), top.InviterUID...)
				if len(u.InviterUID) > maxInviteChain {
					u.InviterUID = u.InviterUID[:maxInviteChain]
				}
				return nil
			})
			if err != nil && !errors.Is(err, errSkip) && !apierr.Is(err, apierr.AccountNotExists) {
				return err
			}
		}
	}
	return nil
}

// errSkip stops an update that has nothing to do.
var errSkip = errors.New("nothing to change")

// InvitedParams are getInvitedUser's params.
type InvitedParams struct {
	Level     int  `json:"level"`
	Limit     *int `json:"limit"`
	Offset    int  `json:"offset"`
	NeedTotal bool `json:"needTotal"`
}

// InvitedUser is one entry of getInvitedUser's answer, as uni-id's.
type InvitedUser struct {
	UID        string `json:"uid"`
	Username   string `json:"username,omitempty"`
	Nickname   string `json:"nickname,omitempty"`
	Mobile     string `json:"mobile,omitempty"` // masked, 138****1234
	InviteTime int64  `json:"inviteTime"`
	Avatar     string `json:"avatar,omitempty"`
	AvatarFile any    `json:"avatarFile,omitempty"`
}

// GetInvitedUser handles getInvitedUser: the caller's invitees at level,
// newest first, with uni-id's limit (20) and offset, and the total when
// asked.
func (s *Service) GetInvitedUser(ctx context.Context, c *cloudobj.Call, p *InvitedParams) (any, error) {
	limit := 20
	if p.Limit != nil {
		limit = *p.Limit
	}
	if p.Level < 1 || p.Level > maxInviteChain {
		return nil, apierr.Param(apierr.InvalidParam, "level")
	}
	if limit < 1 || limit > 100 || p.Offset < 0 || p.Offset > 10000 {
		return nil, apierr.Param(apierr.InvalidParam, "limit")
	}
	uid := c.Auth.UID
	if s.Invites == nil {
		return nil, apierr.Systemf("no invite index")
	}
	uids, err := s.Invites.Invitees(ctx, uid, p.Level, limit, p.Offset)
	if err != nil {
		return nil, storeErr("list invitees", err)
	}
	out := struct {
		InvitedUser []InvitedUser `json:"invitedUser"`
		Total       *int          `json:"total,omitempty"`
	}{InvitedUser: []InvitedUser{}}
	for _, id := range uids {
		u, err := s.Users.Get(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, storeErr("get invitee", err)
		}
		out.InvitedUser = append(out.InvitedUser, InvitedUser{UID: u.UID, Username: u.Username, Nickname: u.Nickname,
			Mobile: mask.Mobile(u.Mobile), InviteTime: u.InviteTime, Avatar: u.Avatar, AvatarFile: u.Extra["avatar_file"]})
	}
	if p.NeedTotal {
		n, err := s.Invites.CountInvitees(ctx, uid, p.Level)
		if err != nil {
			return nil, storeErr("count invitees", err)
		}
		out.Total = &n
	}
	return out, nil
}
