package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/internal/lazyre"
	"github.com/idco-dev/idco/shared/sensitive"
)

// Face verification (实人认证): getFrvCertifyId registers the verification
// of a named person with the provider and hands the app the certifyId its
// face SDK scans with; getFrvAuthResult reads the outcome and, when the face
// matched, writes the account's realname_auth. What both share is here.

// FaceVerifier starts and reads face verifications at the provider the
// app's idco.frv names. Errors are *apierr.Error: uni-id-retry-later when
// the provider is down or busy, a third-party error when it refused.
type FaceVerifier interface {
	// StartFaceVerify registers the verification of r's person and returns
	// its certifyId.
	StartFaceVerify(ctx context.Context, cfg *config.Config, r FaceVerifyStart) (string, error)
	// FaceVerifyResult returns the outcome of certifyID.
	FaceVerifyResult(ctx context.Context, cfg *config.Config, certifyID string) (FaceVerifyOutcome, error)
}

// FaceVerifyStart is one verification to register.
type FaceVerifyStart struct {
	OrderNo  string // unique per verification: 32 hex characters
	RealName string
	IDCard   string // upper-case X
	MetaInfo string // the app's uni.getFacialRecognitionMetaInfo(), as sent
}

// FaceVerifyOutcome is how a verification stands.
type FaceVerifyOutcome int

// Outcomes, as uni-id's authState PROCESSING, SUCCESS and FAIL.
const (
	FaceVerifyProcessing FaceVerifyOutcome = iota
	FaceVerifyPassed
	FaceVerifyFailed
)

// frvRecordTTL is how long a started verification is kept: the provider's
// certifyId lives 30 minutes, and the app asks for the result right after
// the scan.
const frvRecordTTL = 40 * time.Minute

// frvRecord is a started verification, kept in the Cache under frvKey: whose
// it is, so only that account can claim its result (uni-id lets any caller
// claim any certifyId), and the sealed name and ID number the provider was
// given, which become realname_auth when the face matches.
type frvRecord struct {
	UID      string `json:"uid"`
	RealName string `json:"real_name,omitempty"` // sealed
	Identity string `json:"identity,omitempty"`  // sealed
	Digest   string `json:"identity_digest,omitempty"`
	Status   int    `json:"status"` // RealNameWaiting or RealNameFailed
	Created  int64  `json:"created_date"`
	Expires  int64  `json:"expires"`
}

func frvKey(certifyID string) string { return "frv:" + certifyID }

func (s *Service) putFrvRecord(ctx context.Context, certifyID string, r *frvRecord) error {
	data, err := json.Marshal(r)
	if err != nil {
		return apierr.Systemf("encode frv record: %w", err)
	}
	return storeErr("put frv record", s.Cache.CacheSet(ctx, frvKey(certifyID), data, time.UnixMilli(r.Expires)))
}

// frvRecordOf returns the caller's started verification certifyID, or
// uni-id-frv-certify-id-invalid when there is none, it has expired, or it
// is another account's: the answers are the same, so a caller cannot probe
// other people's certifyIds.
func (s *Service) frvRecordOf(ctx context.Context, certifyID, uid string) (*frvRecord, error) {
	data, err := s.Cache.CacheGet(ctx, frvKey(certifyID), s.now())
	if errors.Is(err, ErrNotFound) {
		return nil, apierr.Wrap(apierr.FrvCertifyIDInvalid, errors.New("unknown or expired certifyId"))
	}
	if err != nil {
		return nil, storeErr("get frv record", err)
	}
	var r frvRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, apierr.Systemf("decode frv record: %w", err)
	}
	if r.UID != uid {
		return nil, apierr.Wrap(apierr.FrvCertifyIDInvalid, fmt.Errorf("certifyId of account %s", r.UID))
	}
	return &r, nil
}

// frvSetup returns the app's config and the cipher of its
// sensitiveInfoEncryptSecret, or the config error naming what is missing.
//
// It also reads the caller, who must not be verified yet: uni-id refuses
// both methods then.
func (s *Service) frvSetup(ctx context.Context, c *cloudobj.Call) (*config.Config, *sensitive.Cipher, *User, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, nil, nil, err
	}
	if cfg.Idco.Frv == nil {
		return nil, nil, nil, &apierr.Error{Code: apierr.ConfigFieldRequired, Values: map[string]string{"field": "idco.frv"}}
	}
	if s.FaceVerify == nil {
		return nil, nil, nil, apierr.Systemf("idco.frv is set but this function has no face verification client")
	}
	ci, err := sensitiveCipher(cfg, s)
	if err != nil {
		return nil, nil, nil, err
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, nil, nil, err
	}
	if verified(u) {
		return nil, nil, nil, apierr.New(apierr.RealNameVerified)
	}
	return cfg, ci, u, nil
}

// verified reports a realname_auth that is done: uni-id refuses both
// methods then.
func verified(u *User) bool {
	return u.RealNameAuth != nil && u.RealNameAuth.AuthStatus == RealNameCertified
}

// idCardLimit is idCardCertifyLimit, how many accounts may verify with one
// ID number; 0 means uni-id's 1.
func idCardLimit(cfg *config.Config) int { return max(cfg.IDCardCertifyLimit, 1) }

// idCardKey is the unique key of one of an ID number's idCardLimit slots,
// named by its keyed digest so the keys table holds no ID number. Slot 0,
// the only one by default, is "idcard:<digest>".
func idCardKey(digest string, slot int) string {
	if slot == 0 {
		return "idcard:" + digest
	}
	return fmt.Sprintf("idcard:%s#%d", digest, slot)
}

// realNameRE is uni-id-co's realName rule: Chinese characters, optionally
// parts joined by a middle dot (少数民族姓名 such as 买买提·艾力).
var realNameRE = lazyre.New(`^[\x{4e00}-\x{9fa5}]{1,10}(·?[\x{4e00}-\x{9fa5}]{1,10}){0,5}$`)

// validRealName applies uni-id-co's realName rule: at least 2 characters
// matching realNameRE.
func validRealName(n string) error {
	if utf8.RuneCountInString(n) < 2 || !realNameRE.MatchString(n) {
		return apierr.New(apierr.InvalidRealName)
	}
	return nil
}

var idCardWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// validIDCard applies uni-id's checkIdCard: 18 characters whose last is the
// GB 11643 check character of the first 17 (X in either case). uni-id
// crashes on a letter among the first 17; here it is just invalid.
func validIDCard(id string) error {
	if len(id) != 18 {
		return apierr.New(apierr.InvalidIDCard)
	}
	sum := 0
	for i, w := range idCardWeights {
		if id[i] < '0' || id[i] > '9' {
			return apierr.New(apierr.InvalidIDCard)
		}
		sum += int(id[i]-'0') * w
	}
	last := id[17]
	if last == 'x' {
		last = 'X'
	}
	if "10X98765432"[sum%11] != last {
		return apierr.New(apierr.InvalidIDCard)
	}
	return nil
}
