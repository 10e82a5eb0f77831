package account

import (
	"context"

	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
)

// Security notices: the old channel hears of every change to an account's
// mobile, email or password, so a stolen session cannot quietly take the
// account over. Emails use the scenes below (idco's templates, overridable
// as the code emails); an SMS notice uses scene SMSNoticeScene, sent where
// the provider needs no template or service.sms.scene.security-notice has
// one.
const (
	NoticeMobile   = "mobile-changed"
	NoticeEmail    = "email-changed"
	NoticePassword = "password-changed"
	SMSNoticeScene = "security-notice"
)

// notifyChanges tells before's confirmed channels what changed in after: a
// replaced or removed mobile goes to the old number, a replaced or removed
// email to the old address, a new password to both. It runs after the
// change is saved and is best effort: a failed notice is logged and never
// undoes the change.
func (s *Service) notifyChanges(ctx context.Context, cfg *config.Config, c *cloudobj.Call, before, after *User) {
	if before == nil || after == nil {
		return
	}
	mobile := before.Mobile != "" && before.MobileConfirmed == 1
	email := before.Email != "" && before.EmailConfirmed == 1
	if mobile && after.Mobile != before.Mobile {
		s.noticeSMS(ctx, cfg, c, before.Mobile, NoticeMobile)
	}
	if email && after.Email != before.Email {
		s.noticeEmail(ctx, cfg, c, before.Email, NoticeEmail)
	}
	if after.Password != before.Password {
		if mobile && after.Mobile == before.Mobile {
			s.noticeSMS(ctx, cfg, c, before.Mobile, NoticePassword)
		}
		if email && after.Email == before.Email {
			s.noticeEmail(ctx, cfg, c, before.Email, NoticePassword)
		}
	}
}

func (s *Service) noticeEmail(ctx context.Context, cfg *config.Config, c *cloudobj.Call, to, change string) {
	if s.Email == nil || (cfg.Idco.Email == nil && !s.Dev) {
		return
	}
	err := s.Email.SendEmail(ctx, Email{Config: cfg, To: to, Scene: change, AppName: cfg.AppName(), Locale: c.Locale})
	s.logNotice(c, "email", change, err)
}

func (s *Service) noticeSMS(ctx context.Context, cfg *config.Config, c *cloudobj.Call, stored, change string) {
	if s.SMS == nil || (cfg.Idco.SMS == nil && !s.Dev) {
		return
	}
	tpl := smsTemplate(cfg, SMSNoticeScene)
	err := s.SMS.SendSMS(ctx, SMS{Config: cfg, Phone: e164Of(stored), Scene: SMSNoticeScene, TemplateID: tpl,
		Change: change, AppName: cfg.AppName(), Locale: c.Locale})
	s.logNotice(c, "sms", change, err)
}

func (s *Service) logNotice(c *cloudobj.Call, channel, change string, err error) {
	if err != nil {
		c.Log("notice", channel+" "+change+" failed: "+err.Error())
		return
	}
	c.Log("notice", channel+" "+change)
}
