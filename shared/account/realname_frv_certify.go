package account

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/sensitive"
)

// GetFrvCertifyIDParams are getFrvCertifyId's params.
type GetFrvCertifyIDParams struct {
	RealName string `json:"realName"`
	IDCard   string `json:"idCard"`
	MetaInfo string `json:"metaInfo"`
}

// FrvCertifyID is getFrvCertifyId's answer.
type FrvCertifyID struct {
	CertifyID string `json:"certifyId"`
}

// maxMetaInfo bounds metaInfo, a JSON object of a few hundred bytes that
// describes the app's face SDK and device.
const maxMetaInfo = 4096

// GetFrvCertifyID handles getFrvCertifyId: for a caller not yet verified,
// whose ID number has a free slot (idCardCertifyLimit accounts per number)
// and who has started fewer than realNameCertifyLimit verifications today,
// it registers the verification with the provider and returns the certifyId
// for uni.startFacialRecognitionVerify. The name and ID number are kept
// sealed until getFrvAuthResult, never in the clear.
func (s *Service) GetFrvCertifyID(ctx context.Context, c *cloudobj.Call, p *GetFrvCertifyIDParams) (any, error) {
	if err := validFrvStart(p); err != nil {
		return nil, err
	}
	idCard := strings.ToUpper(p.IDCard) // x and X are one number
	cfg, ci, u, err := s.frvSetup(ctx, c)
	if err != nil {
		return nil, err
	}
	// Today's attempt is reserved before anything else, atomically, so
	// parallel starts never reach the provider beyond the limit, and
	// given back if the start then fails, so a fault costs the user none.
	now := s.now()
	day, limit := frvDay(u.UID, now), frvDailyLimit(cfg)
	if _, err := s.Counters.Hit(ctx, day, limit, now); errors.Is(err, ErrLimited) {
		return nil, apierr.New(apierr.RealNameVerifyUpperLimit)
	} else if err != nil {
		return nil, storeErr("count verification", err)
	}
	res, err := s.startFrv(ctx, cfg, ci, c, u, p.RealName, idCard, p.MetaInfo, now)
	if err != nil && !refusalCounts(err) {
		if uerr := s.Counters.Unhit(context.WithoutCancel(ctx), day, now); uerr != nil {
			c.Log("unhitError", uerr.Error())
		}
	}
	return res, err
}

// refusalCounts reports the refusals that keep the day's attempt: a number
// already verified elsewhere (so the answer cannot be asked for free).
func refusalCounts(err error) bool {
	e, ok := errors.AsType[*apierr.Error](err)
	return ok && e.Code == apierr.IDCardExists
}

// startFrv registers a verification with the provider and keeps its record.
// A number already verified by other accounts is refused here only without
// enumeration protection; with it, the refusal comes when the result is
// saved, after the number's owner passed the face scan, so the answer tells
// a stranger nothing.
func (s *Service) startFrv(ctx context.Context, cfg *config.Config, ci *sensitive.Cipher, c *cloudobj.Call, u *User, realName, idCard, metaInfo string, now time.Time) (any, error) {
	digest := ci.Digest(idCard)
	if !cfg.EnumerationProtected() {
		if err := s.idCardFree(ctx, idCardLimit(cfg), digest); err != nil {
			return nil, err
		}
	}
	order, err := s.orderNo()
	if err != nil {
		return nil, err
	}
	certifyID, err := s.FaceVerify.StartFaceVerify(ctx, cfg, FaceVerifyStart{OrderNo: order,
		RealName: realName, IDCard: idCard, MetaInfo: metaInfo})
	if err != nil {
		return nil, err
	}
	c.Log("certifyId", certifyID)
	name, err1 := ci.Seal(realName)
	id, err2 := ci.Seal(idCard)
	if err := errors.Join(err1, err2); err != nil {
		return nil, apierr.Systemf("seal realname: %w", err)
	}
	rec := &frvRecord{UID: u.UID, RealName: name, Identity: id, Digest: digest, Status: RealNameWaiting,
		Created: ms(now), Expires: ms(now.Add(frvRecordTTL))}
	if err := s.putFrvRecord(ctx, certifyID, rec); err != nil {
		return nil, err
	}
	return FrvCertifyID{CertifyID: certifyID}, nil
}

// validFrvStart checks the params in uni-id-co's schema order (realName,
// idCard, metaInfo), each first for presence.
func validFrvStart(p *GetFrvCertifyIDParams) error {
	if err := required("realName", p.RealName); err != nil {
		return err
	}
	if err := validRealName(p.RealName); err != nil {
		return err
	}
	if err := required("idCard", p.IDCard); err != nil {
		return err
	}
	if err := validIDCard(p.IDCard); err != nil {
		return err
	}
	if err := required("metaInfo", p.MetaInfo); err != nil {
		return err
	}
	if len(p.MetaInfo) > maxMetaInfo {
		return apierr.Param(apierr.InvalidParam, "metaInfo")
	}
	return nil
}

// idCardFree returns uni-id-idcard-exists when every slot of the ID number
// already belongs to an account. uni-id counts the verified accounts with a
// query; idco reads the slots' keys, which the verified accounts claimed in
// the transaction that saved their realname_auth.
func (s *Service) idCardFree(ctx context.Context, limit int, digest string) error {
	for slot := range limit {
		_, err := s.Users.Owner(ctx, idCardKey(digest, slot))
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return storeErr("idcard owner", err)
		}
	}
	return apierr.New(apierr.IDCardExists)
}

// frvDay is the count of an account's verifications started on now's
// day. uni-id counts a day from midnight in UTC+8
// (getCurrentDateTimestamp), a calendar day, not any 24 hours: the date is
// part of the key, so each day's count starts afresh at that midnight.
func frvDay(uid string, now time.Time) Window {
	date := now.Add(8 * time.Hour).UTC().Format("20060102")
	return Window{Key: "frv-day:" + uid + ":" + date, Size: 24 * time.Hour}
}

// frvDailyLimit is realNameCertifyLimit; 0 means uni-id's 5.
func frvDailyLimit(cfg *config.Config) int {
	if cfg.RealNameCertifyLimit <= 0 {
		return 5
	}
	return cfg.RealNameCertifyLimit
}

// orderNo returns a fresh OuterOrderNo: 32 hex characters.
func (s *Service) orderNo() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(s.rand(), b[:]); err != nil {
		return "", apierr.Systemf("random order number: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
