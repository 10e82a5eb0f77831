package fakeprov

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Outbox is what the fake SMS services (AliyunSMS, SNS, EUM) share: a
// server on 127.0.0.1, the faults Fail scripts, the count of calls and the
// messages sent, of type M.
//
// Each request is first checked as the service would check it; a refused
// one is reported (Report) and answered with the service's error. A request
// that checks out meets the fault set by Fail, if any, and is then sent:
// recorded (Sent, Take) and answered as the service answers a success.
//
// Set the exported fields right after the fake's New function, never while
// a request is running. An Outbox is safe for concurrent use.
type Outbox[M any] struct {
	// URL is the endpoint: idco's client's endpoint or BaseEndpoint.
	URL string
	// Now is the clock signatures are checked against (default time.Now).
	Now func() time.Time
	// Delay is how long a Hang fault holds a request (DefaultDelay).
	Delay time.Duration
	// Report is told of each refused request (default t.Errorf): a
	// refusal means idco's client sent what the service would not take.
	Report func(format string, args ...any)

	t       testing.TB
	name    string // in reports, e.g. "fakeprov sns"
	srv     *httptest.Server
	closing chan struct{}
	// accept checks a request and returns the message it sends, or the
	// reason it is refused and the service's answer to it.
	accept func(r *http.Request, body []byte) (M, Reply, error)
	// answer records the n-th message's id in m and returns the
	// service's answer to it.
	answer func(m *M, n int) Reply
	// phone is the destination of a message, as Take names it.
	phone func(m M) string

	mu    sync.Mutex
	calls int
	ids   int // messages sent, taken ones included
	fault Reply
	left  int // requests fault still answers; < 0 means until the next Fail
	sent  []M
}

// Reply is an HTTP answer a fake writes: a status, headers and a body. As
// a fault (Fail), Hang instead holds the request for Delay, or until the
// client gives up, then goes on as if there were no fault; a request its
// client abandoned is not sent.
type Reply struct {
	Status int
	Header map[string]string
	Body   string
	Hang   bool
}

// Hang is the fault that holds requests: see Reply.
var Hang = Reply{Hang: true}

// HTMLPage is a proxy's or a load balancer's error page, which no SDK
// can decode.
func HTMLPage(status int, text string) Reply {
	return Reply{Status: status, Header: map[string]string{"Content-Type": "text/html"},
		Body: "<html><body><h1>" + text + "</h1></body></html>"}
}

func (a Reply) write(w http.ResponseWriter) {
	for k, v := range a.Header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.Status)
	_, _ = io.WriteString(w, a.Body)
}

// start serves o on 127.0.0.1 until t's cleanup.
func (o *Outbox[M]) start(t testing.TB, name string, accept func(*http.Request, []byte) (M, Reply, error),
	answer func(*M, int) Reply, phone func(M) string) {
	o.t, o.name, o.accept, o.answer, o.phone = t, name, accept, answer, phone
	o.Delay, o.Report, o.closing = DefaultDelay, t.Errorf, make(chan struct{})
	o.srv = httptest.NewServer(http.HandlerFunc(o.serve))
	o.URL = o.srv.URL
	t.Cleanup(func() {
		close(o.closing) // releases held requests, which Close waits for
		o.srv.Close()
	})
}

// Client returns an HTTP client for the fake's endpoint.
func (o *Outbox[M]) Client() *http.Client { return o.srv.Client() }

// Fail answers the next n requests that check out with fault instead of
// sending them, or every one until the next Fail when n < 0. n == 0 ends
// any fault.
func (o *Outbox[M]) Fail(fault Reply, n int) {
	o.t.Helper()
	if n != 0 && !fault.Hang && fault.Status == 0 {
		o.t.Fatalf("%s: Fail: a fault needs a Status or Hang", o.name)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fault, o.left = fault, n
}

// Calls returns the number of requests received, refused and faulted ones
// included.
func (o *Outbox[M]) Calls() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.calls
}

// Sent returns the messages sent and not yet taken, oldest first.
func (o *Outbox[M]) Sent() []M {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]M(nil), o.sent...)
}

// Take removes and returns the last message sent to phone, written as the
// service's requests write it.
func (o *Outbox[M]) Take(phone string) (M, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.sent) - 1; i >= 0; i-- {
		if m := o.sent[i]; o.phone(m) == phone {
			o.sent = append(o.sent[:i], o.sent[i+1:]...)
			return m, true
		}
	}
	var none M
	return none, false
}

func (o *Outbox[M]) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Outbox[M]) serve(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.calls++
	o.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	m, refusal, err := o.accept(r, body)
	if err != nil {
		o.Report("%s: %v", o.name, err)
		refusal.write(w)
		return
	}
	o.mu.Lock()
	fault := Reply{}
	if o.left != 0 {
		fault = o.fault
		if o.left > 0 {
			o.left--
		}
	}
	o.mu.Unlock()
	switch {
	case fault.Hang:
		if !o.hold(r) {
			return
		}
	case fault.Status != 0:
		fault.write(w)
		return
	}
	o.mu.Lock()
	o.ids++
	ok := o.answer(&m, o.ids)
	o.sent = append(o.sent, m)
	o.mu.Unlock()
	ok.write(w)
}

// hold waits Delay, reporting false if the client or the fake gave up
// first.
func (o *Outbox[M]) hold(r *http.Request) bool {
	d := o.Delay
	if d <= 0 {
		d = DefaultDelay
	}
	ctx, cancel := context.WithTimeout(r.Context(), d)
	defer cancel()
	select {
	case <-ctx.Done():
		return r.Context().Err() == nil // the wait, not the client, ended
	case <-o.closing:
		return false
	}
}
