package email

import (
	"context"
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	from      = "Band <no-reply@band.example>"
	recipient = "user@example.com"
	code      = "482916"
)

func codeMessage() Message {
	return Message{To: recipient, Subject: "Your Band sign-in code",
		Text: "Use this code: " + code + "\n", HTML: "<p>Use this code: <b>" + code + "</b></p>"}
}

func TestSESSendsSimpleEmail(t *testing.T) {
	tests := []struct {
		name     string
		m        Message
		confSet  string
		wantHTML bool
	}{
		{"text and html", codeMessage(), "idco-mail", true},
		{"text only", Message{To: recipient, Subject: "Welcome", Text: "Hello"}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, cfg, endpoint := newFakeSES(t, "ok")
			s := NewSES(cfg, endpoint, from, tc.confSet)
			if err := s.Send(t.Context(), tc.m); err != nil {
				t.Fatalf("%s: Send: %v", tc.name, err)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("%s: requests = %d, want 1", tc.name, len(reqs))
			}
			got := reqs[0]
			simple := got.Content.Simple
			if got.FromEmailAddress != from || !reflect.DeepEqual(got.Destination.ToAddresses, []string{recipient}) ||
				got.ConfigurationSetName != tc.confSet {
				t.Errorf("%s: From, To, ConfigurationSetName = %q, %q, %q", tc.name, got.FromEmailAddress,
					got.Destination.ToAddresses, got.ConfigurationSetName)
			}
			if simple.Subject != (content{Data: tc.m.Subject, Charset: "UTF-8"}) || simple.Body.Text == nil ||
				*simple.Body.Text != (content{Data: tc.m.Text, Charset: "UTF-8"}) {
				t.Errorf("%s: Subject, Text = %+v, %+v", tc.name, simple.Subject, simple.Body.Text)
			}
			if gotHTML := simple.Body.Html != nil; gotHTML != tc.wantHTML || gotHTML && *simple.Body.Html != (content{Data: tc.m.HTML, Charset: "UTF-8"}) {
				t.Errorf("%s: Html = %+v, want present %v", tc.name, simple.Body.Html, tc.wantHTML)
			}
		})
	}
}

func TestSESErrors(t *testing.T) {
	tests := []struct {
		scenario       string
		code           string
		retry, timeout bool
		attempts       int32
	}{
		{scenario: "toomany", code: "TooManyRequestsException", retry: true, attempts: 2},
		{scenario: "limit", code: "LimitExceededException", retry: true, attempts: 2},
		{scenario: "throttling", code: "ThrottlingException", retry: true, attempts: 2},
		{scenario: "internal", code: "InternalFailure", retry: true, attempts: 2},
		{scenario: "unavailable", code: CodeTransport, retry: true, attempts: 2},
		{scenario: "rejected", code: "MessageRejected", attempts: 1},
		{scenario: "mailfrom", code: "MailFromDomainNotVerifiedException", attempts: 1},
		{scenario: "suspended", code: "AccountSuspendedException", attempts: 1},
		{scenario: "paused", code: "SendingPausedException", attempts: 1},
		{scenario: "notfound", code: "NotFoundException", attempts: 1},
		{scenario: "badrequest", code: "BadRequestException", attempts: 1},
		{scenario: "badjson", code: CodeTransport, retry: true, attempts: 1},
		{scenario: "slow", code: CodeTransport, retry: true, timeout: true, attempts: 1},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			f, cfg, endpoint := newFakeSES(t, tc.scenario)
			s := NewSES(cfg, endpoint, from, "")
			s.Timeout = 300 * time.Millisecond
			err := s.Send(t.Context(), codeMessage())
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if got, want := [2]any{e.Code, e.Retryable}, [2]any{tc.code, tc.retry}; got != want {
				t.Errorf("Code, Retryable = %v, want %v (%v)", got, want, err)
			}
			if got := errors.Is(err, context.DeadlineExceeded); got != tc.timeout {
				t.Errorf("errors.Is(err, DeadlineExceeded) = %v, want %v", got, tc.timeout)
			}
			if got := f.hits.Load(); got != tc.attempts {
				t.Errorf("requests = %d, want %d", got, tc.attempts)
			}
			for _, secret := range []string{code, recipient} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains %q", err, secret)
				}
			}
		})
	}
}

func TestSESUnreachable(t *testing.T) {
	_, cfg, endpoint := newFakeSES(t, "ok")
	srv := httptest.NewServer(nil)
	srv.Close()
	if err := NewSES(cfg, endpoint, from, "").Send(t.Context(), codeMessage()); err != nil {
		t.Fatalf("Send to the fake: %v", err)
	}
	err := NewSES(cfg, srv.URL, from, "").Send(t.Context(), codeMessage())
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeTransport || !e.Retryable {
		t.Errorf("err = %v, want a retryable Transport *Error", err)
	}
}

func TestSESRefusesBadMessages(t *testing.T) {
	tests := []Message{
		{Subject: "s", Text: "t"},
		{To: "a@example.com\r\nBcc: b@example.com", Subject: "s", Text: "t"},
		{To: recipient, Text: "t"},
		{To: recipient, Subject: "s"},
	}
	for _, m := range tests {
		f, cfg, endpoint := newFakeSES(t, "ok")
		err := NewSES(cfg, endpoint, from, "").Send(t.Context(), m)
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeInvalidMessage || e.Retryable {
			t.Errorf("Send(%q) = %v, want an InvalidMessage *Error", m.To, err)
		}
		if n := f.hits.Load(); n != 0 {
			t.Errorf("Send(%q) made %d requests, want none", m.To, n)
		}
	}
}
