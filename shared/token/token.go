// Package token signs and parses idco's access tokens: uni-id-shaped HS256
// JWTs (uid, role, permission, iat, exp) that also name their session and its
// rotation generation, so the server can revoke and rotate them.
package token

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims is a token's payload. The first three keys are uni-id's, so
// uniCloud.getCurrentUserInfo() keeps decoding it on the client.
type Claims struct {
	UID        string   `json:"uid"`
	Role       []string `json:"role"`
	Permission []string `json:"permission"`
	SID        string   `json:"sid"`
	Gen        int      `json:"gen"`
	IAT        int64    `json:"iat"`
	EXP        int64    `json:"exp"`
}

// ErrInvalid means the token is malformed, not ours, or not HS256.
var ErrInvalid = errors.New("token: invalid")

// ErrExpired means the token's exp has passed.
var ErrExpired = errors.New("token: expired")

// Sign returns the compact JWT for c, with header {"alg":"HS256","typ":"JWT"}.
func Sign(secret []byte, c Claims) (string, error) {
	if c.Role == nil {
		c.Role = []string{}
	}
	if c.Permission == nil {
		c.Permission = []string{}
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, &c).SignedString(secret)
}

// Parse verifies tok with secret and returns its claims. Only HS256 with a
// header of exactly alg and typ "JWT" is accepted; exp is required and
// checked against now with no leeway.
func Parse(secret []byte, tok string, now time.Time) (*Claims, error) {
	return parse(secret, tok, now, true)
}

// ParseUniID verifies a token uni-id itself signed (no session id): what an
// account imported from uni-id may still present once, to exchange it for
// an idco session.
func ParseUniID(secret []byte, tok string, now time.Time) (*Claims, error) {
	c, err := parse(secret, tok, now, false)
	if err == nil && c.SID != "" {
		return nil, ErrInvalid
	}
	return c, err
}

func parse(secret []byte, tok string, now time.Time, session bool) (*Claims, error) {
	c := &Claims{}
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	t, err := p.ParseWithClaims(tok, c, func(t *jwt.Token) (any, error) {
		if len(t.Header) != 2 || t.Header["typ"] != "JWT" {
			return nil, ErrInvalid
		}
		return secret, nil
	})
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, ErrExpired
	case err != nil || !t.Valid || c.UID == "" || session && c.SID == "":
		return nil, ErrInvalid
	}
	return c, nil
}

// The methods below let golang-jwt validate Claims.

// GetExpirationTime returns exp.
func (c *Claims) GetExpirationTime() (*jwt.NumericDate, error) {
	if c.EXP == 0 {
		return nil, nil
	}
	return jwt.NewNumericDate(time.Unix(c.EXP, 0)), nil
}

// GetIssuedAt returns iat.
func (c *Claims) GetIssuedAt() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.IAT, 0)), nil
}

// GetNotBefore returns nil: uni-id tokens have no nbf.
func (c *Claims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }

// GetIssuer returns "": uni-id tokens have no iss.
func (c *Claims) GetIssuer() (string, error) { return "", nil }

// GetSubject returns the uid.
func (c *Claims) GetSubject() (string, error) { return c.UID, nil }

// GetAudience returns nil: uni-id tokens have no aud.
func (c *Claims) GetAudience() (jwt.ClaimStrings, error) { return nil, nil }
