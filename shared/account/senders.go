package account

import (
	"context"

	"github.com/idco-dev/idco/shared/config"
)

// SMSSender delivers a code by SMS. Errors wrap ErrDeliveryRetryable or
// ErrDeliveryLimited when they are not permanent.
type SMSSender interface {
	SendSMS(ctx context.Context, m SMS) error
}

// SMS is one code message.
type SMS struct {
	Config     *config.Config // the app's config: which provider, which keys
	Phone      string         // E.164
	Scene      string
	TemplateID string // service.sms.scene.<scene>.templateId
	Code       string
	Minutes    int // the code's lifetime
	AppName    string
	Locale     string
	// Change is a security notice's subject (Scene security-notice, no
	// code): NoticeMobile, NoticeEmail or NoticePassword.
	Change string
}

// EmailSender delivers an email from idco's templates. Errors as SMSSender.
type EmailSender interface {
	SendEmail(ctx context.Context, m Email) error
}

// Email is one message: a code (scene register, login-by-email,
// reset-pwd-by-email, bind-email) or the welcome (scene welcome, no code).
type Email struct {
	Config  *config.Config
	To      string
	Scene   string
	Code    string
	Minutes int
	AppName string
	Locale  string
}
