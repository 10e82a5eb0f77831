// Package cloudauth is a thin client of Aliyun's real-person verification
// (实人认证, Cloudauth API version 2019-03-07), the service behind
// uni-app's uni.startFacialRecognitionVerify: the app's face SDK (ZIM,
// AliyunFaceAuthFacade.verify) scans a face against a certifyId, and the
// certifyId may come from the operator's own Aliyun account.
//
// InitFaceVerify registers the verification of a named person (product
// ID_PRO, a mainland identity card) with the client's metaInfo and returns
// its CertifyId; DescribeFaceVerify reads the outcome once the face has been
// scanned. Both are RPC-style calls to cloudauth.aliyuncs.com, signed with
// ACS3-HMAC-SHA256 (shared/internal/acs3), params in the query.
//
// Answers are HTTP 200 with {"RequestId", "Code", "Message",
// "ResultObject"}, Code a string: "200" is success; DescribeFaceVerify
// answers "424" or "403" while the person has not finished; the other codes
// (400-418) refuse the request (parameters, scene, permissions, arrears,
// unsupported device or SDK), and "500" is Aliyun's system error. Gateway
// failures (signature, unknown key, throttling) come with an HTTP error
// status and Alibaba Cloud's error document {"RequestId", "HostId", "Code",
// "Message"}.
//
// The official SDK is not used: it pulls in a large dependency tree for two
// calls. Errors never hold the AccessKey secret, the name, the ID number or
// the request URL (which holds them).
package cloudauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/internal/acs3"
	"github.com/idco-dev/idco/shared/internal/flex"
	"github.com/idco-dev/idco/shared/internal/httpcall"
	"github.com/idco-dev/idco/shared/internal/lazyre"
)

// API constants.
const (
	// DefaultEndpoint is Cloudauth's endpoint for mainland China.
	DefaultEndpoint = "cloudauth.aliyuncs.com"
	// Version is the API version of InitFaceVerify and DescribeFaceVerify.
	Version = "2019-03-07"
	// ProductCode is the product of app face verification against the
	// authoritative identity data (金融级实人认证, ID_PRO).
	ProductCode = "ID_PRO"
	// CertType is a mainland resident identity card.
	CertType = "IDENTITY_CARD"
	// DefaultTimeout bounds one call when Client.Timeout is zero.
	DefaultTimeout = 5 * time.Second
)

// maxBody caps what is read: an answer is well under 4 KiB (a
// DescribeFaceVerify MaterialInfo holds a few picture URLs).
const maxBody = 64 << 10

// Client calls Cloudauth with one AccessKey. Endpoint is a host or a base
// URL without a path; empty means DefaultEndpoint. The zero values of HTTP,
// Timeout, Now and Rand mean http.DefaultClient, DefaultTimeout, time.Now
// and crypto/rand.Reader. A Client is safe for concurrent use.
type Client struct {
	Endpoint        string
	AccessKeyID     string
	AccessKeySecret string
	HTTP            *http.Client
	Timeout         time.Duration
	Now             func() time.Time
	Rand            io.Reader
}

// InitRequest is one InitFaceVerify.
type InitRequest struct {
	SceneID      int64  // the scene created in the Cloudauth console
	OuterOrderNo string // the caller's unique id of this verification: 1 to 32 letters and digits
	CertName     string // the person's name
	CertNo       string // their 18-character identity card number
	MetaInfo     string // uni.getFacialRecognitionMetaInfo()'s string, as the app sent it
	Model        string // optional liveness model (LIVENESS, PHOTINUS_LIVENESS, ...)
}

// Result is DescribeFaceVerify's verdict on a finished verification.
type Result struct {
	Passed    bool
	SubCode   string // Aliyun's reason, such as "200" or "205"
	RequestID string
}

// ErrNotFinished is DescribeFaceVerify's answer while the face scan has not
// ended (Code 424 or 403): ask again later.
var ErrNotFinished = errors.New("cloudauth: face verification not finished")

var (
	orderNoRE   = lazyre.New(`^[A-Za-z0-9]{1,32}$`)
	certifyIDRE = lazyre.New(`^[A-Za-z0-9_-]{1,64}$`)
)

// InitFaceVerify registers r and returns its CertifyId, which the app's face
// SDK scans with. Errors are *Error when Aliyun refused, and retryable
// (IsRetryable) for transport failures, timeouts, 5xx and throttling.
func (c *Client) InitFaceVerify(ctx context.Context, r InitRequest) (string, error) {
	switch {
	case r.SceneID <= 0:
		return "", errors.New("cloudauth: InitFaceVerify needs a SceneId")
	case !orderNoRE.MatchString(r.OuterOrderNo):
		return "", errors.New("cloudauth: OuterOrderNo must be 1 to 32 letters and digits")
	case r.CertName == "" || r.CertNo == "" || r.MetaInfo == "":
		return "", errors.New("cloudauth: InitFaceVerify needs CertName, CertNo and MetaInfo")
	}
	params := [][2]string{
		{"SceneId", strconv.FormatInt(r.SceneID, 10)}, {"OuterOrderNo", r.OuterOrderNo},
		{"ProductCode", ProductCode}, {"CertType", CertType},
		{"CertName", r.CertName}, {"CertNo", r.CertNo}, {"MetaInfo", r.MetaInfo},
	}
	if r.Model != "" {
		params = append(params, [2]string{"Model", r.Model})
	}
	res, err := c.call(ctx, "InitFaceVerify", params, r.CertName, r.CertNo, r.MetaInfo)
	if err != nil {
		return "", err
	}
	var out struct {
		CertifyID string `json:"CertifyId"`
	}
	if json.Unmarshal(res, &out) != nil || !certifyIDRE.MatchString(out.CertifyID) {
		return "", errors.New("cloudauth: InitFaceVerify answer has no usable CertifyId")
	}
	return out.CertifyID, nil
}

// DescribeFaceVerify returns the verdict on certifyID, or ErrNotFinished
// while the scan has not ended. Other errors are as InitFaceVerify's.
func (c *Client) DescribeFaceVerify(ctx context.Context, sceneID int64, certifyID string) (*Result, error) {
	if sceneID <= 0 || !certifyIDRE.MatchString(certifyID) {
		return nil, errors.New("cloudauth: DescribeFaceVerify needs a SceneId and a CertifyId")
	}
	params := [][2]string{{"SceneId", strconv.FormatInt(sceneID, 10)}, {"CertifyId", certifyID}}
	res, err := c.call(ctx, "DescribeFaceVerify", params)
	if e, ok := errors.AsType[*Error](err); ok && e.Status == http.StatusOK && (e.Code == "424" || e.Code == "403") {
		return nil, fmt.Errorf("%w (code %s, request %s)", ErrNotFinished, e.Code, e.RequestID)
	}
	if err != nil {
		return nil, err
	}
	// MaterialInfo and IdentityInfo (face pictures, personal data) are
	// deliberately not decoded.
	var out struct {
		Passed  string `json:"Passed"`
		SubCode string `json:"SubCode"`
	}
	if json.Unmarshal(res, &out) != nil || out.Passed != "T" && out.Passed != "F" {
		return nil, errors.New("cloudauth: DescribeFaceVerify answer has no Passed T or F")
	}
	return &Result{Passed: out.Passed == "T", SubCode: out.SubCode}, nil
}

// answer is both an API answer and Alibaba Cloud's error document.
type answer struct {
	RequestID    string          `json:"RequestId"`
	Code         flex.String     `json:"Code"`
	Message      string          `json:"Message"`
	ResultObject json.RawMessage `json:"ResultObject"`
}

// call sends one signed action and returns the ResultObject of a Code "200"
// answer. sensitive values are masked out of Aliyun's messages.
func (c *Client) call(ctx context.Context, action string, params [][2]string, sensitive ...string) (json.RawMessage, error) {
	if c.AccessKeyID == "" || c.AccessKeySecret == "" {
		return nil, errors.New("cloudauth: Client AccessKey is not configured")
	}
	base, err := httpcall.BaseURL(c.Endpoint, DefaultEndpoint)
	if err != nil {
		return nil, fmt.Errorf("cloudauth: Client.Endpoint %v", err)
	}
	nonce, err := acs3.Nonce(c.Rand)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(c.Timeout, DefaultTimeout))
	defer cancel()
	req, err := acs3.NewRequest(ctx, base, acs3.Key{ID: c.AccessKeyID, Secret: c.AccessKeySecret},
		acs3.RPC{Action: action, Version: Version, Params: params}, httpcall.Now(c.Now), nonce)
	if err != nil {
		return nil, err
	}
	a, err := httpcall.Do(c.HTTP, req, maxBody)
	switch {
	case err != nil:
		return nil, &transportError{fmt.Errorf("POST %s: %w", action, err)}
	case a.Truncated:
		return nil, &transportError{fmt.Errorf("%s answer exceeds %d bytes", action, maxBody)}
	}
	var ans answer
	if json.Unmarshal(a.Body, &ans) != nil || ans.Code == "" {
		// A proxy or an error page answered, not the API.
		if a.Status == http.StatusOK || httpcall.RetryableStatus(a.Status) {
			return nil, &transportError{fmt.Errorf("%s: HTTP %d answer is not the API's JSON", action, a.Status)}
		}
		return nil, fmt.Errorf("cloudauth: %s: HTTP %d answer without a code", action, a.Status)
	}
	if a.Status != http.StatusOK || ans.Code != "200" {
		return nil, &Error{Action: action, Status: a.Status, Code: string(ans.Code),
			Message: httpcall.Mask(ans.Message, sensitive...), RequestID: ans.RequestID}
	}
	return ans.ResultObject, nil
}

// Error is a refusal by Cloudauth or its gateway: a Code other than "200",
// or an error document with an HTTP error status.
type Error struct {
	Action    string
	Status    int // HTTP status of the answer
	Code      string
	Message   string // masked of the request's personal data
	RequestID string
}

// Error returns the action, code, message and request id.
func (e *Error) Error() string {
	return fmt.Sprintf("cloudauth: %s code %s: %s (HTTP %d, request %s)", e.Action, e.Code, e.Message, e.Status, e.RequestID)
}

// Retryable reports whether Aliyun was failing or busy rather than refusing
// the request: HTTP 5xx or 429, Cloudauth's system error "500", and the
// platform's Throttling*, ServiceUnavailable and InternalError.
func (e *Error) Retryable() bool {
	return httpcall.RetryableStatus(e.Status) || e.Code == "500" || strings.HasPrefix(e.Code, "Throttling") ||
		e.Code == "ServiceUnavailable" || e.Code == "InternalError"
}

// transportError is a failure to reach Cloudauth or to read its answer.
type transportError struct{ err error }

func (e *transportError) Error() string   { return "cloudauth: " + e.err.Error() }
func (e *transportError) Unwrap() error   { return e.err }
func (e *transportError) Retryable() bool { return true }

// IsRetryable reports whether err may go away on a later attempt: transport
// failures, the per-call timeout, HTTP 5xx and 429, Aliyun's system error
// and throttling. A cancelled caller context is not retryable.
func IsRetryable(err error) bool { return httpcall.IsRetryable(err) }
