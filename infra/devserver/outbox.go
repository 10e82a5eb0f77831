package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/idco-dev/idco/shared/account"
)

// outbox is the dev mode's delivery: each message is printed to the console
// and appended as one JSON line to the outbox file, so people and scripts can
// finish flows without a phone, a mailbox or reading a PNG.
type outbox struct {
	mu      sync.Mutex
	file    *os.File
	console io.Writer
}

func openOutbox(path string, console io.Writer) (*outbox, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	return &outbox{file: f, console: console}, nil
}

// outboxLine is the outbox file's line format.
type outboxLine struct {
	Kind    string    `json:"kind"`
	To      string    `json:"to"`
	Scene   string    `json:"scene"`
	Code    string    `json:"code"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	Time    time.Time `json:"time"`
}

// Deliver implements account.Outbox.
func (o *outbox) Deliver(_ context.Context, m account.Message) {
	line, _ := json.Marshal(outboxLine{Kind: m.Kind, To: m.To, Scene: m.Scene, Code: m.Code,
		Subject: m.Subject, Text: m.Text, Time: m.Time.UTC()})
	o.mu.Lock()
	defer o.mu.Unlock()
	if m.Code != "" {
		fmt.Fprintf(o.console, "[dev outbox] %s to %s (scene %s): %s\n", m.Kind, m.To, m.Scene, m.Code)
	} else {
		fmt.Fprintf(o.console, "[dev outbox] %s to %s (scene %s): %s\n", m.Kind, m.To, m.Scene, m.Subject)
	}
	_, _ = o.file.Write(append(line, '\n'))
}

func (o *outbox) Close() error { return o.file.Close() }

// SendSMS implements account.SMSSender for dev mode: the message goes to
// the console and the outbox instead of a provider.
func (o *outbox) SendSMS(ctx context.Context, m account.SMS) error {
	text := fmt.Sprintf("[%s] Your verification code is %s, valid for %d minutes.", m.AppName, m.Code, m.Minutes)
	if m.Locale != "en" {
		text = fmt.Sprintf("【%s】您的验证码是 %s，%d 分钟内有效。", m.AppName, m.Code, m.Minutes)
	}
	if m.Scene == account.SMSNoticeScene {
		text = fmt.Sprintf("[%s] Security notice: the %s of your account was changed.", m.AppName, m.Change)
	}
	o.Deliver(ctx, account.Message{Kind: "sms", To: m.Phone, Scene: m.Scene, Code: m.Code, Text: text, Time: time.Now()})
	return nil
}

// SendEmail implements account.EmailSender for dev mode.
func (o *outbox) SendEmail(ctx context.Context, m account.Email) error {
	subject, text := emailText(m)
	o.Deliver(ctx, account.Message{Kind: "email", To: m.To, Scene: m.Scene, Code: m.Code, Subject: subject, Text: text, Time: time.Now()})
	return nil
}
