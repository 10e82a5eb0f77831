package email

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"
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
	if err := fakeprov.VerifySigV4(r, body, fakeprov.AWSKey{ID: awsKeyID, Secret: awsSecret, Region: sesRegion, Service: "ses"}, time.Now()); err != nil {
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
