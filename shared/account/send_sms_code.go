package account

import (
	"context"
	"strings"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/mask"
)

// SendSmsCodeParams are sendSmsCode's params.
type SendSmsCodeParams struct {
	Mobile  string `json:"mobile"`
	Captcha string `json:"captcha"`
	Scene   string `json:"scene"`
}

// SendSmsCode handles sendSmsCode: after a captcha (scene send-sms-code), a
// 6-digit code for scene goes to mobile, within the send limits. The answer
// is the same whether or not an account has that number.
func (s *Service) SendSmsCode(ctx context.Context, c *cloudobj.Call, p *SendSmsCodeParams) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if err := required("mobile", p.Mobile, "captcha", p.Captcha, "scene", p.Scene); err != nil {
		return nil, err
	}
	if !config.SMSScenes[p.Scene] {
		return nil, apierr.Param(apierr.InvalidParam, "scene")
	}
	if !strings.HasPrefix(p.Scene, "bind-") {
		if err := systemAccounts(cfg); err != nil {
			return nil, err
		}
	}
	ph, err := parsePhone(p.Mobile, cfg.AllowedRegions())
	if err != nil {
		return nil, err
	}
	c.Log("mobile", mask.Mobile(ph.Stored))
	c.Log("scene", p.Scene)
	if s.SMS == nil {
		return nil, &apierr.Error{Code: apierr.ConfigFieldRequired, Values: map[string]string{"field": "idco.sms"}}
	}
	if err := s.verifyCaptcha(ctx, cfg, c, "send-sms-code", p.Captcha); err != nil {
		return nil, err
	}
	ttl := cfg.SMSCodeTTL(p.Scene)
	is := issue{channel: chanSMS, dest: ph.E164, scene: p.Scene, ttl: ttl}
	testMode := s.Dev && cfg.Idco.SMS != nil && cfg.Idco.SMS.TestMode
	if testMode {
		is.fixed = testModeCode
	}
	is.deliver = func(code string) error {
		return s.SMS.SendSMS(ctx, SMS{Config: cfg, Phone: ph.E164, Scene: p.Scene, TemplateID: smsTemplate(cfg, p.Scene),
			Code: code, Minutes: minutes(ttl), AppName: cfg.AppName(), Locale: c.Locale})
	}
	if err := s.issueCode(ctx, cfg, c, is); err != nil {
		return nil, err
	}
	if testMode {
		// uni-id answers test mode with this code, and uni-id-pages fills in
		// 123456 when it sees it.
		return nil, apierr.New(apierr.SMSTestMode)
	}
	return nil, nil
}

func smsTemplate(cfg *config.Config, scene string) string {
	if cfg.Service.SMS == nil {
		return ""
	}
	return cfg.Service.SMS.Scene[scene].TemplateID
}

// minutes rounds a code lifetime to whole minutes, as uni-id's expMinute.
func minutes(d interface{ Seconds() float64 }) int {
	m := int(d.Seconds()/60 + 0.5)
	if m < 1 {
		m = 1
	}
	return m
}
