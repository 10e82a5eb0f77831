package account

import (
	"context"

	"github.com/idco-dev/idco/shared/cloudobj"
)

// RefreshToken handles refreshToken: it rotates the token's session and
// returns the new token. An expired token cannot be refreshed. A token that
// was already rotated away is a replay unless it comes within the grace
// window (a concurrent refresh, which gets the same new token); a replay
// ends the session.
func (s *Service) RefreshToken(ctx context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	claims, err := s.parseToken(cfg, c)
	if err != nil {
		return nil, err
	}
	u, err := s.loadForToken(ctx, claims)
	if err != nil {
		return nil, err
	}
	c.Auth = &cloudobj.Auth{UID: u.UID, Role: u.Role, SessionID: claims.SID, IssuedAt: claims.IAT}
	nt, _, err := s.rotate(ctx, cfg, u, claims, true)
	if err != nil {
		return nil, err
	}
	c.NewToken = nt
	return nil, nil
}
