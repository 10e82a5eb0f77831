package account

import (
	"context"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/sensitive"
)

// RealNameAuth is uni-id's realname_auth: the outcome of real-name
// verification. RealName and Identity are sealed (package sensitive);
// IdentityDigest (idco's) tells equal ID numbers apart without them.
type RealNameAuth struct {
	Type           int    `json:"type"`
	AuthStatus     int    `json:"auth_status"`
	AuthDate       int64  `json:"auth_date,omitempty"`
	RealName       string `json:"real_name,omitempty"`
	Identity       string `json:"identity,omitempty"`
	IdentityDigest string `json:"identity_digest,omitempty"`
	// IdentitySlot (idco's) is which of the ID number's idCardCertifyLimit
	// unique keys the account holds (idCardKey).
	IdentitySlot int    `json:"identity_slot,omitempty"`
	InHand       string `json:"in_hand,omitempty"`
}

// Real-name status values, as uni-id's REAL_NAME_STATUS.
const (
	RealNameNone      = 0
	RealNameWaiting   = 1
	RealNameCertified = 2
	RealNameFailed    = 3
)

// GetRealNameInfoParams are getRealNameInfo's params. uni-id answers the
// sealed values when decryptData is false; idco answers masked values
// always, so sealed data never leaves the server.
type GetRealNameInfoParams struct {
	DecryptData *bool `json:"decryptData"`
}

// RealNameInfo is getRealNameInfo's answer: the name and ID number masked.
type RealNameInfo struct {
	Type       int    `json:"type"`
	AuthStatus int    `json:"authStatus"`
	RealName   string `json:"realName"`
	Identity   string `json:"identity"`
}

// GetRealNameInfo handles getRealNameInfo, which uni-id-pages' store calls
// after every login: the caller's verification status, with the name masked
// to its last character and the ID number to its first and last.
func (s *Service) GetRealNameInfo(ctx context.Context, c *cloudobj.Call, _ *GetRealNameInfoParams) (any, error) {
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	ra := u.RealNameAuth
	if ra == nil {
		return RealNameInfo{}, nil
	}
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	ci, err := sensitiveCipher(cfg, s)
	if err != nil {
		return nil, err
	}
	name, err1 := ci.Open(ra.RealName)
	id, err2 := ci.Open(ra.Identity)
	if err1 != nil || err2 != nil {
		return nil, apierr.Systemf("open realname_auth of %s: wrong sensitiveInfoEncryptSecret?", u.UID)
	}
	return RealNameInfo{Type: ra.Type, AuthStatus: ra.AuthStatus,
		RealName: sensitive.MaskName(name), Identity: sensitive.MaskID(id)}, nil
}

// sensitiveCipher returns the cipher of cfg's sensitiveInfoEncryptSecret,
// or uni-id's config errors when it is missing.
func sensitiveCipher(cfg *config.Config, s *Service) (*sensitive.Cipher, error) {
	if cfg.SensitiveInfoEncryptSecret == "" {
		return nil, &apierr.Error{Code: apierr.ConfigFieldRequired,
			Values: map[string]string{"field": "sensitiveInfoEncryptSecret"}}
	}
	ci, err := sensitive.New(cfg.SensitiveInfoEncryptSecret, s.Rand)
	if err != nil {
		return nil, &apierr.Error{Code: apierr.ConfigFieldInvalid,
			Values: map[string]string{"field": "sensitiveInfoEncryptSecret"}, Cause: err}
	}
	return ci, nil
}
