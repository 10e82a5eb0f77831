package email

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// Values the fake DirectMail knows.
const (
	dmKeyID   = "LTAI5tFakeDirectMail02"
	dmSecret  = "fake-directmail-secret-7c1e"
	dmAccount = "no-reply@band.example"
)

// dmNow is the fake's clock; clients under test use the same one.
var dmNow = time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC)

// newFakeDirectMail starts a fake DirectMail on dmNow with one sender
// address, and a client for it that sends as from. The gateway's refusals
// are what some tests ask for: they are logged, not failures.
func newFakeDirectMail(t *testing.T, c DirectMailConfig) (*fakeprov.DirectMail, *DirectMail) {
	t.Helper()
	f := fakeprov.NewDirectMail(t, fakeprov.ACS3Key{ID: dmKeyID, Secret: dmSecret})
	f.Now = func() time.Time { return dmNow }
	f.AccountNames = []string{dmAccount}
	f.Report = t.Logf
	f.Delay = 2 * time.Second
	if c.AccessKeyID == "" {
		c.AccessKeyID, c.AccessKeySecret = dmKeyID, dmSecret
	}
	d := NewDirectMail(c, from, f.URL, f.Client())
	d.Now = func() time.Time { return dmNow }
	d.Timeout = 300 * time.Millisecond
	return f, d
}

func TestDirectMailSendsSingleSendMail(t *testing.T) {
	tests := []struct {
		name   string
		cfg    DirectMailConfig
		m      Message
		params []string // every param sent, sorted
		reply  string
	}{
		{"text and html", DirectMailConfig{ReplyToAddress: true, TagName: "idco"}, codeMessage(),
			[]string{"AccountName", "AddressType", "FromAlias", "HtmlBody", "ReplyToAddress", "Subject", "TagName", "TextBody", "ToAddress"}, "true"},
		{"text only, no tag", DirectMailConfig{}, Message{To: recipient, Subject: "Welcome", Text: "Hello"},
			[]string{"AccountName", "AddressType", "FromAlias", "ReplyToAddress", "Subject", "TextBody", "ToAddress"}, "false"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, d := newFakeDirectMail(t, tc.cfg)
			if err := d.Send(t.Context(), tc.m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got, ok := f.Take(recipient)
			if !ok {
				t.Fatalf("nothing sent to %s", recipient)
			}
			if got.AccountName != dmAccount || got.FromAlias != "Band" || got.AddressType != "1" || got.ReplyToAddress != tc.reply ||
				got.Subject != tc.m.Subject || got.TextBody != tc.m.Text || got.HtmlBody != tc.m.HTML || got.TagName != tc.cfg.TagName {
				t.Errorf("SingleSendMail = %+v", got)
			}
			var names []string
			for n := range got.Query {
				names = append(names, n)
			}
			if slices.Sort(names); !slices.Equal(names, tc.params) {
				t.Errorf("params = %q, want %q", names, tc.params)
			}
		})
	}
}

func TestDirectMailNoncesDiffer(t *testing.T) {
	// The fake refuses a reused nonce, as the gateway does.
	_, d := newFakeDirectMail(t, DirectMailConfig{})
	for i := range 3 {
		if err := d.Send(t.Context(), codeMessage()); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	_, fixed := newFakeDirectMail(t, DirectMailConfig{})
	fixed.Rand = bytes.NewReader(make([]byte, 64))
	if err := fixed.Send(t.Context(), codeMessage()); err != nil {
		t.Fatalf("the first send with a fixed nonce: %v", err)
	}
	err := fixed.Send(t.Context(), codeMessage())
	var e *Error
	if !errors.As(err, &e) || e.Code != "SignatureNonceUsed" || e.Retryable {
		t.Errorf("a replayed nonce = %v, want a permanent SignatureNonceUsed", err)
	}
}

func TestDirectMailErrors(t *testing.T) {
	tests := []struct {
		name            string
		fault           fakeprov.Reply
		setup           func(*DirectMail)
		code            string
		retry, deadline bool
	}{
		{name: "throttled", fault: fakeprov.DirectMailThrottled, code: "Throttling.User", retry: true},
		{name: "unavailable", fault: fakeprov.DirectMailUnavailable, code: "ServiceUnavailable", retry: true},
		{name: "internal", fault: fakeprov.DirectMailError(500, "InternalError", "The request processing has failed due to some unknown error."),
			code: "InternalError", retry: true},
		{name: "spam", fault: fakeprov.DirectMailSpam, code: "InvalidSendMail.Spam"},
		{name: "bad recipient", fault: fakeprov.DirectMailBadRecipient, code: "InvalidToAddress.Spam"},
		{name: "html 502", fault: fakeprov.HTMLPage(502, "502 Bad Gateway"), code: CodeTransport, retry: true},
		{name: "html 403", fault: fakeprov.HTMLPage(403, "403 Forbidden"), code: CodeTransport},
		{name: "cut short", fault: fakeprov.Reply{Status: 200, Body: `{"EnvId":`}, code: CodeTransport, retry: true},
		{name: "empty 200", fault: fakeprov.Reply{Status: 200, Body: `{}`}, code: CodeTransport, retry: true},
		{name: "hang", fault: fakeprov.Hang, code: CodeTransport, retry: true, deadline: true},
		{name: "wrong secret", setup: func(d *DirectMail) { d.Key.Secret = "wrong" }, code: "SignatureDoesNotMatch"},
		{name: "stale clock", setup: func(d *DirectMail) { d.Now = func() time.Time { return dmNow.Add(-20 * time.Minute) } },
			code: "InvalidTimeStamp.Expired"},
		{name: "unknown sender", setup: func(d *DirectMail) { d.AccountName = "other@band.example" }, code: "InvalidMailAddress.NotFound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, d := newFakeDirectMail(t, DirectMailConfig{})
			if tc.fault.Status != 0 || tc.fault.Hang {
				f.Fail(tc.fault, -1)
			}
			if tc.setup != nil {
				tc.setup(d)
			}
			err := d.Send(t.Context(), codeMessage())
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if got, want := [3]any{e.Provider, e.Code, e.Retryable}, [3]any{"aliyun", tc.code, tc.retry}; got != want {
				t.Errorf("Provider, Code, Retryable = %v, want %v (%v)", got, want, err)
			}
			if got := errors.Is(err, context.DeadlineExceeded); got != tc.deadline {
				t.Errorf("errors.Is(err, DeadlineExceeded) = %v, want %v", got, tc.deadline)
			}
			for _, secret := range []string{code, recipient, dmSecret} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q holds %q", err, secret)
				}
			}
			if n := len(f.Sent()); n != 0 {
				t.Errorf("the fake sent %d emails", n)
			}
		})
	}
}

func TestDirectMailUnreachable(t *testing.T) {
	srv := httptest.NewServer(nil)
	srv.Close()
	err := NewDirectMail(DirectMailConfig{AccessKeyID: dmKeyID, AccessKeySecret: dmSecret}, from, srv.URL, nil).Send(t.Context(), codeMessage())
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeTransport || !e.Retryable || strings.Contains(err.Error(), code) {
		t.Errorf("err = %v, want a retryable Transport *Error without the URL's params", err)
	}
}

func TestDirectMailRefusesBadMessages(t *testing.T) {
	long := func(n int) string { return strings.Repeat("验", n) }
	tests := []struct {
		name string
		from string
		m    Message
	}{
		{"no recipient", from, Message{Subject: "s", Text: "t"}},
		{"two recipients", from, Message{To: "a@example.com,b@example.com", Subject: "s", Text: "t"}},
		{"header injection", from, Message{To: "a@example.com\r\nBcc: b@example.com", Subject: "s", Text: "t"}},
		{"no subject", from, Message{To: recipient, Text: "t"}},
		{"no text", from, Message{To: recipient, Subject: "s", HTML: "<p>h</p>"}},
		{"subject of 101", from, Message{To: recipient, Subject: long(101), Text: "t"}},
		{"text over 80 KB", from, Message{To: recipient, Subject: "s", Text: strings.Repeat("a", 80<<10+1)}},
		{"html over 80 KB", from, Message{To: recipient, Subject: "s", Text: "t", HTML: strings.Repeat("a", 80<<10+1)}},
		{"from is no address", "Band", codeMessage()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := newFakeDirectMail(t, DirectMailConfig{})
			d := NewDirectMail(DirectMailConfig{AccessKeyID: dmKeyID, AccessKeySecret: dmSecret}, tc.from, f.URL, f.Client())
			err := d.Send(t.Context(), tc.m)
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalidMessage || e.Retryable {
				t.Errorf("Send = %v, want an InvalidMessage *Error", err)
			}
			if n := f.Calls(); n != 0 {
				t.Errorf("made %d requests, want none", n)
			}
		})
	}
	// At the limits: sent.
	f, d := newFakeDirectMail(t, DirectMailConfig{})
	if err := d.Send(t.Context(), Message{To: recipient, Subject: long(100), Text: strings.Repeat("a", 80<<10)}); err != nil {
		t.Errorf("a subject of 100 and a text of 80 KB: %v", err)
	}
	if n := len(f.Sent()); n != 1 {
		t.Errorf("sent %d, want 1", n)
	}
}

func TestDirectMailEndpoint(t *testing.T) {
	tests := []struct {
		cfg      DirectMailConfig
		override string
		want     string
	}{
		{DirectMailConfig{}, "", "dm.aliyuncs.com"},
		{DirectMailConfig{RegionID: "cn-hangzhou"}, "", "dm.aliyuncs.com"},
		{DirectMailConfig{RegionID: "ap-southeast-1"}, "", "dm.ap-southeast-1.aliyuncs.com"},
		{DirectMailConfig{RegionID: "eu-central-1", Endpoint: "dm-vpc.example.com"}, "", "dm-vpc.example.com"},
		{DirectMailConfig{Endpoint: "dm-vpc.example.com"}, "http://127.0.0.1:9000", "http://127.0.0.1:9000"},
	}
	for _, tc := range tests {
		if got := NewDirectMail(tc.cfg, from, tc.override, nil).Endpoint; got != tc.want {
			t.Errorf("NewDirectMail(%+v, %q).Endpoint = %q, want %q", tc.cfg, tc.override, got, tc.want)
		}
	}
}
