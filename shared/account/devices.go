package account

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
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
// does (logout, password change, ban, expiry). The same id or device on the
// caller's other sessions is cleared, so a device is listed once.
//
// A device that moves to another account without logging out (a failed
// logout request) still carries the old session's id until that session
// ends: uni-id's device table moves it at once. Closing that gap needs a
// device index across accounts (noted on the issue).
func (s *Service) SetPushCid(ctx context.Context, c *cloudobj.Call, p *SetPushCidParams) (any, error) {
	if err := sessionOnly(c); err != nil {
		return nil, err
	}
	if err := required("pushClientId", p.PushClientID); err != nil {
		return nil, err
	}
	if len(p.PushClientID) > 128 {
		return nil, apierr.Param(apierr.InvalidParam, "pushClientId")
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	if !pushChange(u, c.Auth.SessionID, c.Client.DeviceID, p.PushClientID) {
		return nil, nil
	}
	_, err = s.updateCaller(ctx, c, u, func(u *User) error {
		for id, other := range u.Sessions {
			if id != c.Auth.SessionID && (other.PushClientID == p.PushClientID ||
				(c.Client.DeviceID != "" && other.DeviceID == c.Client.DeviceID)) {
				other.PushClientID = ""
				u.Sessions[id] = other
			}
		}
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

// pushChange reports whether setting cid on session sid changes u: every
// token refresh calls setPushCid, mostly with what is already stored.
func pushChange(u *User, sid, deviceID, cid string) bool {
	ss := u.Sessions[sid]
	if ss.PushClientID != cid || (deviceID != "" && ss.DeviceID != deviceID) {
		return true
	}
	for id, other := range u.Sessions {
		if id != sid && other.PushClientID != "" && (other.PushClientID == cid || (deviceID != "" && other.DeviceID == deviceID)) {
			return true
		}
	}
	return false
}

// Device is one logged-in device of listDevices' answer: uni-id-device's
// fields, and whether it is the caller's own.
type Device struct {
	// ID names the session for endSession: a digest of its id, so the
	// list never shows what a token carries.
	ID           string `json:"id"`
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
		if ss.Expires <= now || ss.ClientID != "" { // apps: getAuthorizations
			continue
		}
		devices = append(devices, Device{ID: sessionHandle(id), DeviceID: ss.DeviceID, Platform: ss.Platform, AppID: ss.AppID,
			PushClientID: ss.PushClientID, TokenExpired: ss.Expires, LoginDate: ss.Created,
			Current: id == c.Auth.SessionID})
	}
	slices.SortFunc(devices, func(a, b Device) int { return cmp.Compare(b.LoginDate, a.LoginDate) })
	return map[string]any{"devices": devices}, nil
}

// sessionHandle is the name listDevices gives a session.
func sessionHandle(sid string) string {
	h := sha256.Sum256([]byte("idco session " + sid))
	return hex.EncodeToString(h[:8])
}

// EndSessionParams are endSession's params: a session's id from
// listDevices.
type EndSessionParams struct {
	ID string `json:"id"`
}

// EndSession handles endSession (idco's): the caller ends one of their
// sessions, another device's or their own (a logout); its tokens stop
// working at once. An id of no live session is uni-id-invalid-param.
func (s *Service) EndSession(ctx context.Context, c *cloudobj.Call, p *EndSessionParams) (any, error) {
	if err := sessionOnly(c); err != nil {
		return nil, err
	}
	if err := required("id", p.ID); err != nil {
		return nil, err
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	_, err = s.updateCaller(ctx, c, u, func(u *User) error {
		for sid := range u.Sessions {
			if subtle.ConstantTimeCompare([]byte(sessionHandle(sid)), []byte(p.ID)) == 1 {
				delete(u.Sessions, sid)
				return nil
			}
		}
		return apierr.Param(apierr.InvalidParam, "id")
	})
	return nil, err
}
