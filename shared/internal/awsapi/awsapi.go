// Package awsapi calls single AWS API operations: an HTTP request signed
// with SigV4 by the SDK's signer, the SDK's retry rules, and the error
// answer decoded into an *APIError. idco calls one operation of each service
// it reaches besides DynamoDB (SSM GetParameter, Secrets Manager
// GetSecretValue, SES SendEmail, SNS Publish, End User Messaging
// SendTextMessage); the SDK's service client for each initialises its
// operation schemas and endpoint tables at every process start, about 1 ms
// of a Lambda function's cold start for SES alone.
package awsapi

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// maxBody caps what is read of an answer: idco's operations answer a few
// hundred bytes, or a config document of at most 8 KB.
const maxBody = 1 << 20

// Service names an AWS service as its endpoints, signatures and the SDK's
// settings do.
type Service struct {
	// Prefix is the endpoint prefix: https://<Prefix>.<region>.amazonaws.com
	// (amazonaws.com.cn in the China regions).
	Prefix string
	// Signing is the SigV4 signing name; empty means Prefix.
	Signing string
	// SDKID is the SDK's service ID, whose AWS_ENDPOINT_URL_<SDKID>
	// (upper case, spaces as underscores) replaces the endpoint.
	SDKID string
	// Query means the awsquery protocol (XML errors); otherwise one of
	// the JSON protocols (awsJson1_0, awsJson1_1, restJson1).
	Query bool
}

// Client calls a service's operations with an AWS config.
type Client struct {
	Config  aws.Config // region, credentials, HTTP client and configured endpoints
	Service Service
	// Endpoint, when set, replaces every configured and regional endpoint.
	Endpoint string
	// Attempts is the number of tries in all (zero means one) and
	// MaxBackoff caps the backoff between two, as in the SDK's standard
	// retryer (an answer's X-Amz-Retry-After may add up to 5 s).
	// RetryCodes adds error codes to the SDK's throttling and transient
	// ones.
	Attempts   int
	MaxBackoff time.Duration
	RetryCodes []string
}

// Request is one operation's HTTP request. Method is POST.
type Request struct {
	Path        string // "/" for the awsJson and awsquery protocols
	ContentType string
	Target      string // X-Amz-Target, for the awsJson protocols
	Body        []byte
}

// Do sends r, retrying as the SDK would, and returns the body of a 2xx
// answer. An error answer is an *APIError; any other error is a transport
// failure (nothing sent, nothing read, or an answer that is not the API's,
// such as a proxy's HTML page). Error texts hold no part of r.Body.
func (c *Client) Do(ctx context.Context, r Request) ([]byte, error) {
	for attempt := 1; ; attempt++ {
		body, again, err := c.once(ctx, r)
		if err == nil || again == nil || attempt >= c.Attempts || ctx.Err() != nil {
			return body, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(again.delay(attempt, c.MaxBackoff)):
		}
	}
}

// retry says that another attempt may succeed, and how long to wait.
type retry struct {
	throttle bool   // a throttling error: back off from 1 s rather than 50 ms
	after    string // the answer's X-Amz-Retry-After, in milliseconds
}

// delay is the SDK's standard backoff: a random share of
// min(base x 2^(attempt-1), maxBackoff), where base is 1 s after a throttling
// error and 50 ms after any other; an X-Amz-Retry-After of the answer moves
// it up by at most 5 s.
func (r *retry) delay(attempt int, maxBackoff time.Duration) time.Duration {
	base := 50 * time.Millisecond
	if r.throttle {
		base = time.Second
	}
	d := time.Duration(rand.Float64() * float64(min(base<<min(attempt-1, 30), maxBackoff)))
	if ms, err := strconv.ParseInt(r.after, 10, 64); err == nil && ms >= 0 {
		d = min(max(time.Duration(ms)*time.Millisecond, d), d+5*time.Second)
	}
	return d
}

// once makes one attempt.
func (c *Client) once(ctx context.Context, r Request) ([]byte, *retry, error) {
	endpoint, err := c.endpoint()
	if err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+r.Path, bytes.NewReader(r.Body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", r.ContentType)
	if r.Target != "" {
		req.Header.Set("X-Amz-Target", r.Target)
	}
	if c.Config.Credentials == nil {
		return nil, nil, errors.New("aws credentials: none configured")
	}
	creds, err := c.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("aws credentials: %w", err)
	}
	signing := cmp.Or(c.Service.Signing, c.Service.Prefix)
	sum := sha256.Sum256(r.Body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), signing, c.Config.Region, time.Now()); err != nil {
		return nil, nil, err
	}
	hc := c.Config.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, &retry{}, httpcall.WithoutURL(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	switch {
	case err != nil:
		return nil, &retry{}, fmt.Errorf("reading the answer: %w", err)
	case resp.StatusCode/100 == 2 && len(body) <= maxBody:
		return body, nil, nil
	}
	again, err := c.failure(resp.StatusCode, resp.Header, body)
	return nil, again, err
}

// failure decodes an answer other than a 2xx and tells whether to retry,
// as the SDK's standard retryer would: after HTTP 500, 502, 503 or 504, a
// throttling or transient error code (or one of RetryCodes), or an HTTP 429
// that is no AWS error with a code.
func (c *Client) failure(status int, h http.Header, body []byte) (*retry, error) {
	again := &retry{after: h.Get("X-Amz-Retry-After")}
	switch status {
	case 500, 502, 503, 504:
	default:
		again = nil
	}
	if len(body) > maxBody {
		return again, fmt.Errorf("HTTP %d answer exceeds %d bytes", status, maxBody)
	}
	decode := jsonError
	if c.Service.Query {
		decode = queryError
	}
	e := decode(status, h, body)
	unmodeled := e == nil || e.Code == unknownError
	switch {
	case status == http.StatusTooManyRequests && unmodeled:
		again = &retry{throttle: true, after: h.Get("X-Amz-Retry-After")}
	case e != nil && slices.Contains(throttleCodes, e.Code):
		again = &retry{throttle: true, after: h.Get("X-Amz-Retry-After")}
	case e != nil && (slices.Contains(transientCodes, e.Code) || slices.Contains(c.RetryCodes, e.Code)):
		again = &retry{after: h.Get("X-Amz-Retry-After")}
	}
	if e == nil {
		return again, fmt.Errorf("HTTP %d answer is not an AWS error", status)
	}
	return again, e
}

// throttleCodes and transientCodes are the SDK's DefaultThrottleErrorCodes
// and DefaultRetryableErrorCodes.
var (
	throttleCodes = []string{"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
		"TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
		"RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
		"PriorRequestNotComplete", "EC2ThrottledException"}
	transientCodes = []string{"RequestTimeout", "RequestTimeoutException"}
)

// endpoint follows the SDK's order: Endpoint, AWS_ENDPOINT_URL_<SDKID>
// (the config's sources), the config's BaseEndpoint (AWS_ENDPOINT_URL),
// then the regional endpoint.
func (c *Client) endpoint() (string, error) {
	if c.Endpoint != "" {
		return strings.TrimRight(c.Endpoint, "/"), nil
	}
	if v, err := configured(c.Config.ConfigSources, c.Service.SDKID); err != nil || v != "" {
		return strings.TrimRight(v, "/"), err
	}
	if c.Config.BaseEndpoint != nil && *c.Config.BaseEndpoint != "" {
		return strings.TrimRight(*c.Config.BaseEndpoint, "/"), nil
	}
	if c.Config.Region == "" {
		return "", errors.New("aws: no region")
	}
	domain := "amazonaws.com"
	if strings.HasPrefix(c.Config.Region, "cn-") {
		domain = "amazonaws.com.cn"
	}
	return "https://" + c.Service.Prefix + "." + c.Config.Region + "." + domain, nil
}

// configured asks the config's sources for the service's endpoint, as the
// SDK's clients do (internal/configsources.ResolveServiceBaseEndpoint).
func configured(sources []any, sdkID string) (string, error) {
	for _, s := range sources {
		if p, ok := s.(interface {
			GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error)
		}); ok {
			if ignore, found, _ := p.GetIgnoreConfiguredEndpoints(context.Background()); found && ignore {
				return "", nil
			}
		}
	}
	for _, s := range sources {
		if p, ok := s.(interface {
			GetServiceBaseEndpoint(context.Context, string) (string, bool, error)
		}); ok {
			if v, found, err := p.GetServiceBaseEndpoint(context.Background(), sdkID); err != nil || found {
				return v, err
			}
		}
	}
	return "", nil
}
