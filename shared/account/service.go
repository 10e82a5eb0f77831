// Package account is idco's domain: registration, password login, sessions
// and tokens, captcha, and account management, with uni-id-co's semantics
// except where idco's security model departs. It knows its storage and
// senders only as interfaces and imports no transport or AWS code.
package account

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/password"
	"github.com/idco-dev/idco/shared/signing"
)

// Outbox receives what idco would deliver to a person (captcha answers now,
// codes and messages later). Only the dev server sets one: it prints to the
// console and appends to the dev outbox file.
type Outbox interface {
	Deliver(ctx context.Context, m Message)
}

// Message is one delivery for the Outbox.
type Message struct {
	Kind    string // "captcha", "sms" or "email"
	To      string // deviceId for a captcha
	Scene   string
	Code    string
	Subject string
	Text    string
	Time    time.Time
}

// Service runs the account methods. The stores are required; SMS, Email
// and Outbox are set where the family needs them. The composition root
// (shared/app) fills them.
type Service struct {
	Config     *config.Set
	Users      Users
	Captchas   Captchas
	Counters   Counters
	Codes      Codes
	SMS        SMSSender  // nil: SMS is not configured
	Providers  []Provider // the third-party login providers (thirdparty.All)
	Identities Identities // third-party logins; nil where not wired
	Phones     Phones     // phone-number proofs; nil where not wired
	OAuthURLs  OAuthURLs  // web OAuth authorization addresses; nil where not wired
	// MiniProgramCodes draws QR-code login's mini-program codes; nil
	// where not wired (a drawn URL QR code is shown instead).
	MiniProgramCodes MiniProgramCodes
	// QRCodes draws a text as a QR code PNG (shared/qrpng, wired where
	// QR-code login runs), for a login URL when no mini-program code is
	// configured.
	QRCodes func(text string) ([]byte, error)
	// QRPollWait and QRPollInterval are how long pollQrLogin waits at
	// most and how often it looks (0: 20 s and 500 ms); tests shorten
	// them.
	QRPollWait, QRPollInterval time.Duration
	FaceVerify                 FaceVerifier // face verification (实人认证); nil where not wired
	Cache                      Cache
	Roles                      Roles        // the role and permission catalog
	Clients                    OAuthClients // the open platform's registered apps
	// Issuer is the open platform's issuer URL (its ID tokens' iss, the
	// base of its endpoints) and SigningKeys its key set; both are set
	// where the open platform is wired (shared/oidc).
	Issuer      string
	SigningKeys signing.Source
	AuditLog    AuditLog    // nil: nothing is recorded
	Invites     Invites     // who invited whom, by level
	Email       EmailSender // nil: email is not configured
	Outbox      Outbox      // nil outside dev mode
	// HashGate bounds concurrent password hashing; nil means
	// password.DefaultGate, one slot per core.
	HashGate *password.Gate
	// Dev is dev mode, set only by the dev server and the tests: uni-id's
	// fixed SMS test code (idco.sms.testMode) works, and code logins are
	// offered without delivery config. Never on in a Lambda.
	Dev  bool
	Now  func() time.Time
	Rand io.Reader // nil means crypto/rand
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) rand() io.Reader {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.Reader
}

// cfg returns the effective config of the calling app and platform, and
// replaces the call's appId by the one idco records (config.Set.Resolve):
// a configured app id, never one the client made up.
func (s *Service) cfg(c *cloudobj.Call) (*config.Config, error) {
	cfg, id, err := s.Config.Resolve(c.Client.AppID, c.Client.Platform)
	if errors.Is(err, config.ErrUnknownApp) {
		return nil, apierr.Wrap(apierr.AppNotConfigured, err)
	}
	if err != nil {
		return nil, &apierr.Error{Code: apierr.ConfigFieldRequired,
			Values: map[string]string{"field": "dcloudAppid"}, Cause: err}
	}
	if c.Client.SentAppID == "" {
		c.Client.SentAppID = c.Client.AppID
	}
	c.Client.AppID = id
	return cfg, nil
}

// systemAccounts refuses what idco.thirdPartyOnly turns off: logging in or
// registering with a password or a code, and the password's upkeep.
func systemAccounts(cfg *config.Config) error {
	if !cfg.SystemAccounts() {
		return apierr.New(apierr.LoginTypeDisabled)
	}
	return nil
}

// hasher returns the password hasher for cfg.
func (s *Service) hasher(cfg *config.Config) *password.Hasher {
	p := password.DefaultParams()
	p.MemoryKiB, p.Time, p.Threads = cfg.Idco.Argon2.MemoryKiB, cfg.Idco.Argon2.Time, cfg.Idco.Argon2.Threads
	secrets := make([]password.Secret, len(cfg.PasswordSecret))
	for i, x := range cfg.PasswordSecret {
		secrets[i] = password.Secret{Type: x.Type, Value: x.Value, Version: x.Version}
	}
	gate := s.HashGate
	if gate == nil {
		gate = password.DefaultGate
	}
	return &password.Hasher{Params: p, Secrets: secrets, Rand: s.Rand, Gate: gate}
}

// hashPassword hashes a new password: busy hashing answers retry-later,
// a password the hasher refuses answers invalid-password.
func (s *Service) hashPassword(cfg *config.Config, pw string) (string, error) {
	hash, err := s.hasher(cfg).Hash(pw)
	if err != nil {
		return "", hashErr(err, apierr.InvalidPassword)
	}
	return hash, nil
}

// hashErr answers a hashing failure: every slot busy is retry-later, with
// the wait a client should leave; anything else is code.
func hashErr(err error, code string) error {
	if errors.Is(err, password.ErrBusy) {
		return apierr.Wrap(apierr.RetryLater, err).With("retryAfter", 1)
	}
	return apierr.Wrap(code, err)
}

// newID returns a uid in uni-id's shape: 24 hex characters, the first 8 the
// creation time in seconds, as a MongoDB ObjectId, so ids sort by age.
func (s *Service) newID() (string, error) {
	var b [12]byte
	t := s.now().Unix()
	b[0], b[1], b[2], b[3] = byte(t>>24), byte(t>>16), byte(t>>8), byte(t)
	if _, err := io.ReadFull(s.rand(), b[4:]); err != nil {
		return "", apierr.Systemf("random id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// storeErr turns a store failure into the client's error: unavailability is
// retryable, anything else a system error. Domain outcomes (not found,
// conflict, taken) are handled by callers before this.
func storeErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*apierr.Error](err); ok {
		return err
	}
	if errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		return apierr.Wrap(apierr.RetryLater, fmt.Errorf("%s: %w", op, err))
	}
	return apierr.Wrap(apierr.SystemError, fmt.Errorf("%s: %w", op, err))
}

// ms returns t in milliseconds since the epoch.
func ms(t time.Time) int64 { return t.UnixMilli() }
