package account

import (
	"cmp"
	"context"
	"slices"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
)

// SetPushCidParams are setPushCid's params.
type SetPushCidParams struct {
	PushClientID string `json:"pushClientId"`
}

// SetPushCid handles setPushCid: the uni-push client id of the caller's
// device. uni-id keeps it in uni-id-device (device id, user, push client id,
// token expiry, app); idco keeps it on the caller's session, which already
// holds the device id, the app and the expiry, so it goes when the session
// does (logout, password change, ban) and a device that moved to another
// account is never listed under the old one.
func (s *Service) SetPushCid(ctx context.Context, c *cloudobj.Call, p *SetPushCidParams) (any, error) {
	if err := required("pushClientId", p.PushClientID); err != nil {
		return nil, err
	}
	if len(p.PushClientID) > 128 {
		return nil, apierr.New(apierr.InvalidParam)
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	ss := u.Sessions[c.Auth.SessionID]
	if ss.PushClientID == p.PushClientID && ss.DeviceID == c.Client.DeviceID {
		return nil, nil
	}
	_, err = s.updateCaller(ctx, c, u, func(u *User) error {
		ss := u.Sessions[c.Auth.SessionID]
		ss.PushClientID, ss.PushUpdated = p.PushClientID, ms(s.now())
		if c.Client.DeviceID != "" {
			ss.DeviceID = c.Client.DeviceID
		}
		u.Sessions[c.Auth.SessionID] = ss
		return nil
	})
	return nil, err
}

// Device is one logged-in device of listDevices' answer: uni-id-device's
// fields, and whether it is the caller's own.
type Device struct {
	DeviceID     string `json:"device_id"`
	Platform     string `json:"uni_platform"`
	AppID        string `json:"appid"`
	PushClientID string `json:"push_clientid,omitempty"`
	TokenExpired int64  `json:"token_expired"`
	LoginDate    int64  `json:"login_date"`
	Current      bool   `json:"current"`
}

// ListDevices handles listDevices (idco's): the caller's live sessions as
// uni-id-device records, newest first.
func (s *Service) ListDevices(ctx context.Context, c *cloudobj.Call, _ *NoParams) (any, error) {
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	now := ms(s.now())
	devices := []Device{}
	for id, ss := range u.Sessions {
		if ss.Expires <= now {
			continue
		}
		devices = append(devices, Device{DeviceID: ss.DeviceID, Platform: ss.Platform, AppID: ss.AppID,
			PushClientID: ss.PushClientID, TokenExpired: ss.Expires, LoginDate: ss.Created,
			Current: id == c.Auth.SessionID})
	}
	slices.SortFunc(devices, func(a, b Device) int { return cmp.Compare(b.LoginDate, a.LoginDate) })
	return map[string]any{"devices": devices}, nil
}
