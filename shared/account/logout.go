package account

import (
	"context"

	"github.com/idco-dev/idco/shared/cloudobj"
)

// Logout handles logout: it ends the caller's session, so its token stops
// working at once.
func (s *Service) Logout(ctx context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	if err := sessionOnly(c); err != nil {
		return nil, err
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	_, err = s.updateCaller(ctx, c, u, func(u *User) error {
		delete(u.Sessions, c.Auth.SessionID)
		return nil
	})
	return nil, err
}
