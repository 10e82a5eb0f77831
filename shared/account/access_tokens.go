package account

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
)

// PATPrefix starts every personal access token, so secret scanners know
// one when they see it.
const PATPrefix = "idco_pat_"

// PATScopes are what a personal access token may be good for: the cloud
// objects (functions) whose logged-in methods it may call. Binding,
// resets and anything that acts on a session need a real login.
var PATScopes = []string{"account", "realname", "admin"}

// maxAccessTokens is how many personal access tokens a user may hold.
const maxAccessTokens = 20

// AccessToken is one personal access token on its user's item: only the
// SHA-256 digest of the secret is kept (the secret is 32 random bytes, so
// no slow hash is needed); the digest is also a unique key, which finds
// the user.
type AccessToken struct {
	Name     string   `json:"name"`
	Scopes   []string `json:"scopes"`
	Digest   string   `json:"digest"`
	Created  int64    `json:"created"`
	Expires  int64    `json:"expires,omitempty"` // 0: never
	Disabled bool     `json:"disabled,omitempty"`
}

func patKey(digest string) string { return "pat:" + digest }

func patDigest(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// AccessTokenInfo is one token as listAccessTokens shows it: never the
// secret.
type AccessTokenInfo struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Scopes   []string `json:"scopes"`
	Created  int64    `json:"created"`
	Expires  int64    `json:"expires,omitempty"`
	Disabled bool     `json:"disabled"`
}

// CreateAccessTokenParams are createAccessToken's params.
type CreateAccessTokenParams struct {
	Name         string   `json:"name"`
	Scopes       []string `json:"scopes"`
	ExpireInDays int      `json:"expireInDays"` // 1-99; 0: never
}

// CreateAccessToken handles createAccessToken (idco's): a personal access
// token to call the API without logging in, within its scopes, until it
// expires, is disabled or deleted. The secret is in this answer only. It
// needs a recent login with a session's token (never another access
// token).
func (s *Service) CreateAccessToken(ctx context.Context, c *cloudobj.Call, p *CreateAccessTokenParams) (any, error) {
	if err := sessionOnly(c); err != nil {
		return nil, err
	}
	name := strings.TrimSpace(p.Name)
	switch {
	case name == "" || utf8.RuneCountInString(name) > 64:
		return nil, apierr.Param(apierr.InvalidParam, "name")
	case len(p.Scopes) == 0 || slices.ContainsFunc(p.Scopes, func(x string) bool { return !slices.Contains(PATScopes, x) }):
		return nil, apierr.Param(apierr.InvalidParam, "scopes")
	case p.ExpireInDays < 0 || p.ExpireInDays > 99:
		return nil, apierr.Param(apierr.InvalidParam, "expireInDays")
	}
	var raw [32]byte
	var idb [8]byte
	if _, err := io.ReadFull(s.rand(), raw[:]); err != nil {
		return nil, apierr.Systemf("random token: %w", err)
	}
	if _, err := io.ReadFull(s.rand(), idb[:]); err != nil {
		return nil, apierr.Systemf("random token id: %w", err)
	}
	secret := PATPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	id := hex.EncodeToString(idb[:])
	now := s.now()
	t := AccessToken{Name: name, Scopes: slices.Compact(slices.Sorted(slices.Values(p.Scopes))), Digest: patDigest(secret), Created: ms(now)}
	if p.ExpireInDays > 0 {
		t.Expires = ms(now.Add(time.Duration(p.ExpireInDays) * 24 * time.Hour))
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	_, err = s.updateCaller(ctx, c, u, func(u *User) error {
		if len(u.AccessTokens) >= maxAccessTokens {
			return apierr.Param(apierr.InvalidParam, "accessTokens")
		}
		if u.AccessTokens == nil {
			u.AccessTokens = map[string]AccessToken{}
		}
		u.AccessTokens[id] = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.Log("accessToken", id)
	return map[string]any{"id": id, "token": secret, "name": t.Name, "scopes": t.Scopes, "created": t.Created, "expires": t.Expires}, nil
}

// ListAccessTokens handles listAccessTokens (idco's): the caller's tokens,
// newest first, without their secrets.
func (s *Service) ListAccessTokens(ctx context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	list := []AccessTokenInfo{}
	for id, t := range u.AccessTokens {
		list = append(list, AccessTokenInfo{ID: id, Name: t.Name, Scopes: t.Scopes, Created: t.Created, Expires: t.Expires, Disabled: t.Disabled})
	}
	slices.SortFunc(list, func(a, b AccessTokenInfo) int { return int(b.Created - a.Created) })
	return map[string]any{"accessTokens": list}, nil
}

// AccessTokenIDParams name one token.
type AccessTokenIDParams struct {
	ID string `json:"id"`
}

// DisableAccessToken, EnableAccessToken and DeleteAccessToken handle their
// methods (idco's): a disabled token stops working at once until enabled;
// a deleted one for good.
func (s *Service) DisableAccessToken(ctx context.Context, c *cloudobj.Call, p *AccessTokenIDParams) (any, error) {
	return nil, s.changeAccessToken(ctx, c, p.ID, func(u *User, t AccessToken) { t.Disabled = true; u.AccessTokens[p.ID] = t })
}

// EnableAccessToken: see DisableAccessToken.
func (s *Service) EnableAccessToken(ctx context.Context, c *cloudobj.Call, p *AccessTokenIDParams) (any, error) {
	return nil, s.changeAccessToken(ctx, c, p.ID, func(u *User, t AccessToken) { t.Disabled = false; u.AccessTokens[p.ID] = t })
}

// DeleteAccessToken: see DisableAccessToken.
func (s *Service) DeleteAccessToken(ctx context.Context, c *cloudobj.Call, p *AccessTokenIDParams) (any, error) {
	return nil, s.changeAccessToken(ctx, c, p.ID, func(u *User, _ AccessToken) { delete(u.AccessTokens, p.ID) })
}

func (s *Service) changeAccessToken(ctx context.Context, c *cloudobj.Call, id string, change func(u *User, t AccessToken)) error {
	if err := sessionOnly(c); err != nil {
		return err
	}
	if err := required("id", id); err != nil {
		return err
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return err
	}
	_, err = s.updateCaller(ctx, c, u, func(u *User) error {
		t, ok := u.AccessTokens[id]
		if !ok {
			return apierr.Param(apierr.InvalidParam, "id")
		}
		change(u, t)
		return nil
	})
	return err
}

// sessionOnly refuses a call made with a personal access token where the
// method acts on the caller's session (logout, setPushCid, endSession) or
// manages the tokens themselves: those need a login.
func sessionOnly(c *cloudobj.Call) error {
	if c.Auth.AccessToken != "" {
		return apierr.New(apierr.PermissionError)
	}
	return nil
}

// authenticatePAT checks a personal access token: it must exist, be
// enabled and unexpired, its account in good standing and in the calling
// app, and the function called within its scopes. The call then runs as
// the user, with no session: nothing that needs a recent login or acts on
// a session passes.
func (s *Service) authenticatePAT(ctx context.Context, c *cloudobj.Call) error {
	digest := patDigest(c.Token)
	uid, err := s.Users.Owner(ctx, patKey(digest))
	if errors.Is(err, ErrNotFound) {
		return apierr.New(apierr.CheckTokenFailed)
	}
	if err != nil {
		return storeErr("find access token", err)
	}
	u, err := s.Users.Get(ctx, uid)
	if errors.Is(err, ErrNotFound) {
		return apierr.New(apierr.CheckTokenFailed)
	}
	if err != nil {
		return storeErr("get user", err)
	}
	if err := checkStatus(u); err != nil {
		return err
	}
	id, t, ok := findPAT(u, digest)
	switch {
	case !ok || t.Disabled:
		return apierr.New(apierr.CheckTokenFailed)
	case t.Expires > 0 && ms(s.now()) >= t.Expires:
		return apierr.New(apierr.TokenExpired)
	case !slices.Contains(t.Scopes, c.Function):
		return apierr.New(apierr.PermissionError)
	case !inApp(u, c.Client.AppID):
		return apierr.New(apierr.AccountNotInApp)
	}
	perms, err := s.permissionsOf(ctx, u.Role)
	if err != nil {
		return err
	}
	c.Auth = &cloudobj.Auth{UID: u.UID, Role: u.Role, Permission: perms, IssuedAt: t.Created / 1000, Record: u, AccessToken: id}
	c.Log("accessToken", id)
	return nil
}

func findPAT(u *User, digest string) (string, AccessToken, bool) {
	for id, t := range u.AccessTokens {
		if t.Digest == digest {
			return id, t, true
		}
	}
	return "", AccessToken{}, false
}
