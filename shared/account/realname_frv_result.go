package account

import (
	"context"
	"errors"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/internal/lazyre"
	"github.com/idco-dev/idco/shared/sensitive"
)

// GetFrvAuthResultParams are getFrvAuthResult's params.
type GetFrvAuthResultParams struct {
	CertifyID string `json:"certifyId"`
}

// FrvAuthResult is getFrvAuthResult's answer, as uni-id-co's: the status
// and the masked name and ID number.
type FrvAuthResult struct {
	AuthStatus int    `json:"authStatus"`
	RealName   string `json:"realName"`
	Identity   string `json:"identity"`
}

// frvPollsPerMinute bounds getFrvAuthResult's provider calls for one
// certifyId: the page asks once after the scan, and a few retries while it
// is processing are plenty.
const frvPollsPerMinute = 10

// isCode reports whether err is an *apierr.Error of code.
func isCode(err error, code string) bool {
	e, ok := errors.AsType[*apierr.Error](err)
	return ok && e.Code == code
}

// certifyIDRE bounds a certifyId to what providers issue (Aliyun: 32 or so
// letters and digits).
var certifyIDRE = lazyre.New(`^[A-Za-z0-9_-]{1,64}$`)

// GetFrvAuthResult handles getFrvAuthResult: it asks the provider how the
// caller's own verification certifyId went. Not finished is
// uni-id-frv-processing; a face that did not match is uni-id-frv-fail, and
// stays so. A match saves realname_auth (sealed name and ID number, and
// the ID number's slot key in the same transaction, so no more than
// idCardCertifyLimit accounts ever verify with one number) and answers the
// masked values. A certifyId that is unknown, expired or another account's
// is uni-id-frv-certify-id-invalid.
func (s *Service) GetFrvAuthResult(ctx context.Context, c *cloudobj.Call, p *GetFrvAuthResultParams) (any, error) {
	if err := required("certifyId", p.CertifyID); err != nil {
		return nil, err
	}
	if !certifyIDRE.MatchString(p.CertifyID) {
		return nil, apierr.Param(apierr.InvalidParam, "certifyId")
	}
	c.Log("certifyId", p.CertifyID)
	cfg, ci, u, err := s.frvSetup(ctx, c)
	if err != nil {
		return nil, err
	}
	rec, err := s.frvRecordOf(ctx, p.CertifyID, u.UID)
	if err != nil {
		return nil, err
	}
	if rec.Status == RealNameFailed {
		return nil, apierr.New(apierr.FrvFail)
	}
	// Every poll is a paid provider call under a per-account quota.
	if _, err := s.Counters.Hit(ctx, Window{"frv-poll:" + p.CertifyID, time.Minute}, frvPollsPerMinute, s.now()); errors.Is(err, ErrLimited) {
		return nil, apierr.New(apierr.RateLimited)
	} else if err != nil {
		return nil, storeErr("count polls", err)
	}
	outcome, err := s.FaceVerify.FaceVerifyResult(ctx, cfg, p.CertifyID)
	switch {
	case isCode(err, apierr.FrvCertifyIDInvalid):
		// Aliyun no longer knows it: the record is of no more use.
		if _, terr := s.Cache.CacheTake(ctx, frvKey(p.CertifyID), s.now()); terr != nil && !errors.Is(terr, ErrNotFound) {
			c.Log("frvRecordKept", terr.Error())
		}
		return nil, err
	case err != nil:
		return nil, err
	case outcome == FaceVerifyProcessing:
		return nil, apierr.New(apierr.FrvProcessing)
	case outcome == FaceVerifyFailed:
		// Kept as failed, without the personal data, until it expires.
		failed := &frvRecord{UID: rec.UID, Status: RealNameFailed, Created: rec.Created, Expires: rec.Expires}
		if err := s.putFrvRecord(ctx, p.CertifyID, failed); err != nil {
			return nil, err
		}
		return nil, apierr.New(apierr.FrvFail)
	}
	name, err1 := ci.Open(rec.RealName)
	id, err2 := ci.Open(rec.Identity)
	if err := errors.Join(err1, err2); err != nil {
		return nil, apierr.Systemf("open frv record: wrong sensitiveInfoEncryptSecret?")
	}
	if err := s.saveRealName(ctx, c, u, idCardLimit(cfg), rec); err != nil {
		return nil, err
	}
	// The record has served; TTL would remove it later, this removes it now.
	if _, err := s.Cache.CacheTake(ctx, frvKey(p.CertifyID), s.now()); err != nil && !errors.Is(err, ErrNotFound) {
		c.Log("frvRecordKept", err.Error())
	}
	return FrvAuthResult{AuthStatus: RealNameCertified, RealName: sensitive.MaskName(name), Identity: sensitive.MaskID(id)}, nil
}

// saveRealName writes rec as the caller's realname_auth, claiming the first
// free slot of its ID number: a slot taken meanwhile moves on to the next,
// and with none left it is uni-id-idcard-exists.
func (s *Service) saveRealName(ctx context.Context, c *cloudobj.Call, u *User, limit int, rec *frvRecord) error {
	now := ms(s.now())
	for slot := 0; ; slot++ {
		_, err := s.updateCaller(ctx, c, u, func(u *User) error {
			if verified(u) {
				return apierr.New(apierr.RealNameVerified)
			}
			u.RealNameAuth = &RealNameAuth{Type: 0, AuthStatus: RealNameCertified, AuthDate: now,
				RealName: rec.RealName, Identity: rec.Identity, IdentityDigest: rec.Digest, IdentitySlot: slot}
			return nil
		})
		if apierr.Is(err, apierr.IDCardExists) && slot+1 < limit {
			continue
		}
		return err
	}
}
