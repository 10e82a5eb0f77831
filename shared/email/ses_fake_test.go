package email

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

const (
	awsKeyID  = "AKIAFAKEIDCO0000TEST"
	awsSecret = "fake/aws/secret/key/0000000000000000000"
	sesRegion = "eu-west-1"
)

// sendEmailRequest is SESv2 SendEmail's JSON body, decoded strictly so that
// an unexpected field fails the test.
type sendEmailRequest struct {
	FromEmailAddress     string
	ConfigurationSetName string
	Destination          struct{ ToAddresses []string }
	Content              struct {
		Simple struct {
			Subject content
			Body    struct{ Text, Html *content }
		}
	}
}

type content struct{ Data, Charset string }

// fakeSES answers POST /v2/email/outbound-emails in SESv2's restJson1 wire
// format after checking the SigV4 signature (service ses) the way AWS
// would, by recomputing it over the signed headers and the body received.
type fakeSES struct {
	t        *testing.T
	scenario string
	hits     atomic.Int32
	mu       sync.Mutex
	got      []sendEmailRequest
}

type sesReply struct {
	status  int
	headers map[string]string
	body    string
}

// sesError is an error the way SES sends it: the type in X-Amzn-ErrorType
// (with its namespace suffix) or only as __type in the body.
func sesError(status int, typ, msg string, inHeader bool) sesReply {
	if inHeader {
		return sesReply{status, map[string]string{"X-Amzn-ErrorType": typ + ":http://internal.amazon.com/coral/com.amazonaws.sesv2/"},
			`{"message":"` + msg + `"}`}
	}
	return sesReply{status, nil, `{"__type":"com.amazonaws.sesv2#` + typ + `","message":"` + msg + `"}`}
}

var sesAnswers = map[string]sesReply{
	"ok":          {200, nil, `{"MessageId":"0102018f1d2e3f4a-5b6c7d8e-9f0a-1b2c-3d4e-5f6a7b8c9d0e-000000"}`},
	"toomany":     sesError(429, "TooManyRequestsException", "Too many requests.", true),
	"limit":       sesError(400, "LimitExceededException", "Maximum sending rate exceeded.", true),
	"throttling":  sesError(400, "ThrottlingException", "Rate exceeded", false),
	"internal":    sesError(500, "InternalFailure", "We encountered an internal error. Please try again.", false),
	"rejected":    sesError(400, "MessageRejected", "Email address is not verified. The following identities failed the check in region EU-WEST-1: user@example.com", true),
	"mailfrom":    sesError(400, "MailFromDomainNotVerifiedException", "MAIL FROM domain is not verified.", true),
	"suspended":   sesError(400, "AccountSuspendedException", "Your account is suspended.", true),
	"paused":      sesError(400, "SendingPausedException", "Sending is paused for this account.", false),
	"notfound":    sesError(404, "NotFoundException", "Configuration set <idco-mail> does not exist.", true),
	"badrequest":  sesError(400, "BadRequestException", "Missing final '@domain'", true),
	"unavailable": {503, map[string]string{"Content-Type": "text/html"}, `<html>503 Service Unavailable</html>`},
	"badjson":     {200, nil, `{"MessageId":`},
}

// newFakeSES starts a fake and returns it, an AWS config for it and its URL,
// which NewSES takes as its endpoint.
func newFakeSES(t *testing.T, scenario string) (*fakeSES, aws.Config, string) {
	t.Helper()
	f := &fakeSES{t: t, scenario: scenario}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, aws.Config{Region: sesRegion, HTTPClient: srv.Client(),
		Credentials: credentials.NewStaticCredentialsProvider(awsKeyID, awsSecret, "")}, srv.URL
}

func (f *fakeSES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.hits.Add(1)
	body, _ := io.ReadAll(r.Body)
	if err := verifySigV4(r, body, "ses", sesRegion); err != nil {
		f.t.Errorf("fake ses: %v", err)
		w.WriteHeader(http.StatusForbidden)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" ||
		r.Header.Get("Content-Type") != "application/json" {
		f.t.Errorf("fake ses: %s %s %q, want POST /v2/email/outbound-emails JSON", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
	}
	var in sendEmailRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		f.t.Errorf("fake ses: body %s: %v", body, err)
	}
	f.mu.Lock()
	f.got = append(f.got, in)
	f.mu.Unlock()
	if f.scenario == "slow" {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
		return
	}
	a, ok := sesAnswers[f.scenario]
	if !ok {
		f.t.Errorf("fake ses: unknown scenario %q", f.scenario)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE")
	for k, v := range a.headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func (f *fakeSES) requests() []sendEmailRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sendEmailRequest(nil), f.got...)
}

// verifySigV4 authenticates r as AWS would: the credential scope must name
// the key, region and service, and the signature is recomputed over the
// headers listed in SignedHeaders, the URL and the body as received.
func verifySigV4(r *http.Request, body []byte, service, region string) error {
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ")
	if !ok {
		return errors.New("MissingAuthenticationToken")
	}
	parts := map[string]string{}
	for _, kv := range strings.Split(auth, ", ") {
		k, v, _ := strings.Cut(kv, "=")
		parts[k] = v
	}
	amzDate := r.Header.Get("X-Amz-Date")
	when, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return errors.New("IncompleteSignature: X-Amz-Date")
	}
	scope := fmt.Sprintf("%s/%s/%s/%s/aws4_request", awsKeyID, amzDate[:8], region, service)
	if parts["Credential"] != scope {
		return fmt.Errorf("SignatureDoesNotMatch: credential %s, want %s", parts["Credential"], scope)
	}
	again, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	for _, h := range strings.Split(parts["SignedHeaders"], ";") {
		if h != "host" && h != "content-length" {
			again.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: awsKeyID, SecretAccessKey: awsSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, again, hex.EncodeToString(sum[:]), service, region, when); err != nil {
		return err
	}
	if again.Header.Get("Authorization") != r.Header.Get("Authorization") {
		return errors.New("SignatureDoesNotMatch")
	}
	return nil
}
