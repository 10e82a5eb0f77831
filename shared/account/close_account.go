package account

import (
	"context"

	"github.com/idco-dev/idco/shared/cloudobj"
)

// CloseAccount handles closeAccount: the account is marked closed (uni-id
// status 4) and every session ends at once. Its username, mobile and email
// stay reserved, as in uni-id.
func (s *Service) CloseAccount(ctx context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	_, err = s.updateCaller(ctx, c, u, func(u *User) error {
		u.Status = StatusClosed
		revokeTokens(u, s.now())
		return nil
	})
	return nil, err
}
