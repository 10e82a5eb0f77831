// Package emailsender adapts the email clients (shared/email) to the
// account domain: one sender per distinct idco.email config, built by its
// provider, the templates with the config's overrides, and provider
// failures turned into the domain's delivery errors.
package emailsender

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/email"
	"github.com/idco-dev/idco/shared/wiring"
)

// EnvSESEndpoint points the email provider elsewhere (tests, a VPC
// endpoint).
const EnvSESEndpoint = "IDCO_SES_ENDPOINT"

// Email implements account.EmailSender.
type Email struct {
	AWS      func() (aws.Config, error) // loaded for an AWS provider
	Endpoint string                     // replaces the provider's when set
	mu       sync.Mutex
	by       map[string]*mailer
}

type mailer struct {
	sender    email.Sender
	templates email.Templates
}

// SendEmail implements account.EmailSender.
func (e *Email) SendEmail(ctx context.Context, m account.Email) error {
	ml, err := e.mailer(m.Config)
	if err != nil {
		return err
	}
	msg, err := ml.templates.Render(m.Scene, m.Locale, map[string]string{
		"code": m.Code, "minutes": fmt.Sprint(m.Minutes), "appName": m.AppName, "email": m.To})
	if err != nil {
		return err
	}
	msg.To = m.To
	err = ml.sender.Send(ctx, msg)
	var ee *email.Error
	if errors.As(err, &ee) && ee.Retryable {
		return errors.Join(account.ErrDeliveryRetryable, err)
	}
	return err
}

func (e *Email) mailer(cfg *config.Config) (*mailer, error) {
	if cfg == nil || cfg.Idco.Email == nil {
		return nil, errors.New("idco.email is not configured")
	}
	ec := cfg.Idco.Email
	key := strings.Join([]string{ec.From, ec.ConfigurationSet, ec.Region, string(ec.Templates)}, "\x00")
	e.mu.Lock()
	defer e.mu.Unlock()
	if ml, ok := e.by[key]; ok {
		return ml, nil
	}
	ml, err := buildMailer(ec, e.AWS, e.Endpoint)
	if err != nil {
		return nil, err
	}
	if e.by == nil {
		e.by = map[string]*mailer{}
	}
	e.by[key] = ml
	return ml, nil
}

func buildMailer(ec *config.EmailConfig, load func() (aws.Config, error), endpoint string) (*mailer, error) {
	templates := email.DefaultTemplates()
	if len(ec.Templates) > 0 {
		var over email.Templates
		if err := json.Unmarshal(ec.Templates, &over); err != nil {
			return nil, fmt.Errorf("idco.email.templates: %v", err)
		}
		templates = templates.Merge(over)
	}
	// idco.email names no provider yet: the first of email.Providers.
	p, _ := email.Lookup("")
	s := email.Settings{From: ec.From, ConfigurationSet: ec.ConfigurationSet, Region: ec.Region, Endpoint: endpoint}
	if p.AWS {
		ac, err := load()
		if err != nil {
			return nil, err
		}
		s.AWS = ac
	}
	return &mailer{sender: p.New(s), templates: templates}, nil
}

// Wire adds the email sender (send-email-code, and register for the
// welcome email).
// Every app's template overrides are checked now, so a bad one stops the
// cold start instead of failing the first send.
var Wire = wiring.Wire{Name: "email", Delivery: true, Apply: apply}

func apply(_ context.Context, svc *account.Service, rt wiring.Runtime) error {
	var probs []string
	var all []*config.Config
	if svc.Config != nil {
		all = svc.Config.All()
	}
	for _, cfg := range all {
		if cfg.Idco.Email == nil || len(cfg.Idco.Email.Templates) == 0 {
			continue
		}
		var over email.Templates
		if err := json.Unmarshal(cfg.Idco.Email.Templates, &over); err != nil {
			probs = append(probs, "idco.email.templates: "+err.Error())
		}
	}
	if len(probs) > 0 {
		return errors.New(strings.Join(probs, "; "))
	}
	svc.Email = &Email{AWS: rt.AWS, Endpoint: rt.Getenv(EnvSESEndpoint)}
	return nil
}
