package account

import (
	"context"
	"errors"

	"github.com/idco-dev/idco/shared/cloudobj"
)

// Logout handles logout: it ends the caller's session, so its token stops
// working at once.
func (s *Service) Logout(ctx context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	_, err = s.update(ctx, u, func(u *User) error {
		if _, ok := u.Sessions[c.Auth.SessionID]; !ok {
			return errNoWrite
		}
		delete(u.Sessions, c.Auth.SessionID)
		return nil
	})
	if err != nil && !errors.Is(err, errNoWrite) {
		return nil, err
	}
	return nil, nil
}
