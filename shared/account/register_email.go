package account

import (
	"context"
	"log/slog"
	"strings"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/mask"
	"github.com/idco-dev/idco/shared/password"
)

// RegisterUserByEmailParams are registerUserByEmail's params.
type RegisterUserByEmailParams struct {
	Email      string `json:"email"`
	Password   string `json:"password"`
	Code       string `json:"code"`
	Nickname   string `json:"nickname"`
	InviteCode string `json:"inviteCode"`
	BindTicket string `json:"bindTicket"`
	// Captcha (scene register) is asked for only after many failed code
	// checks on the address.
	Captcha string `json:"captcha"`
}

// RegisterUserByEmail handles registerUserByEmail: an account with a
// confirmed email and a password, proven by a code sent to the email
// (scene register). A welcome email may follow; its failure never fails
// the registration.
func (s *Service) RegisterUserByEmail(ctx context.Context, c *cloudobj.Call, p *RegisterUserByEmailParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if !cfg.RegistrationOpen() {
		return nil, apierr.New(apierr.RegistrationDisabled)
	}
	if err := systemAccounts(cfg); err != nil {
		return nil, err
	}
	if err := required("email", p.Email, "password", p.Password, "code", p.Code); err != nil {
		return nil, err
	}
	if err := validEmail(p.Email); err != nil {
		return nil, err
	}
	if code := password.Check(p.Password, cfg.PasswordStrength); code != "" {
		return nil, apierr.New(code)
	}
	if err := validNickname(p.Nickname); err != nil {
		return nil, err
	}
	if err := validInviteCode(p.InviteCode); err != nil {
		return nil, err
	}
	email := strings.ToLower(strings.TrimSpace(p.Email))
	c.Log("email", mask.Email(email))
	if err := s.verifyCode(ctx, cfg, c, codeCheck{channel: chanEmail, dest: email, scene: "register", code: p.Code, captcha: p.Captcha}); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(cfg, p.Password)
	if err != nil {
		return nil, err
	}
	u, err := s.newUser(cfg, c, nil)
	if err != nil {
		return nil, err
	}
	u.Email, u.EmailConfirmed, u.Password, u.Nickname = email, 1, hash, p.Nickname
	res, err := s.create(ctx, cfg, c, u, s.keysOf(u), p.BindTicket)
	if err != nil {
		return nil, err
	}
	s.welcome(ctx, c, email)
	return res, nil
}

// welcome sends the welcome email when configured. It runs after the
// account is stored, and a failure is only logged.
func (s *Service) welcome(ctx context.Context, c *cloudobj.Call, email string) {
	cfg, err := s.cfg(c)
	if err != nil || s.Email == nil || cfg.Idco.Email == nil || !cfg.Idco.Email.Welcome {
		return
	}
	if err := s.Email.SendEmail(ctx, Email{Config: cfg, To: email, Scene: "welcome", AppName: cfg.AppName(), Locale: c.Locale}); err != nil {
		c.Log("welcomeEmail", slog.StringValue("failed: "+err.Error()))
		return
	}
	c.Log("welcomeEmail", "sent")
}
