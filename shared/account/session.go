package account

import (
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/token"
)

// saveAttempts bounds read-modify-write retries when concurrent requests
// change the same account.
const saveAttempts = 5

// update applies fn to u and saves it, claiming and releasing unique keys as
// fn changed them. On a concurrent change it reloads the account and applies
// fn again. fn may return an error to stop without writing.
func (s *Service) update(ctx context.Context, u *User, fn func(u *User) error) (*User, error) {
	for range saveAttempts {
		before := s.keysOf(u)
		next := cloneUser(u)
		if err := fn(next); err != nil {
			return nil, err
		}
		add, drop := diffKeys(before, s.keysOf(next))
		err := s.Users.Save(ctx, next, add, drop)
		if err == nil {
			next.Version++
			return next, nil
		}
		if !errors.Is(err, ErrConflict) {
			return nil, s.saveErr(err)
		}
		if u, err = s.Users.Get(ctx, u.UID); err != nil {
			if errors.Is(err, ErrNotFound) {
				return nil, apierr.New(apierr.CheckTokenFailed)
			}
			return nil, storeErr("get user", err)
		}
	}
	return nil, apierr.Wrap(apierr.RetryLater, errors.New("account kept changing during save"))
}

// updateCaller is update for the logged-in caller's own account: every
// attempt re-checks that the caller's session still stands, so a
// concurrent logout, password change, ban or close wins over the change.
func (s *Service) updateCaller(ctx context.Context, c *cloudobj.Call, u *User, fn func(u *User) error) (*User, error) {
	return s.update(ctx, u, func(u *User) error {
		if err := checkStatus(u); err != nil {
			return err
		}
		if c.Auth.AccessToken != "" {
			if t, ok := u.AccessTokens[c.Auth.AccessToken]; !ok || t.Disabled {
				return apierr.New(apierr.CheckTokenFailed)
			}
			return fn(u)
		}
		if _, ok := u.Sessions[c.Auth.SessionID]; !ok || u.ValidTokenDate > c.Auth.IssuedAt*1000 {
			return apierr.New(apierr.CheckTokenFailed)
		}
		return fn(u)
	})
}

func (s *Service) saveErr(err error) error {
	if t, ok := errors.AsType[*TakenError](err); ok {
		return s.takenErr(t)
	}
	if errors.Is(err, ErrNotFound) {
		return apierr.Wrap(apierr.CheckTokenFailed, err)
	}
	return storeErr("save user", err)
}

// cloneUser returns a copy of u that shares nothing a save may change:
// every map, slice and pointer is copied (TestCloneUserCopiesEveryField
// fails when a new one is not).
func cloneUser(u *User) *User {
	c := *u
	c.Sessions = maps.Clone(u.Sessions)
	if c.Sessions == nil {
		c.Sessions = map[string]Session{}
	}
	c.WxOpenid, c.QQOpenid, c.OAuth = maps.Clone(u.WxOpenid), maps.Clone(u.QQOpenid), maps.Clone(u.OAuth)
	c.AccessTokens = maps.Clone(u.AccessTokens)
	c.OAuthGrants = maps.Clone(u.OAuthGrants)
	c.Role, c.DcloudAppid, c.InviterUID = slices.Clone(u.Role), slices.Clone(u.DcloudAppid), slices.Clone(u.InviterUID)
	c.Extra = maps.Clone(u.Extra)
	if u.RealNameAuth != nil {
		r := *u.RealNameAuth
		c.RealNameAuth = &r
	}
	if u.RegisterEnv != nil {
		e := *u.RegisterEnv
		c.RegisterEnv = &e
	}
	return &c
}

func diffKeys(before, after []string) (add, drop []string) {
	in := func(k string, list []string) bool {
		for _, x := range list {
			if x == k {
				return true
			}
		}
		return false
	}
	for _, k := range after {
		if !in(k, before) {
			add = append(add, k)
		}
	}
	for _, k := range before {
		if !in(k, after) {
			drop = append(drop, k)
		}
	}
	return add, drop
}

// openSession adds a new session to u, dropping expired sessions and the
// oldest ones beyond maxTokenLength, and returns its id.
func (s *Service) openSession(cfg *config.Config, c *cloudobj.Call, u *User) (string, error) {
	sid, err := s.newSessionID()
	if err != nil {
		return "", err
	}
	now := s.now()
	if u.Sessions == nil {
		u.Sessions = map[string]Session{}
	}
	u.Sessions[sid] = Session{Gen: 1, Created: ms(now), AuthAt: ms(now), Expires: ms(now.Add(cfg.TokenTTL())),
		Platform: c.Client.Platform, DeviceID: c.Client.DeviceID, AppID: c.Client.AppID}
	pruneSessions(u, now, cfg.MaxTokenLength)
	return sid, nil
}

// recentUntil is when a session's last real login stops being recent.
func recentUntil(cfg *config.Config, ss Session) time.Time {
	at := cmp.Or(ss.AuthAt, ss.Created)
	return time.UnixMilli(at).Add(cfg.RecentLogin())
}

func (s *Service) newSessionID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(s.rand(), b[:]); err != nil {
		return "", apierr.Systemf("random session id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// revokeTokens ends every session of u and refuses every token issued
// before now. Tokens carry iat in whole seconds, so the floor is now's
// second: a token issued later in that same second (a login right after a
// reset) must stay good, and the ones issued earlier in it are already out
// with their sessions.
//
// Personal access tokens go too: a password change, a reset, closing the
// account or an administrator ending its sessions leaves no credential a
// thief may have taken.
func revokeTokens(u *User, now time.Time) {
	u.Sessions = nil
	u.AccessTokens = nil
	u.ValidTokenDate = now.Unix() * 1000
}

// pruneSessions drops expired sessions, then the oldest beyond max.
func pruneSessions(u *User, now time.Time, max int) {
	ids := make([]string, 0, len(u.Sessions))
	for id, ss := range u.Sessions {
		if ss.Expires <= ms(now) {
			delete(u.Sessions, id)
			continue
		}
		if ss.ClientID == "" { // apps' sessions have their own cap
			ids = append(ids, id)
		}
	}
	if len(ids) <= max {
		return
	}
	slices.SortFunc(ids, func(a, b string) int { return cmp.Compare(u.Sessions[a].Created, u.Sessions[b].Created) })
	for _, id := range ids[:len(ids)-max] {
		delete(u.Sessions, id)
	}
}

// sign returns the token for u's session sid at its current generation.
// Its permission claim is the union of u's roles' permissions, as uni-id's:
// the catalog is read only when u has a role other than admin.
func (s *Service) sign(ctx context.Context, cfg *config.Config, u *User, sid string) (*cloudobj.NewToken, error) {
	perms, err := s.permissionsOf(ctx, u.Role)
	if err != nil {
		return nil, err
	}
	ss := u.Sessions[sid]
	exp := ss.Expires / 1000
	tok, err := token.Sign([]byte(cfg.TokenSecret), token.Claims{
		UID: u.UID, Role: u.Role, Permission: perms, SID: sid, Gen: ss.Gen,
		IAT: s.now().Unix(), EXP: exp,
	})
	if err != nil {
		return nil, apierr.Systemf("sign token: %w", err)
	}
	return &cloudobj.NewToken{Token: tok, TokenExpired: exp * 1000}, nil
}

// livePermissions is the token's permission claim while the user still has
// every role the token was issued with, and none once one was taken away:
// a removed role ends its power at once, a changed catalog at the next
// token. Roles themselves are always the account's current ones.
func livePermissions(claims *token.Claims, u *User) []string {
	for _, r := range claims.Role {
		if !slices.Contains(u.Role, r) {
			return []string{}
		}
	}
	return claims.Permission
}

// permissionsOf returns the permissions roles grant (none for admin).
func (s *Service) permissionsOf(ctx context.Context, roles []string) ([]string, error) {
	if len(roles) == 0 || slices.Contains(roles, AdminRole) || s.Roles == nil {
		return []string{}, nil
	}
	c, err := s.Roles.Catalog(ctx)
	if err != nil {
		return nil, storeErr("read role catalog", err)
	}
	return c.PermissionsOf(roles), nil
}

// parseToken verifies the call's token with the app's secret.
func (s *Service) parseToken(cfg *config.Config, c *cloudobj.Call) (*token.Claims, error) {
	if c.Token == "" {
		return nil, apierr.New(apierr.CheckTokenFailed)
	}
	claims, err := token.Parse([]byte(cfg.TokenSecret), c.Token, s.now())
	switch {
	case errors.Is(err, token.ErrExpired):
		return nil, apierr.New(apierr.TokenExpired)
	case err != nil:
		return nil, apierr.Wrap(apierr.CheckTokenFailed, err)
	}
	return claims, nil
}

// loadForToken reads the token's account and applies the status check.
// An open-platform app's refresh token (its session's) is no login.
func (s *Service) loadForToken(ctx context.Context, claims *token.Claims) (*User, error) {
	u, err := s.Users.Get(ctx, claims.UID)
	if errors.Is(err, ErrNotFound) || (err == nil && u.Sessions[claims.SID].ClientID != "") {
		return nil, apierr.New(apierr.CheckTokenFailed)
	}
	if err != nil {
		return nil, storeErr("get user", err)
	}
	if err := checkStatus(u); err != nil {
		return nil, err
	}
	return u, nil
}

// tokenState says how a token stands against its session.
type tokenState int

const (
	tokenCurrent tokenState = iota // the session's newest token
	tokenGrace                     // the one before, within the grace window
	tokenStale                     // rotated away: a replay
	tokenRevoked                   // no session, or revoked by a password change
	tokenExpired
)

func (s *Service) stateOf(cfg *config.Config, u *User, claims *token.Claims) tokenState {
	ss, ok := u.Sessions[claims.SID]
	now := ms(s.now())
	switch {
	case !ok || u.ValidTokenDate > claims.IAT*1000:
		return tokenRevoked
	case ss.Expires <= now:
		return tokenExpired
	case claims.Gen == ss.Gen:
		return tokenCurrent
	case claims.Gen == ss.Gen-1 && now-ss.RotatedAt <= cfg.RefreshGrace().Milliseconds():
		return tokenGrace
	case claims.Gen < ss.Gen:
		return tokenStale
	}
	return tokenRevoked
}

// Authenticate implements cloudobj.Authenticator: a valid signature is not
// enough; the session must be live and the account in good standing, so
// logout, password changes, bans and closing act at once. Near expiry (and
// when refresh is set) it rotates the session and sets c.NewToken.
func (s *Service) Authenticate(ctx context.Context, c *cloudobj.Call, refresh bool) error {
	cfg, err := s.cfg(c)
	if err != nil {
		return err
	}
	if strings.HasPrefix(c.Token, PATPrefix) {
		return s.authenticatePAT(ctx, c)
	}
	claims, err := s.parseToken(cfg, c)
	if apierr.Is(err, apierr.CheckTokenFailed) {
		if legacy, lerr := token.ParseUniID([]byte(cfg.TokenSecret), c.Token, s.now()); lerr == nil {
			return s.exchangeUniIDToken(ctx, cfg, c, legacy)
		}
	}
	if err != nil {
		return err
	}
	u, err := s.loadForToken(ctx, claims)
	if err != nil {
		return err
	}
	switch s.stateOf(cfg, u, claims) {
	case tokenExpired:
		return apierr.New(apierr.TokenExpired)
	case tokenStale:
		// A token rotated away and used after the grace window is a replay:
		// uni-id clients rotate through newToken and never call
		// refreshToken, so this is where theft shows.
		if _, _, err := s.rotate(ctx, cfg, u, claims, true); err != nil {
			return err
		}
		return apierr.New(apierr.CheckTokenFailed)
	case tokenRevoked:
		return apierr.New(apierr.CheckTokenFailed)
	}
	// A token is good only in the apps its account belongs to.
	if !inApp(u, c.Client.AppID) {
		return apierr.New(apierr.AccountNotInApp)
	}
	c.Auth = &cloudobj.Auth{UID: u.UID, Role: u.Role, Permission: livePermissions(claims, u),
		SessionID: claims.SID, IssuedAt: claims.IAT, Record: u, RecentUntil: recentUntil(cfg, u.Sessions[claims.SID])}
	left := time.Unix(claims.EXP, 0).Sub(s.now())
	if refresh && cfg.TokenExpiresThreshold > 0 && left < cfg.TokenThreshold() {
		nt, saved, err := s.rotate(ctx, cfg, u, claims, false)
		if err != nil {
			return err
		}
		c.NewToken, c.Auth.Record = nt, saved
	}
	return nil
}

// rotate moves the token's session to a new generation and returns its
// token. A token rotated away within the grace window gets the session's
// current token (two concurrent refreshes both succeed); one rotated away
// earlier is a replay, and with revoke set the session is ended.
// It also returns the account as it now stands.
func (s *Service) rotate(ctx context.Context, cfg *config.Config, u *User, claims *token.Claims, revoke bool) (*cloudobj.NewToken, *User, error) {
	replay := false
	latest := u
	out, err := s.update(ctx, u, func(u *User) error {
		replay, latest = false, u
		ss := u.Sessions[claims.SID]
		switch s.stateOf(cfg, u, claims) {
		case tokenCurrent:
			now := s.now()
			ss.Gen++
			ss.RotatedAt = ms(now)
			ss.Expires = ms(now.Add(cfg.TokenTTL()))
			u.Sessions[claims.SID] = ss
			pruneSessions(u, now, cfg.MaxTokenLength)
			return nil
		case tokenGrace:
			return errNoWrite
		case tokenStale:
			if !revoke {
				return apierr.New(apierr.CheckTokenFailed)
			}
			replay = true
			delete(u.Sessions, claims.SID)
			return nil
		case tokenExpired:
			return apierr.New(apierr.TokenExpired)
		}
		return apierr.New(apierr.CheckTokenFailed)
	})
	switch {
	case errors.Is(err, errNoWrite):
		out = latest
	case err != nil:
		return nil, nil, err
	case replay:
		return nil, nil, apierr.Wrap(apierr.CheckTokenFailed, errReplay)
	}
	nt, err := s.sign(ctx, cfg, out, claims.SID)
	return nt, out, err
}

// errNoWrite stops update without saving, when nothing needs to change.
var errNoWrite = errors.New("no write needed")

// errReplay marks a refresh with a token rotated away outside the grace
// window; the session has been revoked. It shows in the log line's cause.
var errReplay = errors.New("refresh token replayed: session revoked")

// checkStatus applies uni-id's status check.
func checkStatus(u *User) error {
	switch u.Status {
	case StatusBanned:
		return apierr.New(apierr.AccountBanned)
	case StatusAuditing:
		return apierr.New(apierr.AccountAuditing)
	case StatusAuditFailed:
		return apierr.New(apierr.AccountAuditFailed)
	case StatusClosed:
		return apierr.New(apierr.AccountClosed)
	}
	return nil
}

// uniIDTokens are the live tokens a user imported from uni-id carried
// (uni-id's token list).
func uniIDTokens(u *User) []string {
	list, _ := u.Extra["token"].([]any)
	out := make([]string, 0, len(list))
	for _, t := range list {
		if s, ok := t.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// exchangeUniIDToken accepts, once, a token uni-id signed for an account
// imported with it still in its token list: the token leaves the list and
// an idco session takes its place, whose token the answer carries as
// newToken. So nobody is logged out when an app moves from uni-id.
func (s *Service) exchangeUniIDToken(ctx context.Context, cfg *config.Config, c *cloudobj.Call, claims *token.Claims) error {
	u, err := s.loadForToken(ctx, claims)
	if err != nil {
		return err
	}
	live := func(u *User) bool {
		return slices.Contains(uniIDTokens(u), c.Token) && u.ValidTokenDate <= claims.IAT*1000
	}
	if !live(u) {
		return apierr.New(apierr.CheckTokenFailed)
	}
	var sid string
	saved, err := s.update(ctx, u, func(u *User) error {
		if err := checkStatus(u); err != nil {
			return err
		}
		if !live(u) {
			return apierr.New(apierr.CheckTokenFailed) // exchanged meanwhile
		}
		rest := []any{}
		for _, t := range uniIDTokens(u) {
			if t != c.Token {
				rest = append(rest, t)
			}
		}
		setExtra(u, "token", rest, len(rest) == 0)
		var err error
		if sid, err = s.openSession(cfg, c, u); err != nil {
			return err
		}
		// The login was when uni-id issued the token, not now.
		ss := u.Sessions[sid]
		ss.AuthAt = claims.IAT * 1000
		u.Sessions[sid] = ss
		return nil
	})
	if err != nil {
		return err
	}
	if c.NewToken, err = s.sign(ctx, cfg, saved, sid); err != nil {
		return err
	}
	perms, err := s.permissionsOf(ctx, saved.Role)
	if err != nil {
		return err
	}
	c.Auth = &cloudobj.Auth{UID: saved.UID, Role: saved.Role, Permission: perms, SessionID: sid,
		IssuedAt: s.now().Unix(), Record: saved, RecentUntil: recentUntil(cfg, saved.Sessions[sid])}
	c.Log("uniIdTokenExchanged", true)
	return nil
}
