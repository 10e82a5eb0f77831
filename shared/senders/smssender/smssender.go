// Package smssender adapts the SMS clients (shared/sms) to the account
// domain: it picks the calling app's provider from its config (one client
// per distinct config, built once), fills the template params or the text,
// and turns provider failures into the domain's delivery errors.
package smssender

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
	"github.com/idco-dev/idco/shared/sms"
	"github.com/idco-dev/idco/shared/wiring"
)

// SMS implements account.SMSSender.
type SMS struct {
	AWS  func() (aws.Config, error)
	HTTP *http.Client
	mu   sync.Mutex
	by   map[string]sms.Sender // by the raw idco.sms block
}

// SendSMS implements account.SMSSender.
func (s *SMS) SendSMS(ctx context.Context, m account.SMS) error {
	if m.Scene == account.SMSNoticeScene && m.TemplateID == "" && needsTemplate(m.Config) {
		return nil // no notice template configured: the provider could not send one
	}
	snd, err := s.sender(m.Config)
	if err != nil {
		return err
	}
	err = snd.Send(ctx, sms.Message{Phone: m.Phone, TemplateID: m.TemplateID, Params: smsParams(m), Text: smsText(m)})
	var se *sms.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se) && se.Limited:
		return errors.Join(account.ErrDeliveryLimited, err)
	case errors.As(err, &se) && se.Retryable:
		return errors.Join(account.ErrDeliveryRetryable, err)
	}
	return err
}

func (s *SMS) sender(cfg *config.Config) (sms.Sender, error) {
	if cfg == nil || cfg.Idco.SMS == nil {
		return nil, errors.New("idco.sms is not configured")
	}
	key := string(cfg.Idco.SMS.Raw)
	s.mu.Lock()
	defer s.mu.Unlock()
	if snd, ok := s.by[key]; ok {
		return snd, nil
	}
	snd, err := buildSMS(cfg, s.HTTP, s.AWS)
	if err != nil {
		return nil, err
	}
	if s.by == nil {
		s.by = map[string]sms.Sender{}
	}
	s.by[key] = snd
	return snd, nil
}

func buildSMS(cfg *config.Config, hc *http.Client, load func() (aws.Config, error)) (sms.Sender, error) {
	var c sms.Config
	if err := json.Unmarshal(cfg.Idco.SMS.Raw, &c); err != nil {
		return nil, fmt.Errorf("idco.sms: %v", err)
	}
	var awsCfg *aws.Config
	if p, ok := sms.Lookup(c.Provider); ok && p.AWS {
		ac, err := load()
		if err != nil {
			return nil, err
		}
		awsCfg = &ac
	}
	return sms.New(c, hc, awsCfg)
}

// smsParams are the template params, uni-id's data {code, expMinute, name,
// action}: Aliyun gets them as an object; Tencent, in order, as many as the
// template declares (idco.sms.templateParams, default code and expMinute).
// needsTemplate reports whether cfg's SMS provider sends only approved
// templates.
func needsTemplate(cfg *config.Config) bool {
	if cfg == nil || cfg.Idco.SMS == nil {
		return false
	}
	var c sms.Config
	if json.Unmarshal(cfg.Idco.SMS.Raw, &c) != nil {
		return false
	}
	p, ok := sms.Lookup(c.Provider)
	return ok && p.Templates
}

// changeNames name what a security notice is about, for its text and
// its template's "change" param.
var changeNames = map[string][2]string{
	account.NoticeMobile:   {"手机号", "mobile number"},
	account.NoticeEmail:    {"邮箱", "email"},
	account.NoticePassword: {"密码", "password"},
}

func smsParams(m account.SMS) []sms.Param {
	action := "验证手机号"
	if m.Scene == "login-by-sms" {
		action = "登录"
	}
	all := map[string]string{"code": m.Code, "expMinute": fmt.Sprint(m.Minutes), "name": m.AppName, "action": action,
		"change": changeNames[m.Change][0]}
	if m.Scene == account.SMSNoticeScene {
		return []sms.Param{{Name: "name", Value: m.AppName}, {Name: "change", Value: all["change"]}}
	}
	names := []string{"code", "expMinute"}
	if m.Config != nil && m.Config.Idco.SMS != nil && len(m.Config.Idco.SMS.TemplateParams) > 0 {
		names = m.Config.Idco.SMS.TemplateParams
	}
	out := make([]sms.Param, 0, len(names))
	for _, n := range names {
		out = append(out, sms.Param{Name: n, Value: all[n]})
	}
	return out
}

// smsText is the whole message for providers without templates.
func smsText(m account.SMS) string {
	if m.Scene == account.SMSNoticeScene {
		if m.Locale == "en" {
			return fmt.Sprintf("[%s] The %s of your account was changed. If this was not you, secure your account now.", m.AppName, changeNames[m.Change][1])
		}
		return fmt.Sprintf("【%s】您的账号%s已变更。如非本人操作，请立即处理。", m.AppName, changeNames[m.Change][0])
	}
	if m.Locale == "en" {
		return fmt.Sprintf("[%s] Your verification code is %s, valid for %d minutes. Do not share it.", m.AppName, m.Code, m.Minutes)
	}
	return fmt.Sprintf("【%s】您的验证码为 %s，%d 分钟内有效，请勿泄露。", m.AppName, m.Code, m.Minutes)
}

// Wire adds the SMS sender (the send-sms-code function). Every app's
// idco.sms block is checked now, so a bad provider config or a missing
// template stops the cold start with every problem listed, never falling
// back to a fixed code.
var Wire = wiring.Wire{Name: "sms", Delivery: true, Apply: apply}

func apply(_ context.Context, svc *account.Service, rt wiring.Runtime) error {
	var probs []string
	for _, cfg := range svc.Config.All() {
		if cfg.Idco.SMS == nil {
			continue
		}
		var c sms.Config
		if err := json.Unmarshal(cfg.Idco.SMS.Raw, &c); err != nil {
			probs = append(probs, "idco.sms: "+err.Error())
			continue
		}
		probs = append(probs, c.Validate()...)
		if p, ok := sms.Lookup(c.Provider); ok && p.Templates {
			for scene := range config.SMSScenes {
				if cfg.Service.SMS == nil || cfg.Service.SMS.Scene[scene].TemplateID == "" {
					probs = append(probs, "service.sms.scene."+scene+".templateId: required by "+p.Name)
				}
			}
		}
	}
	if len(probs) > 0 {
		return errors.New(strings.Join(dedupe(probs), "; "))
	}
	svc.SMS = &SMS{AWS: rt.AWS, HTTP: &http.Client{Timeout: 5 * time.Second}}
	return nil
}

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
