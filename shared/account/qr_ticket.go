package account

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/internal/lazyre"
)

// The states of a QR-code login ticket. A ticket moves pending -> scanned
// -> confirmed or cancelled, each step a compare-and-set on the stored
// ticket (Cache.CacheSwap); expired is how a ticket past its life, or used,
// reads.
const (
	QRPending   = "pending"
	QRScanned   = "scanned"
	QRConfirmed = "confirmed"
	QRCancelled = "cancelled"
	QRExpired   = "expired"
)

// qrTicketTTL is a ticket's life: time to scan, read and confirm.
const qrTicketTTL = 3 * time.Minute

// qrTicketRE is a ticket as createQrLogin makes them: 24 random bytes in
// base64url, 32 characters, which a mini-program code's scene holds.
var qrTicketRE = lazyre.New(`^[A-Za-z0-9_-]{32}$`)

// qrTicket is what a ticket stands for, stored under its digest.
type qrTicket struct {
	State    string   `json:"state"`
	ClientID string   `json:"client"`
	Scopes   []string `json:"scopes"`
	// The web page that asked: its app, platform and device, the digest
	// of its pollSecret, and what the mini program shows of it.
	AppID     string `json:"app"`
	Platform  string `json:"platform"`
	DeviceID  string `json:"device"`
	Poll      string `json:"poll"`
	IP        string `json:"ip"`
	UserAgent string `json:"ua,omitempty"`
	// Scanner is the uid of the mini-program user who scanned it: the
	// only one who may confirm or cancel.
	Scanner string `json:"scanner,omitempty"`
	// An authorisation code asked for too: where it goes, PKCE, nonce,
	// the grant's life in days.
	RedirectURI string `json:"redirect,omitempty"`
	Challenge   string `json:"challenge,omitempty"`
	Nonce       string `json:"nonce,omitempty"`
	Days        int    `json:"days,omitempty"`
	Expires     int64  `json:"exp"` // ms
}

// qrKey stores a ticket by digest, so the table holds no ticket a mini
// program could confirm.
func qrKey(ticket string) string { return "qr-login:" + patDigest(ticket) }

// readTicket returns the live ticket and its stored bytes;
// uni-id-qr-ticket-invalid when there is none (never issued, expired,
// used).
func (s *Service) readTicket(ctx context.Context, ticket string) (*qrTicket, []byte, error) {
	if !qrTicketRE.MatchString(ticket) {
		return nil, nil, apierr.New(apierr.QRTicketInvalid)
	}
	data, err := s.Cache.CacheGet(ctx, qrKey(ticket), s.now())
	if errors.Is(err, ErrNotFound) {
		return nil, nil, apierr.New(apierr.QRTicketInvalid)
	}
	if err != nil {
		return nil, nil, storeErr("read qr ticket", err)
	}
	var t qrTicket
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, nil, apierr.Systemf("qr ticket: %w", err)
	}
	return &t, data, nil
}

// moveTicket applies fn to the ticket and stores the result if the ticket
// is still as read, reading it again when another request moved it first.
// fn returns errNoWrite to leave the ticket as it is.
func (s *Service) moveTicket(ctx context.Context, ticket string, fn func(t *qrTicket) error) (*qrTicket, error) {
	for range saveAttempts {
		t, old, err := s.readTicket(ctx, ticket)
		if err != nil {
			return nil, err
		}
		next := *t
		if err := fn(&next); errors.Is(err, errNoWrite) {
			return t, nil
		} else if err != nil {
			return nil, err
		}
		data, _ := json.Marshal(&next)
		err = s.Cache.CacheSwap(ctx, qrKey(ticket), old, data, s.now())
		switch {
		case err == nil:
			return &next, nil
		case errors.Is(err, ErrNotFound):
			return nil, apierr.New(apierr.QRTicketInvalid)
		case !errors.Is(err, ErrConflict):
			return nil, storeErr("move qr ticket", err)
		}
	}
	return nil, apierr.Wrap(apierr.RetryLater, errors.New("qr ticket kept changing"))
}

// scannedBy is the check of confirm and cancel: the ticket must be
// scanned, by uid.
func scannedBy(t *qrTicket, uid string) error {
	switch {
	case t.State == QRPending:
		return apierr.New(apierr.QRTicketNotScanned)
	case t.State != QRScanned:
		return apierr.New(apierr.QRTicketDone)
	case t.Scanner != uid:
		return apierr.New(apierr.QRTicketTaken)
	}
	return nil
}

// scopeTexts say what each scope lets an app read, in zh-Hans and en, as
// the consent screens (the hosted page, the mini program's) show them.
var scopeTexts = map[string][2]string{
	"openid":  {"确认你的身份", "Confirm who you are"},
	"profile": {"读取你的昵称、用户名和头像", "Read your nickname, username and avatar"},
	"email":   {"读取你的邮箱地址", "Read your email address"},
	"phone":   {"读取你的手机号", "Read your mobile number"},
	"role":    {"读取你的角色", "Read your roles"},
}

// ScopeText returns what scope lets an app read, in locale.
func ScopeText(scope, locale string) string {
	t := scopeTexts[scope]
	if apierr.IsEnglish(locale) {
		return t[1]
	}
	return t[0]
}
