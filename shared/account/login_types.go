package account

import (
	"context"

	"github.com/idco-dev/idco/shared/cloudobj"
)

// LoginTypes is getSupportedLoginType's answer.
type LoginTypes struct {
	SupportedLoginType []string `json:"supportedLoginType"`
}

// GetSupportedLoginType handles getSupportedLoginType: the login types the
// calling app and platform can use, from its config.
func (s *Service) GetSupportedLoginType(ctx context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	types := []string{}
	if cfg.PasswordLoginEnabled() {
		types = append(types, "username-password", "mobile-password", "email-password")
	}
	if (cfg.Idco.SMS != nil || s.Dev) && cfg.SystemAccounts() {
		types = append(types, "mobile-code")
	}
	if (cfg.Idco.Email != nil || s.Dev) && cfg.SystemAccounts() {
		types = append(types, "email-code")
	}
	for _, p := range s.Providers {
		if p.Supported(cfg, c.Client.Platform) {
			types = append(types, p.Name())
		}
	}
	return LoginTypes{SupportedLoginType: types}, nil
}
