// Package frv adapts Aliyun's real-person verification (Cloudauth,
// shared/providers/cloudauth) to the account domain's FaceVerifier: it
// calls Cloudauth with the app's idco.frv AccessKey, scene and model, and
// maps its answers to uni-id's outcomes and errCodes. It is a package of its
// own so that the realname function links the Cloudauth client and no other
// provider's.
package frv

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/providers/cloudauth"
	"github.com/idco-dev/idco/shared/wiring"
)

// Aliyun implements account.FaceVerifier with Cloudauth. HTTP nil means
// http.DefaultClient, Now nil the wall clock (requests are dated with it).
type Aliyun struct {
	HTTP *http.Client
	Now  func() time.Time
}

var _ account.FaceVerifier = (*Aliyun)(nil)

// Wire adds face verification to a service (the realname function).
var Wire = wiring.Wire{Name: "frv", ThirdParty: true, Apply: apply}

func apply(_ context.Context, svc *account.Service, _ wiring.Runtime) error {
	svc.FaceVerify = &Aliyun{HTTP: &http.Client{Timeout: 5 * time.Second}, Now: svc.Now}
	return nil
}

func (a *Aliyun) client(f *config.FrvConfig) *cloudauth.Client {
	return &cloudauth.Client{Endpoint: f.Endpoint, AccessKeyID: f.AccessKeyID, AccessKeySecret: f.AccessKeySecret,
		HTTP: a.HTTP, Now: a.Now}
}

// StartFaceVerify implements account.FaceVerifier with InitFaceVerify.
func (a *Aliyun) StartFaceVerify(ctx context.Context, cfg *config.Config, r account.FaceVerifyStart) (string, error) {
	f := cfg.Idco.Frv
	if f == nil {
		return "", &apierr.Error{Code: apierr.ConfigFieldRequired, Values: map[string]string{"field": "idco.frv"}}
	}
	id, err := a.client(f).InitFaceVerify(ctx, cloudauth.InitRequest{SceneID: f.SceneID, OuterOrderNo: r.OrderNo,
		CertName: r.RealName, CertNo: r.IDCard, MetaInfo: r.MetaInfo, Model: f.Model})
	if err != nil {
		return "", classify(err)
	}
	return id, nil
}

// FaceVerifyResult implements account.FaceVerifier with DescribeFaceVerify:
// Code 424 or 403 is PROCESSING, Passed T SUCCESS, Passed F FAIL.
func (a *Aliyun) FaceVerifyResult(ctx context.Context, cfg *config.Config, certifyID string) (account.FaceVerifyOutcome, error) {
	f := cfg.Idco.Frv
	if f == nil {
		return 0, &apierr.Error{Code: apierr.ConfigFieldRequired, Values: map[string]string{"field": "idco.frv"}}
	}
	res, err := a.client(f).DescribeFaceVerify(ctx, f.SceneID, certifyID)
	switch {
	case errors.Is(err, cloudauth.ErrNotFinished):
		return account.FaceVerifyProcessing, nil
	case aliyunCode(err) == "427" || aliyunCode(err) == "418":
		// Refused by Aliyun's risk policy, or too many failed scans today:
		// this verification has failed.
		return account.FaceVerifyFailed, nil
	case aliyunCode(err) == "406":
		return 0, apierr.Wrap(apierr.FrvCertifyIDInvalid, err)
	case err != nil:
		return 0, classify(err)
	case res.Passed:
		return account.FaceVerifyPassed, nil
	}
	return account.FaceVerifyFailed, nil
}

// classify maps a Cloudauth failure: Aliyun down, busy or throttled, or the
// call timing out, is worth retrying; a refusal (bad scene, no permission,
// arrears, unsupported device) is a third-party error for the operator to
// read in the log.
//
// The refusals a user can act on keep uni-id's meaning (Aliyun's error
// code table): 401, a name or ID number Aliyun will not check, is
// uni-id-invalid-idcard; 418, too many failed scans today, is the daily
// limit; 414-416 (device, SDK or OS not supported) and 417 (the comparison
// source unavailable) fail the verification.
func classify(err error) error {
	if errors.Is(err, context.Canceled) || cloudauth.IsRetryable(err) {
		return apierr.Wrap(apierr.RetryLater, err)
	}
	switch aliyunCode(err) {
	case "401":
		return apierr.Wrap(apierr.InvalidIDCard, err)
	case "418":
		return apierr.Wrap(apierr.RealNameVerifyUpperLimit, err)
	case "414", "415", "416", "417":
		return apierr.Wrap(apierr.FrvFail, err)
	}
	return apierr.Wrap(apierr.ThirdPartyFailed, err)
}

// aliyunCode is the Code of a Cloudauth refusal answered with HTTP 200
// (Aliyun's business codes), or "".
func aliyunCode(err error) string {
	if e, ok := errors.AsType[*cloudauth.Error](err); ok && e.Status == http.StatusOK {
		return string(e.Code)
	}
	return ""
}
