package account

import (
	"context"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
)

// TicketParams are the mini program's params: the ticket it scanned (a
// mini-program code's scene, or the t of a drawn code's URL).
type TicketParams struct {
	Ticket string `json:"ticket"`
}

// QRScope is a scope as the mini program shows it.
type QRScope struct {
	Scope string `json:"scope"`
	Text  string `json:"text"`
}

// QRLoginInfo is getQrLoginInfo's answer: the app that asks, what for,
// and the web page it asks from, for the user to recognise.
type QRLoginInfo struct {
	State     string    `json:"state"`
	ClientID  string    `json:"clientId"`
	Name      string    `json:"name"`
	Logo      string    `json:"logo,omitempty"`
	Website   string    `json:"website,omitempty"`
	Scopes    []QRScope `json:"scopes"`
	Platform  string    `json:"platform"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"userAgent,omitempty"`
	ExpiresIn int       `json:"expiresIn"`
}

// GetQrLoginInfo handles getQrLoginInfo: the mini-program user who scanned
// a ticket marks it scanned (theirs: nobody else may then confirm it) and
// reads the app's name, logo, website and scope texts, and where the web
// page asks from. Reading it again is allowed to the same user only.
func (s *Service) GetQrLoginInfo(ctx context.Context, c *cloudobj.Call, p *TicketParams) (any, error) {
	u, cl, err := s.qrScanner(ctx, c, p.Ticket)
	if err != nil {
		return nil, err
	}
	t, err := s.moveTicket(ctx, p.Ticket, func(t *qrTicket) error {
		switch {
		case t.State == QRScanned && t.Scanner == u.UID:
			return errNoWrite
		case t.State == QRScanned:
			return apierr.New(apierr.QRTicketTaken)
		case t.State != QRPending:
			return apierr.New(apierr.QRTicketDone)
		}
		t.State, t.Scanner = QRScanned, u.UID
		return nil
	})
	if err != nil {
		return nil, err
	}
	info := QRLoginInfo{State: t.State, ClientID: cl.ID, Name: cl.Name, Logo: cl.Logo, Website: cl.Website,
		Platform: t.Platform, IP: t.IP, UserAgent: t.UserAgent, ExpiresIn: int(time.UnixMilli(t.Expires).Sub(s.now()) / time.Second)}
	for _, sc := range t.Scopes {
		info.Scopes = append(info.Scopes, QRScope{Scope: sc, Text: ScopeText(sc, c.Locale)})
	}
	return info, nil
}

// ConfirmQrLogin handles confirmQrLogin: the user who scanned the ticket
// signs the web page in. Only that user may, once; the page's next poll
// receives the session.
func (s *Service) ConfirmQrLogin(ctx context.Context, c *cloudobj.Call, p *TicketParams) (any, error) {
	return s.settleTicket(ctx, c, p.Ticket, QRConfirmed)
}

// CancelQrLogin handles cancelQrLogin: the user who scanned the ticket
// refuses; the page's poll answers cancelled and the ticket is of no
// more use.
func (s *Service) CancelQrLogin(ctx context.Context, c *cloudobj.Call, p *TicketParams) (any, error) {
	return s.settleTicket(ctx, c, p.Ticket, QRCancelled)
}

// settleTicket moves a ticket the caller scanned to state.
func (s *Service) settleTicket(ctx context.Context, c *cloudobj.Call, ticket, state string) (any, error) {
	u, _, err := s.qrScanner(ctx, c, ticket)
	if err != nil {
		return nil, err
	}
	if _, err := s.moveTicket(ctx, ticket, func(t *qrTicket) error {
		if err := scannedBy(t, u.UID); err != nil {
			return err
		}
		t.State = state
		return nil
	}); err != nil {
		return nil, err
	}
	c.Log("qrLogin", state)
	return map[string]any{"state": state}, nil
}

// qrScanner checks the mini-program side of a call: a session (not a
// personal access token) of a user of the ticket's app, who has logged in
// with that app's WeChat mini program (an mp openid: the WeChat identity
// that confirms), calling from that app. It returns the user and the
// ticket's client.
func (s *Service) qrScanner(ctx context.Context, c *cloudobj.Call, ticket string) (*User, *OAuthClient, error) {
	if err := sessionOnly(c); err != nil {
		return nil, nil, err
	}
	if err := required("ticket", ticket); err != nil {
		return nil, nil, err
	}
	if _, err := s.cfg(c); err != nil {
		return nil, nil, err
	}
	t, _, err := s.readTicket(ctx, ticket)
	if err != nil {
		return nil, nil, err
	}
	cl, err := s.Client(ctx, t.ClientID)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case c.Client.AppID != t.AppID || !inApp(u, t.AppID):
		return nil, nil, apierr.New(apierr.AccountNotInApp)
	case u.WxOpenid["mp_"+t.AppID] == "":
		return nil, nil, apierr.New(apierr.PermissionError)
	}
	c.Log("uid", u.UID)
	return u, cl, nil
}
