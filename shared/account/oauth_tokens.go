package account

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/signing"
)

// keys returns the open platform's key set.
func (s *Service) keys(ctx context.Context) (*signing.Set, error) {
	if s.SigningKeys == nil || s.Issuer == "" {
		return nil, apierr.Systemf("the open platform is not wired")
	}
	set, err := s.SigningKeys.Keys(ctx)
	if err != nil {
		return nil, apierr.Wrap(apierr.RetryLater, err)
	}
	return set, nil
}

func (s *Service) jti() string {
	var b [16]byte
	_, _ = io.ReadFull(s.rand(), b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// signAccess returns an RFC 9068 access token (typ at+jwt, ES256) for the
// app's session: good for an hour, and only while the session lives.
func (s *Service) signAccess(ctx context.Context, cl *OAuthClient, u *User, sid string, ss Session, now time.Time) (string, error) {
	set, err := s.keys(ctx)
	if err != nil {
		return "", err
	}
	tok, err := set.Sign(signing.ES256, "at+jwt", jwt.MapClaims{
		"iss": s.Issuer, "sub": u.UID, "aud": s.Issuer, "client_id": cl.ID, "scope": strings.Join(ss.Scopes, " "),
		"sid": sid, "auth_time": ss.AuthAt / 1000, "iat": now.Unix(), "exp": now.Add(AccessTokenTTL).Unix(), "jti": s.jti(),
	})
	if err != nil {
		return "", apierr.Systemf("sign access token: %w", err)
	}
	return tok, nil
}

// signIDToken returns the ID token (RS256) for the app, with the claims
// of the session's scopes.
func (s *Service) signIDToken(ctx context.Context, cl *OAuthClient, u *User, sid string, ss Session, nonce string, now time.Time) (string, error) {
	set, err := s.keys(ctx)
	if err != nil {
		return "", err
	}
	claims := jwt.MapClaims{"iss": s.Issuer, "sub": u.UID, "aud": cl.ID, "azp": cl.ID, "sid": sid,
		"auth_time": ss.AuthAt / 1000, "iat": now.Unix(), "exp": now.Add(AccessTokenTTL).Unix()}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	for k, v := range UserClaims(u, ss.Scopes) {
		claims[k] = v
	}
	tok, err := set.Sign(signing.RS256, "JWT", claims)
	if err != nil {
		return "", apierr.Systemf("sign id token: %w", err)
	}
	return tok, nil
}

// UserClaims are the OpenID Connect claims of u that scopes allow.
func UserClaims(u *User, scopes []string) map[string]any {
	out := map[string]any{"sub": u.UID}
	if slices.Contains(scopes, "profile") {
		if u.Nickname != "" {
			out["name"], out["nickname"] = u.Nickname, u.Nickname
		}
		if u.Username != "" {
			out["preferred_username"] = u.Username
		}
		if u.Avatar != "" {
			out["picture"] = u.Avatar
		}
	}
	if slices.Contains(scopes, "email") && u.Email != "" {
		out["email"], out["email_verified"] = u.Email, u.EmailConfirmed == 1
	}
	if slices.Contains(scopes, "phone") && u.Mobile != "" {
		out["phone_number"], out["phone_number_verified"] = u.Mobile, u.MobileConfirmed == 1
	}
	if slices.Contains(scopes, "role") {
		out["role"] = append([]string{}, u.Role...)
	}
	return out
}

// AccessClaims are what a verified access token says.
type AccessClaims struct {
	UID, SID, ClientID string
	Scopes             []string
}

// verifyAccess checks an access token's signature, type, issuer and
// expiry.
func (s *Service) verifyAccess(ctx context.Context, tok string) (*AccessClaims, error) {
	set, err := s.keys(ctx)
	if err != nil {
		return nil, err
	}
	m, err := set.Verify(tok, signing.ES256, "at+jwt", s.Issuer, s.now())
	if err != nil {
		return nil, apierr.Wrap(apierr.CheckTokenFailed, err)
	}
	str := func(k string) string { v, _ := m[k].(string); return v }
	a := &AccessClaims{UID: str("sub"), SID: str("sid"), ClientID: str("client_id"), Scopes: strings.Fields(str("scope"))}
	if a.UID == "" || a.SID == "" || a.ClientID == "" {
		return nil, apierr.New(apierr.CheckTokenFailed)
	}
	return a, nil
}

// OAuthAccess checks an access token as a resource server must: its
// signature and expiry, and that its session and app still stand (a
// deleted authorisation, a removed app, a password change, a ban end it
// at once). It returns the account and the token's claims.
func (s *Service) OAuthAccess(ctx context.Context, tok string) (*User, *AccessClaims, error) {
	a, err := s.verifyAccess(ctx, tok)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.Client(ctx, a.ClientID); err != nil {
		if apierr.Is(err, apierr.OAuthClientNotFound) {
			return nil, nil, apierr.New(apierr.CheckTokenFailed)
		}
		return nil, nil, err
	}
	u, err := s.Users.Get(ctx, a.UID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, apierr.New(apierr.CheckTokenFailed)
	}
	if err != nil {
		return nil, nil, storeErr("get user", err)
	}
	if err := checkStatus(u); err != nil {
		return nil, nil, err
	}
	if ss, ok := u.Sessions[a.SID]; !ok || ss.ClientID != a.ClientID || ss.Expires <= ms(s.now()) {
		return nil, nil, apierr.New(apierr.CheckTokenFailed)
	}
	return u, a, nil
}
