package account

import (
	"context"
	"strings"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/mask"
)

// SendEmailCodeParams are sendEmailCode's params.
type SendEmailCodeParams struct {
	Email   string `json:"email"`
	Captcha string `json:"captcha"`
	Scene   string `json:"scene"`
}

// SendEmailCode handles sendEmailCode: after a captcha (scene
// send-email-code), a 6-digit code for scene goes to email through SES,
// within the send limits. uni-id never implemented real sending; idco does.
func (s *Service) SendEmailCode(ctx context.Context, c *cloudobj.Call, p *SendEmailCodeParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if err := required("email", p.Email, "captcha", p.Captcha, "scene", p.Scene); err != nil {
		return nil, err
	}
	if !config.EmailScenes[p.Scene] {
		return nil, apierr.Param(apierr.InvalidParam, "scene")
	}
	if !strings.HasPrefix(p.Scene, "bind-") {
		if err := systemAccounts(cfg); err != nil {
			return nil, err
		}
	}
	if err := validEmail(p.Email); err != nil {
		return nil, err
	}
	email := strings.ToLower(strings.TrimSpace(p.Email))
	c.Log("email", mask.Email(email))
	c.Log("scene", p.Scene)
	if s.Email == nil {
		return nil, &apierr.Error{Code: apierr.ConfigFieldRequired, Values: map[string]string{"field": "idco.email"}}
	}
	if err := s.verifyCaptcha(ctx, cfg, c, "send-email-code", p.Captcha); err != nil {
		return nil, err
	}
	ttl := cfg.EmailCodeTTL()
	return nil, s.issueCode(ctx, cfg, c, issue{channel: chanEmail, dest: email, scene: p.Scene, ttl: ttl,
		deliver: func(code string) error {
			return s.Email.SendEmail(ctx, Email{Config: cfg, To: email, Scene: p.Scene, Code: code, Minutes: minutes(ttl),
				AppName: cfg.AppName(), Locale: c.Locale})
		}})
}
