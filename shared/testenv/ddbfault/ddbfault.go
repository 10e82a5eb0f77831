// Package ddbfault is the one DynamoDB test double for faults: an HTTP
// transport for a DynamoDB client that counts requests, answers chosen
// operations with a fault, fails writes after a number of them, lets
// writes apply but loses their answers, and can keep TransactWriteItems'
// ClientRequestToken idempotency for emulators that lack it. It works in
// front of any endpoint (the embedded store, DynamoDB Local, AWS), and it
// implements storetest.Faults.
package ddbfault

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// Writes are the DynamoDB operations that may change data.
var Writes = map[string]bool{"PutItem": true, "UpdateItem": true, "DeleteItem": true, "BatchWriteItem": true, "TransactWriteItems": true}

// InternalError is DynamoDB's internal server error, which the SDK retries.
const InternalError = `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected fault"}`

// Transport sits between a DynamoDB client and its endpoint.
type Transport struct {
	base http.RoundTripper
	// tokens, when set, answers a TransactWriteItems whose
	// ClientRequestToken and body succeeded before as a success without
	// sending it, as DynamoDB does for 10 minutes.
	tokens *sync.Map
	calls  atomic.Int64

	mu     sync.Mutex
	inject func(op string) (status int, body string, ok bool)
	passes int    // writes let through before the rest fail; -1: none fail
	lose   int    // answers to lose
	loseOp string // "" loses writes' answers, else this operation's
	rec    *[]string
}

// New returns a transport over base (nil: http.DefaultTransport); with
// tokens it keeps ClientRequestToken idempotency itself.
func New(base http.RoundTripper, tokens bool) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	t := &Transport{base: base, passes: -1}
	if tokens {
		t.tokens = &sync.Map{}
	}
	return t
}

// Client returns an HTTP client over the transport.
func (t *Transport) Client() *http.Client { return &http.Client{Transport: t} }

// Calls returns how many requests the transport has seen.
func (t *Transport) Calls() int64 { return t.calls.Load() }

// Record starts keeping the operation of every request, in order; stop
// ends it and returns them.
func (t *Transport) Record() (stop func() []string) {
	ops := []string{}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rec = &ops
	return func() []string {
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.rec == &ops {
			t.rec = nil
		}
		return ops
	}
}

// Inject answers every request for which f returns ok with that status and
// body, unsent; nil ends it.
func (t *Transport) Inject(f func(op string) (status int, body string, ok bool)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.inject = f
}

// FailWritesAfter lets the next n writes through and fails every later
// one, unsent, until Heal.
func (t *Transport) FailWritesAfter(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.passes = n
}

// LoseAnswers sends the next n writes but answers each with an internal
// error, as when the answer is lost on its way back.
func (t *Transport) LoseAnswers(n int) { t.LoseAnswersOf("", n) }

// LoseAnswersOf is LoseAnswers for the next n requests of operation op.
func (t *Transport) LoseAnswersOf(op string, n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lose, t.loseOp = n, op
}

// Heal ends every fault.
func (t *Transport) Heal() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.inject, t.passes, t.lose, t.loseOp = nil, -1, 0, ""
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.calls.Add(1)
	target := r.Header.Get("X-Amz-Target")
	op := target[strings.LastIndexByte(target, '.')+1:]
	t.mu.Lock()
	inject := t.inject
	var fail, lose bool
	if Writes[op] {
		fail = t.passes == 0
		if t.passes > 0 {
			t.passes--
		}
	}
	if !fail && t.lose > 0 && (t.loseOp == op || t.loseOp == "" && Writes[op]) {
		lose = true
		t.lose--
	}
	if t.rec != nil {
		*t.rec = append(*t.rec, op)
	}
	t.mu.Unlock()
	if inject != nil {
		if status, body, ok := inject(op); ok {
			return answer(r, status, body), nil
		}
	}
	if fail {
		return answer(r, http.StatusInternalServerError, InternalError), nil
	}
	var token, body string
	if op == "TransactWriteItems" && t.tokens != nil && r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		var in struct{ ClientRequestToken string }
		_ = json.Unmarshal(b, &in)
		token, body = in.ClientRequestToken, string(b)
		if prev, seen := t.tokens.Load(token); token != "" && seen && prev == body {
			return answer(r, http.StatusOK, `{}`), nil
		}
	}
	resp, err := t.base.RoundTrip(r)
	if err == nil && token != "" && resp.StatusCode == http.StatusOK {
		t.tokens.Store(token, body) // only a transaction that succeeded
	}
	if !lose || err != nil {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return answer(r, http.StatusInternalServerError, InternalError), nil
}

func answer(r *http.Request, status int, body string) *http.Response {
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: r,
	}
}
