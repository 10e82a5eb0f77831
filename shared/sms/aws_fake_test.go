package sms

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	awsRegion = "ap-southeast-1"
)

// testAWSConfig points the SDK at srv with static credentials.
func testAWSConfig(srv *httptest.Server) aws.Config {
	return aws.Config{Region: "us-east-1", HTTPClient: srv.Client(), BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(awsKeyID, awsSecret, "")}
}

// fakeAWS is a scripted AWS endpoint: check authenticates and decodes a
// request into what it records, and answers maps a scenario to a reply.
type fakeAWS struct {
	t        *testing.T
	scenario string
	hits     atomic.Int32
	mu       sync.Mutex
	got      []map[string]string
	check    func(r *http.Request, body []byte) (map[string]string, error)
	answers  map[string]awsReply
}

type awsReply struct {
	status  int
	headers map[string]string
	body    string
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.hits.Add(1)
	body, _ := io.ReadAll(r.Body)
	got, err := f.check(r, body)
	if err != nil {
		f.t.Errorf("fake: %v", err)
		w.WriteHeader(http.StatusForbidden)
		return
	}
	f.mu.Lock()
	f.got = append(f.got, got)
	f.mu.Unlock()
	if f.scenario == "slow" {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
		return
	}
	a, ok := f.answers[f.scenario]
	if !ok {
		f.t.Errorf("fake: unknown scenario %q", f.scenario)
	}
	for k, v := range a.headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func (f *fakeAWS) requests() []map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]string(nil), f.got...)
}

// EUM speaks awsJson1_0: POST / with X-Amz-Target, errors named by __type.
func eumError(status int, typ, msg string) awsReply {
	return awsReply{status, map[string]string{"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "eum-req-1"},
		`{"__type":"com.amazonaws.pinpointsmsvoicev2#` + typ + `","Message":"` + msg + `"}`}
}

var eumAnswers = map[string]awsReply{
	"ok": {200, map[string]string{"Content-Type": "application/x-amz-json-1.0"},
		`{"MessageId":"0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"}`},
	"throttled":  eumError(400, "ThrottlingException", "Rate exceeded"),
	"internal":   eumError(500, "InternalServerException", "Internal service error"),
	"validation": eumError(400, "ValidationException", "Invalid destination phone number +8613812345678"),
	"quota":      eumError(402, "ServiceQuotaExceededException", "Monthly spend limit reached"),
	"denied":     eumError(400, "AccessDeniedException", "User is not authorized"),
	"optedout":   eumError(400, "ConflictException", "The destination phone number is opted out"),
	"http500":    {500, map[string]string{"Content-Type": "text/html"}, `<html>503 Service Unavailable</html>`},
	"badjson":    {200, map[string]string{"Content-Type": "application/x-amz-json-1.0"}, `{"MessageId":`},
}

func newFakeEUM(t *testing.T, scenario string) *fakeAWS {
	t.Helper()
	return &fakeAWS{t: t, scenario: scenario, answers: eumAnswers, check: func(r *http.Request, body []byte) (map[string]string, error) {
		if err := fakeprov.VerifySigV4(r, body, fakeprov.AWSKey{ID: awsKeyID, Secret: awsSecret, Region: awsRegion, Service: "sms-voice"}, time.Now()); err != nil {
			return nil, err
		}
		if r.Method != http.MethodPost || r.URL.Path != "/" ||
			r.Header.Get("X-Amz-Target") != "PinpointSMSVoiceV2.SendTextMessage" ||
			r.Header.Get("Content-Type") != "application/x-amz-json-1.0" {
			return nil, fmt.Errorf("not an awsJson1_0 SendTextMessage: %s %s %v", r.Method, r.URL, r.Header)
		}
		var in map[string]string
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, fmt.Errorf("body %s: %v", body, err)
		}
		return in, nil
	}}
}

// SNS speaks awsquery: a form POST answered with XML.
func snsError(status int, typ, code, msg string) awsReply {
	return awsReply{status, map[string]string{"Content-Type": "text/xml"},
		`<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>` + typ + `</Type><Code>` + code +
			`</Code><Message>` + msg + `</Message></Error><RequestId>sns-req-1</RequestId></ErrorResponse>`}
}

var snsAnswers = map[string]awsReply{
	"ok": {200, map[string]string{"Content-Type": "text/xml"},
		`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult>` +
			`<ResponseMetadata><RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId></ResponseMetadata></PublishResponse>`},
	"throttled": snsError(429, "Sender", "Throttled", "Rate exceeded"),
	"internal":  snsError(500, "Receiver", "InternalError", "Internal Error"),
	"invalid":   snsError(400, "Sender", "InvalidParameter", "Invalid parameter: PhoneNumber Reason: +8613812345678 is not valid to publish to"),
	"auth":      snsError(403, "Sender", "AuthorizationError", "User is not authorized to perform: SNS:Publish"),
	"optedout":  snsError(400, "Sender", "OptedOut", "Phone number is opted out"),
	"http500":   {502, map[string]string{"Content-Type": "text/html"}, `<html>502 Bad Gateway</html>`},
	"badjson":   {200, map[string]string{"Content-Type": "text/xml"}, `<PublishResponse><PublishResult><MessageId>`},
}

func newFakeSNS(t *testing.T, scenario string) *fakeAWS {
	t.Helper()
	return &fakeAWS{t: t, scenario: scenario, answers: snsAnswers, check: func(r *http.Request, body []byte) (map[string]string, error) {
		if err := fakeprov.VerifySigV4(r, body, fakeprov.AWSKey{ID: awsKeyID, Secret: awsSecret, Region: awsRegion, Service: "sns"}, time.Now()); err != nil {
			return nil, err
		}
		if r.Method != http.MethodPost || r.URL.Path != "/" ||
			r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			return nil, fmt.Errorf("not an awsquery POST: %s %s %v", r.Method, r.URL, r.Header)
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		in := map[string]string{}
		for k := range form {
			in[k] = form.Get(k)
		}
		return in, nil
	}}
}
