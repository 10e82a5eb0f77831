package dynamo_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
)

// faults is storetest.Faults for a DynamoDB client: its HTTP transport,
// which fails the write requests, or loses their answers, on demand.
type faults struct {
	base http.RoundTripper

	mu     sync.Mutex
	passes int // writes let through before the rest fail; -1: none fail
	lose   int // writes to apply whose answers are lost
}

func newFaults(base http.RoundTripper) *faults { return &faults{base: base, passes: -1} }

// writes are the DynamoDB operations that may change data.
var writes = map[string]bool{"PutItem": true, "UpdateItem": true, "DeleteItem": true, "BatchWriteItem": true, "TransactWriteItems": true}

// FailWritesAfter implements storetest.Faults.
func (f *faults) FailWritesAfter(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.passes = n
}

// LoseAnswers implements storetest.Faults.
func (f *faults) LoseAnswers(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lose = n
}

// Heal implements storetest.Faults.
func (f *faults) Heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.passes, f.lose = -1, 0
}

// RoundTrip answers a write that is to fail with DynamoDB's internal
// error, which the SDK retries and the store then reports unavailable,
// without sending it; a write whose answer is to be lost it sends, then
// answers the same way.
func (f *faults) RoundTrip(r *http.Request) (*http.Response, error) {
	target := r.Header.Get("X-Amz-Target")
	if !writes[target[strings.LastIndexByte(target, '.')+1:]] {
		return f.base.RoundTrip(r)
	}
	f.mu.Lock()
	fail := f.passes == 0
	if f.passes > 0 {
		f.passes--
	}
	lose := !fail && f.lose > 0
	if lose {
		f.lose--
	}
	f.mu.Unlock()
	if !fail {
		resp, err := f.base.RoundTrip(r)
		if !lose || err != nil {
			return resp, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	const body = `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected fault"}`
	return &http.Response{
		StatusCode: http.StatusInternalServerError, Status: "500 Internal Server Error",
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:   io.NopCloser(bytes.NewReader([]byte(body))), ContentLength: int64(len(body)), Request: r,
	}, nil
}
