package fakeprov

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// SES is a fake Amazon SES v2 endpoint for SendEmail (POST
// /v2/email/outbound-emails, restJson1), on 127.0.0.1. It refuses what SES
// would refuse, reporting each refusal (Report):
//
//   - another operation (404 UnknownOperationException);
//   - a request not signed with Key by SigV4 for ses (VerifySigV4; 403 with
//     the error type VerifySigV4 names);
//   - a body that is not application/json, has a field SendEmail does not
//     know, or lacks FromEmailAddress, exactly one Destination.ToAddresses
//     (idco sends each message to one recipient), Content.Simple.Subject.Data
//     or Content.Simple.Body.Text (400 BadRequestException).
//
// A request that checks out meets the fault set by Fail, if any, then
// Authorize (403 AccessDeniedException), and is then sent: recorded (Sent,
// Take) and answered with a MessageId.
//
// Set the exported fields right after NewSES, never while a request is
// running. An SES is safe for concurrent use.
type SES struct {
	// URL is the endpoint (SendEmail's BaseEndpoint); messages sent through
	// it have Caller "". URLFor gives other endpoints.
	URL string
	// Key is what requests must be signed with; its Service is "ses".
	Key AWSKey
	// Now is the clock signatures are checked against (default time.Now).
	Now func() time.Time
	// Delay is how long a Hang fault holds a request (DefaultDelay).
	Delay time.Duration
	// Report is told of each refused request (default t.Errorf): a
	// refusal means idco's client sent what SES would not take.
	Report func(format string, args ...any)
	// Authorize, when set, decides whether caller may send m, as IAM
	// would; its error answers AccessDeniedException with the error's text,
	// and is not reported.
	Authorize func(caller string, m SESEmail) error

	t       testing.TB
	closing chan struct{}

	mu    sync.Mutex
	srvs  []*httptest.Server
	urls  map[string]string // caller -> endpoint
	calls int
	ids   int // messages sent, taken ones included
	fault *sesFault
	sent  []SESMessage
}

// SESEmail is SendEmail's JSON body as idco sends it, decoded strictly.
type SESEmail struct {
	FromEmailAddress     string
	ConfigurationSetName string
	Destination          struct{ ToAddresses []string }
	Content              struct {
		Simple struct {
			Subject SESContent
			Body    struct{ Text, Html *SESContent }
		}
	}
}

// SESContent is an SES v2 Content: the text and its charset.
type SESContent struct{ Data, Charset string }

// SESMessage is a message the fake sent.
type SESMessage struct {
	Caller    string // the URLFor name of the endpoint it came through
	MessageID string // as answered
	SESEmail
}

// SESFault is an answer Fail scripts instead of sending: an SES error
// (Type), a raw answer (Body), or a hang.
type SESFault struct {
	Status        int    // HTTP status
	Type, Message string // the SES error type (e.g. ThrottlingException) and its message
	// TypeInBody sends Type as the body's __type (as SES does for some
	// errors) instead of the X-Amzn-ErrorType header.
	TypeInBody        bool
	ContentType, Body string // a raw answer, when Type is ""
	// Hang holds the request for Delay, or until the client gives up,
	// then goes on as if there were no fault. A request abandoned by its
	// client is not sent.
	Hang bool
}

// SESError is an SES error with its type in the X-Amzn-ErrorType header.
func SESError(status int, typ, msg string) SESFault {
	return SESFault{Status: status, Type: typ, Message: msg}
}

// SESErrorInBody is an SES error with its type as the body's __type.
func SESErrorInBody(status int, typ, msg string) SESFault {
	return SESFault{Status: status, Type: typ, Message: msg, TypeInBody: true}
}

// Faults SES answers, as it words them.
var (
	SESTooManyRequests = SESError(429, "TooManyRequestsException", "Too many requests.")
	SESMaxSendRate     = SESError(400, "LimitExceededException", "Maximum sending rate exceeded.")
	SESThrottling      = SESErrorInBody(400, "ThrottlingException", "Rate exceeded")
	SESInternalFailure = SESErrorInBody(500, "InternalFailure", "We encountered an internal error. Please try again.")
	// SESUnavailable is the load balancer's HTML page.
	SESUnavailable = SESFault{Status: 503, ContentType: "text/html", Body: "<html>503 Service Unavailable</html>"}
	// SESTruncated is a 200 whose JSON is cut short.
	SESTruncated = SESFault{Status: 200, ContentType: "application/json", Body: `{"MessageId":`}
	SESHang      = SESFault{Hang: true}
)

type sesFault struct {
	SESFault
	n int // calls left; < 0 means until the next Fail
}

// NewSES starts a fake SES that takes requests signed with key (its
// Service defaults to "ses"); t.Cleanup stops it.
func NewSES(t testing.TB, key AWSKey) *SES {
	t.Helper()
	if key.Service == "" {
		key.Service = "ses"
	}
	s := &SES{Key: key, Delay: DefaultDelay, Report: t.Errorf, t: t, closing: make(chan struct{}), urls: map[string]string{}}
	t.Cleanup(func() {
		close(s.closing)
		s.mu.Lock()
		srvs := s.srvs
		s.mu.Unlock()
		for _, srv := range srvs {
			srv.Close()
		}
	})
	s.URL = s.URLFor("")
	return s
}

// URLFor returns the endpoint of caller, started on first use: the
// messages sent through it are recorded with its name, and Authorize is
// told it. A test gives each function its own endpoint to tell them apart.
func (s *SES) URLFor(caller string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.urls[caller]; ok {
		return u
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(caller, w, r) }))
	s.srvs = append(s.srvs, srv)
	s.urls[caller] = srv.URL
	return srv.URL
}

// Client returns an HTTP client for the fake's endpoints.
func (s *SES) Client() *http.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.srvs[0].Client()
}

// Fail answers the next n requests that check out with fault instead of
// sending them, or every one until the next Fail when n < 0. n == 0 ends
// any fault.
func (s *SES) Fail(fault SESFault, n int) {
	s.t.Helper()
	if n != 0 && !fault.Hang && fault.Status == 0 {
		s.t.Fatalf("fakeprov: SES.Fail: a fault needs a Status or Hang")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = nil
	if n != 0 {
		s.fault = &sesFault{fault, n}
	}
}

// Calls returns the number of requests received, refused and faulted ones
// included.
func (s *SES) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Sent returns the messages sent and not yet taken, oldest first.
func (s *SES) Sent() []SESMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SESMessage(nil), s.sent...)
}

// Take removes and returns the last message sent to the address to.
func (s *SES) Take(to string) (SESMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.sent) - 1; i >= 0; i-- {
		if m := s.sent[i]; m.Destination.ToAddresses[0] == to {
			s.sent = append(s.sent[:i], s.sent[i+1:]...)
			return m, true
		}
	}
	return SESMessage{}, false
}

func (s *SES) serve(caller string, w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	who := "fakeprov ses"
	if caller != "" {
		who += " (" + caller + ")"
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" {
		s.Report("%s: not SendEmail: %s %s", who, r.Method, r.URL.Path)
		s.answer(w, SESError(http.StatusNotFound, "UnknownOperationException", "unknown operation "+r.Method+" "+r.URL.Path))
		return
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	if err := VerifySigV4(r, body, s.Key, now()); err != nil {
		s.Report("%s: %v", who, err)
		typ, msg, _ := strings.Cut(err.Error(), ": ")
		s.answer(w, SESError(http.StatusForbidden, typ, msg))
		return
	}
	var in SESEmail
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(&in)
	switch simple := in.Content.Simple; {
	case r.Header.Get("Content-Type") != "application/json":
		err = fmt.Errorf("Content-Type %q, want application/json", r.Header.Get("Content-Type"))
	case err != nil:
	case in.FromEmailAddress == "":
		err = fmt.Errorf("no FromEmailAddress")
	case len(in.Destination.ToAddresses) != 1:
		err = fmt.Errorf("%d ToAddresses, want 1", len(in.Destination.ToAddresses))
	case simple.Subject.Data == "" || simple.Body.Text == nil:
		err = fmt.Errorf("no Content.Simple Subject or Body.Text")
	}
	if err != nil {
		s.Report("%s: body %s: %v", who, body, err)
		s.answer(w, SESError(http.StatusBadRequest, "BadRequestException", err.Error()))
		return
	}

	s.mu.Lock()
	var fault SESFault
	if f := s.fault; f != nil {
		fault = f.SESFault
		if f.n > 0 {
			if f.n--; f.n == 0 {
				s.fault = nil
			}
		}
	}
	s.mu.Unlock()
	if fault.Hang {
		if !s.hold(r, s.Delay) {
			return
		}
	} else if fault.Status != 0 {
		s.answer(w, fault)
		return
	}

	if s.Authorize != nil {
		if err := s.Authorize(caller, in); err != nil {
			s.answer(w, SESError(http.StatusForbidden, "AccessDeniedException", err.Error()))
			return
		}
	}
	s.mu.Lock()
	s.ids++
	m := SESMessage{Caller: caller, MessageID: fmt.Sprintf("0102018f1d2e3f4a-%08x-9f0a-1b2c-3d4e-5f6a7b8c9d0e-000000", s.ids),
		SESEmail: in}
	s.sent = append(s.sent, m)
	s.mu.Unlock()
	s.answer(w, SESFault{Status: http.StatusOK, ContentType: "application/json", Body: `{"MessageId":"` + m.MessageID + `"}`})
}

// hold waits d, reporting false if the client or the fake gave up first.
func (s *SES) hold(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		d = DefaultDelay
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.closing:
	}
	return false
}

// answer writes a as SES would.
func (s *SES) answer(w http.ResponseWriter, a SESFault) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("x-amzn-RequestId", "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE")
	body := a.Body
	switch {
	case a.Type == "":
		if a.ContentType != "" {
			h.Set("Content-Type", a.ContentType)
		}
	case a.TypeInBody:
		b, _ := json.Marshal(map[string]string{"__type": "com.amazonaws.sesv2#" + a.Type, "message": a.Message})
		body = string(b)
	default:
		h.Set("X-Amzn-ErrorType", a.Type+":http://internal.amazon.com/coral/com.amazonaws.sesv2/")
		b, _ := json.Marshal(map[string]string{"message": a.Message})
		body = string(b)
	}
	w.WriteHeader(a.Status)
	_, _ = io.WriteString(w, body)
}
