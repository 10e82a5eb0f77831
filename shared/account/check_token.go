package account

import (
	"context"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
)

// CheckTokenParams are checkToken's params: the token a user presented to
// another backend.
type CheckTokenParams struct {
	Token string `json:"token"`
}

// CheckTokenResult is checkToken's answer, as uni-id-common's checkToken.
type CheckTokenResult struct {
	UID          string   `json:"uid"`
	Role         []string `json:"role"`
	Permission   []string `json:"permission"`
	TokenExpired int64    `json:"tokenExpired"` // ms
}

// CheckToken handles checkToken, for backends that check idco tokens: the
// signature, the expiry, the session (logout, password change, rotation)
// and the account's standing, exactly as idco's own methods check them. It
// never refreshes or exchanges the token: that is the user's client's job.
func (s *Service) CheckToken(ctx context.Context, c *cloudobj.Call, p *CheckTokenParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if len(p.Token) > 4096 {
		return nil, apierr.New(apierr.CheckTokenFailed)
	}
	tc := *c
	tc.Token = p.Token
	claims, err := s.parseToken(cfg, &tc)
	if err != nil {
		return nil, err
	}
	u, err := s.loadForToken(ctx, claims)
	if err != nil {
		return nil, err
	}
	switch s.stateOf(cfg, u, claims) {
	case tokenCurrent, tokenGrace:
	case tokenExpired:
		return nil, apierr.New(apierr.TokenExpired)
	default:
		return nil, apierr.New(apierr.CheckTokenFailed)
	}
	role := u.Role
	if role == nil {
		role = []string{}
	}
	return CheckTokenResult{UID: u.UID, Role: role, Permission: livePermissions(claims, u), TokenExpired: claims.EXP * 1000}, nil
}
