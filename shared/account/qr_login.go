package account

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
)

// qrPollsPerTicket bounds the polls of one ticket: a page polls about
// nine times in a ticket's life, plus one after each change.
const qrPollsPerTicket = 60

// QRLogin is createQrLogin's answer. PollSecret goes only to the page
// that asked: it alone may wait on the ticket and receive the session.
type QRLogin struct {
	Ticket     string `json:"ticket"`
	PollSecret string `json:"pollSecret"`
	// QRCode is the picture as a data: URL: a mini-program code
	// (image/jpeg or image/png, as WeChat draws it) or a QR code of
	// idco.qrLogin.url?t=<ticket> (image/png).
	QRCode    string `json:"qrcode"`
	ExpiresIn int    `json:"expiresIn"`
}

// CreateQrLogin handles createQrLogin: a web page of the client's app asks
// for a sign-in ticket for clientId with scope, bound to its device, and
// gets the ticket's picture to show and a pollSecret to wait with. With
// redirectUri (registered for the client; codeChallenge, nonce and
// expireInDays as applyAuthorizationCode's), the page also gets an
// authorisation code for the client when the user confirms. Tickets are
// counted per source and per device (idco.qrLogin.perIpPerHour,
// perDevicePerHour) before anything is made.
func (s *Service) CreateQrLogin(ctx context.Context, c *cloudobj.Call, p *AuthRequest) (any, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	if err := required("clientId", p.ClientID, "clientInfo.deviceId", c.Client.DeviceID); err != nil {
		return nil, err
	}
	t := &qrTicket{State: QRPending, AppID: c.Client.AppID, Platform: c.Client.Platform, DeviceID: c.Client.DeviceID,
		IP: c.SourceIP, UserAgent: clip(c.UserAgent, 200), Expires: ms(s.now().Add(qrTicketTTL))}
	if err := s.qrRequest(ctx, c, p, t); err != nil {
		return nil, err
	}
	if err := s.limitQRTickets(ctx, cfg, c); err != nil {
		return nil, err
	}
	ticket, err := s.randomToken(24)
	if err != nil {
		return nil, err
	}
	secret, err := s.randomToken(32)
	if err != nil {
		return nil, err
	}
	t.Poll = patDigest(secret)
	pic, err := s.qrPicture(ctx, t.AppID, ticket)
	if err != nil {
		return nil, err
	}
	data, _ := json.Marshal(t)
	if err := s.Cache.CacheSet(ctx, qrKey(ticket), data, time.UnixMilli(t.Expires)); err != nil {
		return nil, storeErr("store qr ticket", err)
	}
	c.Log("client", t.ClientID)
	return QRLogin{Ticket: ticket, PollSecret: secret, QRCode: pic, ExpiresIn: int(qrTicketTTL / time.Second)}, nil
}

// qrRequest checks what the page asks for and writes it into t: a client
// of the calling app, its scopes, and the code's redirect when one is
// asked for.
func (s *Service) qrRequest(ctx context.Context, c *cloudobj.Call, p *AuthRequest, t *qrTicket) error {
	cl, err := s.Client(ctx, p.ClientID)
	if err != nil {
		return err
	}
	if cl.AppID != c.Client.AppID {
		return apierr.New(apierr.PermissionError)
	}
	if p.RedirectURI == "" {
		if p.CodeChallenge != "" || p.Nonce != "" || p.ExpireInDays != 0 {
			return apierr.Param(apierr.ParamRequired, "redirectUri")
		}
		t.ClientID = cl.ID
		t.Scopes, err = clientScopes(cl, p.Scope)
		return err
	}
	if _, err := s.CheckClientRedirect(ctx, p.ClientID, p.RedirectURI); err != nil {
		return err
	}
	if t.Scopes, err = CheckAuthRequest(cl, p); err != nil {
		return err
	}
	t.ClientID, t.RedirectURI, t.Challenge, t.Nonce, t.Days = cl.ID, p.RedirectURI, p.CodeChallenge, p.Nonce, p.ExpireInDays
	return nil
}

// limitQRTickets counts one ticket against the caller's source and device.
func (s *Service) limitQRTickets(ctx context.Context, cfg *config.Config, c *cloudobj.Call) error {
	now := s.now()
	q := cfg.Idco.QRLogin
	for _, l := range []Limit{
		{Window{"qr-ip:" + ipKey(c.SourceIP), time.Hour}, q.PerIPPerHour},
		{Window{"qr-device:" + c.Client.AppID + ":" + clip(c.Client.DeviceID, 128), time.Hour}, q.PerDevicePerHour},
	} {
		_, err := s.Counters.Hit(ctx, l.Window, l.Max, now)
		if errors.Is(err, ErrLimited) {
			return apierr.New(apierr.RateLimited).With("retryAfter", secondsLeft(now, time.Hour))
		}
		if err != nil {
			return storeErr("count qr tickets", err)
		}
	}
	return nil
}

// randomToken returns n random bytes in base64url.
func (s *Service) randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.rand(), b); err != nil {
		return "", apierr.Systemf("random qr ticket: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// qrPicture returns the ticket's picture as a data: URL: a mini-program
// code when the app's mini program and idco.qrLogin.page are configured,
// else a QR code of the login URL.
func (s *Service) qrPicture(ctx context.Context, appID, ticket string) (string, error) {
	mp, _, err := s.Config.Resolve(appID, "mp-weixin")
	if err != nil {
		return "", apierr.Wrap(apierr.AppNotConfigured, err)
	}
	if s.MiniProgramCodes != nil && mp.Idco.QRLogin.Page != "" && mp.OAuthString("weixin", "appid") != "" {
		pic, ct, err := s.MiniProgramCodes.MiniProgramCode(ctx, mp, ticket)
		if err != nil {
			return "", err
		}
		return "data:" + ct + ";base64," + base64.StdEncoding.EncodeToString(pic), nil
	}
	base := mp.Idco.QRLogin.URL
	if base == "" && s.Issuer != "" {
		base = strings.TrimSuffix(s.Issuer, "/") + "/qr"
	}
	if base == "" {
		return "", &apierr.Error{Code: apierr.ConfigFieldRequired, Values: map[string]string{"field": "idco.qrLogin.url"}}
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	if s.QRCodes == nil {
		return "", apierr.Systemf("no QR code drawer wired")
	}
	pic, err := s.QRCodes(base + sep + "t=" + ticket)
	if err != nil {
		return "", apierr.Systemf("draw qr code: %w", err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(pic), nil
}

// PollParams are pollQrLogin's params.
type PollParams struct {
	Ticket     string `json:"ticket"`
	PollSecret string `json:"pollSecret"`
}

// PollQrLogin handles pollQrLogin: the page that created the ticket (its
// pollSecret, app and device) waits up to 20 s for the ticket to leave
// the state it is in, looking every 500 ms with a consistent read, and
// answers the state: pending, scanned, confirmed, cancelled or expired.
// On confirmed the ticket is used up (a later poll reads expired) and the
// page is signed in: a new session of the user on its device, the
// envelope's newToken, with uid and type as a login's, and code (with
// codeExpiresIn) when the ticket asked for one. The session's token is
// made here, for the page, and never passes through the mini program.
func (s *Service) PollQrLogin(ctx context.Context, c *cloudobj.Call, p *PollParams) (any, error) {
	if err := required("ticket", p.Ticket, "pollSecret", p.PollSecret); err != nil {
		return nil, err
	}
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	t, _, err := s.readTicket(ctx, p.Ticket)
	if apierr.Is(err, apierr.QRTicketInvalid) {
		return qrState(QRExpired), nil
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(patDigest(p.PollSecret)), []byte(t.Poll)) != 1 ||
		t.AppID != c.Client.AppID || t.DeviceID != c.Client.DeviceID || t.Platform != c.Client.Platform {
		return nil, apierr.New(apierr.QRPollDenied)
	}
	if _, err := s.Counters.Hit(ctx, Window{"qr-poll:" + t.Poll, qrTicketTTL}, qrPollsPerTicket, s.now()); errors.Is(err, ErrLimited) {
		return nil, apierr.New(apierr.RateLimited).With("retryAfter", 1)
	} else if err != nil {
		return nil, storeErr("count qr polls", err)
	}
	state, err := s.awaitTicket(ctx, p.Ticket, t.State)
	if err != nil || state != QRConfirmed {
		return qrState(state), err
	}
	return s.signInByTicket(ctx, cfg, c, p.Ticket)
}

func qrState(state string) map[string]any { return map[string]any{"state": state} }

// awaitTicket returns the ticket's state once it is not from, or from
// after QRPollWait (less near the request's deadline).
func (s *Service) awaitTicket(ctx context.Context, ticket, from string) (string, error) {
	if from != QRPending && from != QRScanned {
		return from, nil
	}
	wait, every := s.QRPollWait, s.QRPollInterval
	if wait == 0 {
		wait = 20 * time.Second
	}
	if every == 0 {
		every = 500 * time.Millisecond
	}
	if dl, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(dl)-2*time.Second)
	}
	end := time.Now().Add(wait)
	for time.Now().Before(end) {
		select {
		case <-ctx.Done():
			return from, nil
		case <-time.After(min(every, time.Until(end))):
		}
		t, _, err := s.readTicket(ctx, ticket)
		if apierr.Is(err, apierr.QRTicketInvalid) {
			return QRExpired, nil
		}
		if err != nil {
			return "", err
		}
		if t.State != from {
			return t.State, nil
		}
	}
	return from, nil
}

// signInByTicket uses a confirmed ticket up and signs the page in as the
// user who confirmed it.
func (s *Service) signInByTicket(ctx context.Context, cfg *config.Config, c *cloudobj.Call, ticket string) (any, error) {
	data, err := s.Cache.CacheTake(ctx, qrKey(ticket), s.now())
	if errors.Is(err, ErrNotFound) {
		return qrState(QRExpired), nil // another poll used it first
	}
	if err != nil {
		return nil, storeErr("take qr ticket", err)
	}
	var t qrTicket
	if err := json.Unmarshal(data, &t); err != nil || t.State != QRConfirmed {
		return nil, apierr.Systemf("qr ticket taken in state %q", t.State)
	}
	u, err := s.Users.Get(ctx, t.Scanner)
	if errors.Is(err, ErrNotFound) {
		return nil, apierr.New(apierr.QRTicketInvalid)
	}
	if err != nil {
		return nil, storeErr("get user", err)
	}
	if !inApp(u, t.AppID) {
		return nil, apierr.New(apierr.AccountNotInApp)
	}
	now := s.now()
	res, err := s.login(ctx, cfg, c, u, loginOpts{typ: "login", set: func(u *User) {
		if t.RedirectURI != "" {
			grant(u, t.ClientID, t.Scopes, now)
		}
	}})
	if err != nil {
		return nil, err
	}
	lr := res.(LoginResult)
	out := map[string]any{"state": QRConfirmed, "uid": lr.UID, "type": lr.Type, "passwordConfirmed": lr.PasswordConfirmed}
	if t.RedirectURI != "" {
		code, err := s.IssueCode(ctx, &AuthCode{ClientID: t.ClientID, RedirectURI: t.RedirectURI, UID: u.UID, Scopes: t.Scopes,
			Nonce: t.Nonce, Challenge: t.Challenge, AuthAt: ms(now), Days: t.Days})
		if err != nil {
			return nil, err
		}
		out["code"], out["codeExpiresIn"] = code, int(codeTTL/time.Second)
	}
	c.Log("client", t.ClientID)
	return out, nil
}
