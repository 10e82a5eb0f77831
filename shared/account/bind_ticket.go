package account

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
)

// bindTicketTTL is how long a bind ticket can be redeemed.
const bindTicketTTL = 10 * time.Minute

// ticket is what a bind ticket stands for: a verified identity of one app.
type ticket struct {
	Provider, Sub, OpenID, UnionID, AppID, DeviceID string
}

// issueBindTicket answers an unknown identity under the bind-first policy:
// uni-id-bind-required with a single-use ticket, to be sent back as
// bindTicket by a login or a registration, which then binds the identity.
func (s *Service) issueBindTicket(ctx context.Context, cfg *config.Config, c *cloudobj.Call, id *Identity) error {
	if s.Cache == nil {
		return apierr.Systemf("bind tickets need the cache")
	}
	if c.Client.DeviceID == "" {
		// The ticket is bound to the device that proved the identity.
		return apierr.Param(apierr.ParamRequired, "clientInfo.deviceId")
	}
	var b [32]byte
	if _, err := io.ReadFull(s.rand(), b[:]); err != nil {
		return apierr.Systemf("random ticket: %w", err)
	}
	raw := hex.EncodeToString(b[:])
	data, _ := json.Marshal(ticket{Provider: id.Provider, Sub: id.Sub, OpenID: id.OpenID, UnionID: id.UnionID,
		AppID: c.Client.AppID, DeviceID: c.Client.DeviceID})
	if err := s.Cache.CacheSet(ctx, ticketKey(raw), data, s.now().Add(bindTicketTTL)); err != nil {
		return storeErr("store bind ticket", err)
	}
	return apierr.New(apierr.BindRequired).With("bindTicket", raw).With("expiresIn", int(bindTicketTTL.Seconds()))
}

// ticketKey stores tickets by hash, so the table holds nothing redeemable.
func ticketKey(raw string) string {
	h := sha256.Sum256([]byte(raw))
	return "bind-ticket:" + hex.EncodeToString(h[:])
}

// redeem takes a bind ticket (once) and returns its identity.
func (s *Service) redeem(ctx context.Context, c *cloudobj.Call, raw string) (*Identity, error) {
	if s.Cache == nil {
		return nil, apierr.New(apierr.BindTicketInvalid)
	}
	data, err := s.Cache.CacheTake(ctx, ticketKey(raw), s.now())
	if errors.Is(err, ErrNotFound) {
		return nil, apierr.New(apierr.BindTicketInvalid)
	}
	if err != nil {
		return nil, storeErr("take bind ticket", err)
	}
	var t ticket
	// Only the device that proved the identity may bind it, so a ticket
	// handed to someone else (a link with bindTicket) binds nothing.
	if err := json.Unmarshal(data, &t); err != nil || t.AppID != c.Client.AppID || t.DeviceID != c.Client.DeviceID {
		return nil, apierr.New(apierr.BindTicketInvalid)
	}
	return &Identity{Provider: t.Provider, Sub: t.Sub, OpenID: t.OpenID, UnionID: t.UnionID}, nil
}

// withTicket returns a function that attaches a redeemed ticket's identity
// to a user, or nil when no ticket was sent.
func (s *Service) withTicket(ctx context.Context, c *cloudobj.Call, raw string) (func(u *User), error) {
	if raw == "" {
		return nil, nil
	}
	id, err := s.redeem(ctx, c, raw)
	if err != nil {
		return nil, err
	}
	c.Log("bindTicket", id.Provider)
	return func(u *User) { s.attach(u, id, c.Client.AppID) }, nil
}
