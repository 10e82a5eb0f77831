package testenv

import (
	"context"
	"sync"

	"github.com/idco-dev/idco/shared/account"
)

// Sender records SMS and email deliveries and fails them on demand.
type Sender struct {
	mu    sync.Mutex
	sms   []account.SMS
	email []account.Email
	fail  error
	calls int
}

// SendSMS implements account.SMSSender.
func (s *Sender) SendSMS(_ context.Context, m account.SMS) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		return s.fail
	}
	s.sms = append(s.sms, m)
	return nil
}

// SendEmail implements account.EmailSender.
func (s *Sender) SendEmail(_ context.Context, m account.Email) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		return s.fail
	}
	s.email = append(s.email, m)
	return nil
}

// Fail makes every later delivery return err (nil: succeed again).
func (s *Sender) Fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

// Calls returns how many deliveries were attempted.
func (s *Sender) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// LastSMS returns the newest SMS to phone (E.164).
func (s *Sender) LastSMS(phone string) (account.SMS, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.sms) - 1; i >= 0; i-- {
		if s.sms[i].Phone == phone {
			return s.sms[i], true
		}
	}
	return account.SMS{}, false
}

// LastEmail returns the newest email to addr.
func (s *Sender) LastEmail(addr string) (account.Email, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.email) - 1; i >= 0; i-- {
		if s.email[i].To == addr {
			return s.email[i], true
		}
	}
	return account.Email{}, false
}

// Emails returns every email delivered.
func (s *Sender) Emails() []account.Email {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]account.Email(nil), s.email...)
}
