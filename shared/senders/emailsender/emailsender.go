// Package emailsender adapts the email clients (shared/email) to the
// account domain: one sender per distinct idco.email config, built by the
// provider idco.email.provider names, the templates with the config's
// overrides, and provider failures turned into the domain's delivery
// errors.
package emailsender

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/email"
	"github.com/idco-dev/idco/shared/wiring"
)

// Email implements account.EmailSender.
type Email struct {
	AWS  func() (aws.Config, error) // loaded for an AWS provider
	HTTP *http.Client               // for the providers called with their own keys; nil means http.DefaultClient
	// Endpoints replace providers' endpoints, by provider name (each
	// provider's EnvEndpoint, when set).
	Endpoints map[string]string
	mu        sync.Mutex
	by        map[string]*mailer // by the raw idco.email block
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
	key := string(ec.Raw)
	e.mu.Lock()
	defer e.mu.Unlock()
	if ml, ok := e.by[key]; ok {
		return ml, nil
	}
	ml, err := e.buildMailer(ec)
	if err != nil {
		return nil, err
	}
	if e.by == nil {
		e.by = map[string]*mailer{}
	}
	e.by[key] = ml
	return ml, nil
}

func (e *Email) buildMailer(ec *config.EmailConfig) (*mailer, error) {
	templates := email.DefaultTemplates()
	if len(ec.Templates) > 0 {
		var over email.Templates
		if err := json.Unmarshal(ec.Templates, &over); err != nil {
			return nil, fmt.Errorf("idco.email.templates: %v", err)
		}
		templates = templates.Merge(over)
	}
	c, err := email.ParseConfig(ec.Raw)
	if err != nil {
		return nil, err
	}
	p, _ := email.Lookup(c.Provider)
	s := c.Settings()
	s.Endpoint, s.HTTP = e.Endpoints[p.Name], e.HTTP
	if p.AWS {
		ac, err := e.AWS()
		if err != nil {
			return nil, err
		}
		s.AWS = ac
	}
	return &mailer{sender: p.New(s), templates: templates}, nil
}

// Wire adds the email sender (send-email-code, register for the welcome
// email, bind and reset for the security notices). Every app's idco.email
// is checked now, its provider's block and its template overrides, so a
// bad one stops the cold start with every problem listed instead of
// failing the first send.
var Wire = wiring.Wire{Name: "email", Delivery: true, Apply: apply}

func apply(_ context.Context, svc *account.Service, rt wiring.Runtime) error {
	var probs []string
	var all []*config.Config
	if svc.Config != nil {
		all = svc.Config.All()
	}
	for _, cfg := range all {
		ec := cfg.Idco.Email
		if ec == nil {
			continue
		}
		var c email.Config
		if err := json.Unmarshal(ec.Raw, &c); err != nil {
			probs = append(probs, err.Error())
		} else {
			probs = append(probs, c.Validate()...)
		}
		if len(ec.Templates) > 0 {
			var over email.Templates
			if err := json.Unmarshal(ec.Templates, &over); err != nil {
				probs = append(probs, "idco.email.templates: "+err.Error())
			}
		}
	}
	if len(probs) > 0 {
		return errors.New(strings.Join(dedupe(probs), "; "))
	}
	endpoints := map[string]string{}
	for _, p := range email.Providers {
		if v := rt.Getenv(p.EnvEndpoint); v != "" {
			endpoints[p.Name] = v
		}
	}
	svc.Email = &Email{AWS: rt.AWS, HTTP: &http.Client{Timeout: 5 * time.Second}, Endpoints: endpoints}
	return nil
}

// dedupe drops repeated problems: apps often share one idco.email.
func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
