package account

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/token"
)

// OAuthGrant is a user's authorisation of one app: the scopes consented
// to and when.
type OAuthGrant struct {
	Scopes  []string `json:"scopes"`
	Created int64    `json:"created"`
	Updated int64    `json:"updated"`
}

// Lifetimes on the open platform: a code is exchanged at once, an access
// token lives an hour, a refresh token (its session) 30 days unless the
// request asked for fewer or more (the SSO link's expireInDays, 1-99).
const (
	codeTTL          = 60 * time.Second
	usedCodeTTL      = 10 * time.Minute
	AccessTokenTTL   = time.Hour
	DefaultGrantDays = 30
	// maxClientSessions is how many sessions one app may hold for a user:
	// each code exchange opens one, the oldest goes.
	maxClientSessions = 5
)

// RefreshTokenPrefix starts every open-platform refresh token, so neither
// a secret scanner nor idco mistakes one for a login token.
const RefreshTokenPrefix = "idco_rt_"

// AuthCode is what an authorisation code stands for, kept (under the
// code's digest) for the minute until it is exchanged.
type AuthCode struct {
	ClientID    string   `json:"client_id"`
	RedirectURI string   `json:"redirect_uri"`
	UID         string   `json:"uid"`
	Scopes      []string `json:"scopes"`
	Nonce       string   `json:"nonce,omitempty"`
	Challenge   string   `json:"challenge,omitempty"` // PKCE S256
	AuthAt      int64    `json:"auth_at"`             // the login's time, ms
	Days        int      `json:"days,omitempty"`      // the grant's life; 0: DefaultGrantDays
}

// usedCode marks a code exchanged, so a replay revokes what it gave.
type usedCode struct {
	UID string `json:"uid"`
	SID string `json:"sid"`
}

// A code's keys name its client: another client presenting it misses, and
// cannot use it up.
func authCodeKey(clientID, code string) string {
	return "oauth-code:" + clientID + ":" + patDigest(code)
}
func usedCodeKey(clientID, code string) string {
	return "oauth-code-used:" + clientID + ":" + patDigest(code)
}

// Granted reports whether u has authorised client for every scope.
func Granted(u *User, clientID string, scopes []string) bool {
	g, ok := u.OAuthGrants[clientID]
	if !ok {
		return false
	}
	for _, sc := range scopes {
		if !slices.Contains(g.Scopes, sc) {
			return false
		}
	}
	return true
}

// Consent records that u authorises client for scopes (added to what it
// had); nothing is written when it already had them.
func (s *Service) Consent(ctx context.Context, u *User, clientID string, scopes []string) error {
	if Granted(u, clientID, scopes) {
		return nil
	}
	_, err := s.update(ctx, u, func(u *User) error {
		if err := checkStatus(u); err != nil {
			return err
		}
		grant(u, clientID, scopes, s.now())
		return nil
	})
	return err
}

// grant adds scopes to u's authorisation of client.
func grant(u *User, clientID string, scopes []string, at time.Time) {
	now := ms(at)
	g, ok := u.OAuthGrants[clientID]
	if !ok {
		g.Created = now
	}
	all := slices.Clone(g.Scopes)
	for _, sc := range scopes {
		if !slices.Contains(all, sc) {
			all = append(all, sc)
		}
	}
	g.Scopes, g.Updated = all, now
	if u.OAuthGrants == nil {
		u.OAuthGrants = map[string]OAuthGrant{}
	}
	u.OAuthGrants[clientID] = g
}

// IssueCode stores ac and returns its code: 32 random bytes, kept as a
// digest, good for one exchange within a minute.
func (s *Service) IssueCode(ctx context.Context, ac *AuthCode) (string, error) {
	var b [32]byte
	if _, err := io.ReadFull(s.rand(), b[:]); err != nil {
		return "", apierr.Systemf("random code: %w", err)
	}
	code := base64.RawURLEncoding.EncodeToString(b[:])
	data, _ := json.Marshal(ac)
	if err := s.Cache.CacheSet(ctx, authCodeKey(ac.ClientID, code), data, s.now().Add(codeTTL)); err != nil {
		return "", storeErr("store code", err)
	}
	return code, nil
}

// OAuthTokens are a code exchange's or a refresh's answer.
type OAuthTokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	Scope        string `json:"scope"`
}

// ExchangeCode trades a code for tokens, for the client that asked for it
// (already authenticated, or public), at the same redirect URI, with the
// PKCE verifier when the code has a challenge and none when it has not (a
// downgrade). A code is exchanged once: a second try fails and revokes
// the session the first opened, as RFC 9700 advises.
func (s *Service) ExchangeCode(ctx context.Context, cl *OAuthClient, code, redirectURI, verifier string) (*OAuthTokens, error) {
	bad := apierr.New(apierr.OAuthInvalidGrant)
	if code == "" || len(code) > 128 {
		return nil, bad
	}
	data, err := s.Cache.CacheTake(ctx, authCodeKey(cl.ID, code), s.now())
	if errors.Is(err, ErrNotFound) {
		s.revokeReplayed(ctx, cl.ID, code)
		return nil, bad
	}
	if err != nil {
		return nil, storeErr("take code", err)
	}
	var ac AuthCode
	if json.Unmarshal(data, &ac) != nil || ac.ClientID != cl.ID || ac.RedirectURI != redirectURI || !pkceMatches(ac.Challenge, verifier) {
		return nil, bad
	}
	cfg, err := s.clientConfig(cl)
	if err != nil {
		return nil, err
	}
	u, err := s.Users.Get(ctx, ac.UID)
	if errors.Is(err, ErrNotFound) {
		return nil, bad
	}
	if err != nil {
		return nil, storeErr("get user", err)
	}
	var sid string
	u, err = s.update(ctx, u, func(u *User) error {
		if err := checkStatus(u); err != nil {
			return err
		}
		if !Granted(u, cl.ID, ac.Scopes) || !inApp(u, cl.AppID) {
			return bad
		}
		var err error
		sid, err = s.openClientSession(u, cl.ID, ac)
		return err
	})
	if err != nil {
		return nil, err
	}
	used, _ := json.Marshal(usedCode{UID: u.UID, SID: sid})
	if err := s.Cache.CacheSet(ctx, usedCodeKey(cl.ID, code), used, s.now().Add(usedCodeTTL)); err != nil {
		return nil, storeErr("mark code used", err)
	}
	return s.clientTokens(ctx, cfg, cl, u, sid, ac.Nonce)
}

// pkceMatches checks RFC 7636 S256: the verifier's SHA-256 is the
// challenge. With no challenge, no verifier may come either.
func pkceMatches(challenge, verifier string) bool {
	if challenge == "" {
		return verifier == ""
	}
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:]) == challenge
}

// revokeReplayed ends the session a replayed code opened, if it did.
func (s *Service) revokeReplayed(ctx context.Context, clientID, code string) {
	data, err := s.Cache.CacheGet(ctx, usedCodeKey(clientID, code), s.now())
	var uc usedCode
	if err != nil || json.Unmarshal(data, &uc) != nil {
		return
	}
	if u, err := s.Users.Get(ctx, uc.UID); err == nil {
		_, _ = s.update(ctx, u, func(u *User) error {
			if _, ok := u.Sessions[uc.SID]; !ok {
				return errNoWrite
			}
			delete(u.Sessions, uc.SID)
			return nil
		})
	}
}

// openClientSession adds the app's session to u, dropping the app's
// oldest beyond maxClientSessions.
func (s *Service) openClientSession(u *User, clientID string, ac AuthCode) (string, error) {
	sid, err := s.newSessionID()
	if err != nil {
		return "", err
	}
	now := s.now()
	days := ac.Days
	if days == 0 {
		days = DefaultGrantDays
	}
	if u.Sessions == nil {
		u.Sessions = map[string]Session{}
	}
	var mine []string
	for id, ss := range u.Sessions {
		if ss.ClientID == clientID {
			mine = append(mine, id)
		}
	}
	slices.SortFunc(mine, func(a, b string) int { return int(u.Sessions[a].Created - u.Sessions[b].Created) })
	for len(mine) >= maxClientSessions {
		delete(u.Sessions, mine[0])
		mine = mine[1:]
	}
	u.Sessions[sid] = Session{Gen: 1, Created: ms(now), AuthAt: ac.AuthAt, Expires: ms(now.AddDate(0, 0, days)),
		Platform: "web", ClientID: clientID, Scopes: slices.Clone(ac.Scopes)}
	return sid, nil
}

// clientConfig is the config of the client's app, as the web platform.
func (s *Service) clientConfig(cl *OAuthClient) (*config.Config, error) {
	cfg, _, err := s.Config.Resolve(cl.AppID, "web")
	if err != nil {
		return nil, apierr.Wrap(apierr.AppNotConfigured, err)
	}
	return cfg, nil
}

// clientTokens signs the tokens of u's session sid for cl.
func (s *Service) clientTokens(ctx context.Context, cfg *config.Config, cl *OAuthClient, u *User, sid, nonce string) (*OAuthTokens, error) {
	ss := u.Sessions[sid]
	now := s.now()
	rt, err := token.Sign([]byte(cfg.TokenSecret), token.Claims{UID: u.UID, SID: sid, Gen: ss.Gen, IAT: now.Unix(), EXP: ss.Expires / 1000})
	if err != nil {
		return nil, apierr.Systemf("sign refresh token: %w", err)
	}
	out := &OAuthTokens{TokenType: "Bearer", ExpiresIn: int(AccessTokenTTL / time.Second), RefreshToken: RefreshTokenPrefix + rt,
		Scope: strings.Join(ss.Scopes, " ")}
	if out.AccessToken, err = s.signAccess(ctx, cl, u, sid, ss, now); err != nil {
		return nil, err
	}
	if slices.Contains(ss.Scopes, "openid") {
		if out.IDToken, err = s.signIDToken(ctx, cl, u, sid, ss, nonce, now); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RefreshOAuth rotates the app's session of a refresh token: the token
// gets a successor and stops refreshing (a concurrent second refresh
// within the grace window gets the same successor); one used again after
// that is a theft, and the session ends.
func (s *Service) RefreshOAuth(ctx context.Context, cl *OAuthClient, refresh string) (*OAuthTokens, error) {
	cfg, err := s.clientConfig(cl)
	if err != nil {
		return nil, err
	}
	u, claims, err := s.clientSession(ctx, cfg, cl, refresh)
	if err != nil {
		return nil, err
	}
	_, u, err = s.rotate(ctx, cfg, u, claims, true)
	if err != nil {
		return nil, apierr.New(apierr.OAuthInvalidGrant)
	}
	return s.clientTokens(ctx, cfg, cl, u, claims.SID, "")
}

// clientSession checks a refresh token of cl: its signature, and a live
// session of cl's on a live account.
func (s *Service) clientSession(ctx context.Context, cfg *config.Config, cl *OAuthClient, refresh string) (*User, *token.Claims, error) {
	bad := apierr.New(apierr.OAuthInvalidGrant)
	raw, ok := strings.CutPrefix(refresh, RefreshTokenPrefix)
	if !ok {
		return nil, nil, bad
	}
	claims, err := token.Parse([]byte(cfg.TokenSecret), raw, s.now())
	if err != nil {
		return nil, nil, bad
	}
	u, err := s.Users.Get(ctx, claims.UID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, bad
	}
	if err != nil {
		return nil, nil, storeErr("get user", err)
	}
	if checkStatus(u) != nil || u.Sessions[claims.SID].ClientID != cl.ID {
		return nil, nil, bad
	}
	return u, claims, nil
}

// RevokeOAuth ends the session of an app's refresh or access token (RFC
// 7009): unknown, expired or other apps' tokens are ignored.
func (s *Service) RevokeOAuth(ctx context.Context, cl *OAuthClient, tok string) error {
	cfg, err := s.clientConfig(cl)
	if err != nil {
		return err
	}
	var uid, sid string
	if u, claims, err := s.clientSession(ctx, cfg, cl, tok); err == nil {
		uid, sid = u.UID, claims.SID
	} else if a, err := s.verifyAccess(ctx, tok); err == nil && a.ClientID == cl.ID {
		uid, sid = a.UID, a.SID
	}
	if uid == "" {
		return nil
	}
	return s.endClientSessions(ctx, uid, func(id string, ss Session) bool { return id == sid })
}

// endClientSessions deletes the sessions of uid that match.
func (s *Service) endClientSessions(ctx context.Context, uid string, match func(id string, ss Session) bool) error {
	u, err := s.Users.Get(ctx, uid)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return storeErr("get user", err)
	}
	_, err = s.update(ctx, u, func(u *User) error {
		n := len(u.Sessions)
		maps.DeleteFunc(u.Sessions, match)
		if len(u.Sessions) == n {
			return errNoWrite
		}
		return nil
	})
	if errors.Is(err, errNoWrite) {
		return nil
	}
	return err
}
