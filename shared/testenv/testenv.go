// Package testenv starts idco for tests: the real service, stores and
// dispatchers over an embedded DynamoDB (minidyn through the real SDK
// client, or DYNAMODB_ENDPOINT when set), served over HTTP exactly as the dev
// server mounts them, with a settable clock, a recording outbox, a captured
// log and a count of DynamoDB calls.
package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/truora/minidyn/server"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/dynamo"
	"github.com/idco-dev/idco/shared/families/all"
	"github.com/idco-dev/idco/shared/testenv/clock"
	"github.com/idco-dev/idco/shared/thirdparty"
	"github.com/idco-dev/idco/shared/thirdparty/frv"
)

// TokenSecret is the test config's tokenSecret.
const TokenSecret = "test-token-secret-0123456789abcdef0123456789"

// Env is a running idco.
type Env struct {
	URL    string
	DB     *dynamodb.Client
	Dyn    *server.Server // nil when DYNAMODB_ENDPOINT is used
	Prefix string
	Names  dynamo.Names
	Svc    *account.Service
	Clock  *clock.Clock
	Outbox *Outbox
	Sent   *Sender // the SMS and email senders

	Log    *SyncBuffer
	Calls  atomic.Int64 // DynamoDB requests served
	inject atomic.Pointer[func(op string) (int, string, bool)]
	lose   atomic.Pointer[lostAnswers]
	tokens sync.Map // ClientRequestToken -> request body, as DynamoDB keeps them
}

// Config returns the test config document: fast argon2 so tests stay quick,
// and a captcha issuance cap high enough for tests that all come from
// 127.0.0.1.
func Config() map[string]any {
	return map[string]any{
		"tokenSecret":    TokenSecret,
		"passwordSecret": []any{map[string]any{"type": "hmac-sha1", "value": "passwordSecret-demo", "version": 1}},
		"idco": map[string]any{
			"argon2":  map[string]any{"memoryKiB": 8192, "time": 1, "threads": 1},
			"captcha": map[string]any{"perIpPerMinute": 100000},
			"sms":     map[string]any{"provider": "test"},
			"email":   map[string]any{"from": "no-reply@example.com"},
			"limits":  map[string]any{"perIpPerHour": 100000},
		},
	}
}

// New starts an Env; edit, when given, changes the config document first.
func New(t testing.TB, edit func(cfg map[string]any)) *Env {
	t.Helper()
	doc := Config()
	if edit != nil {
		edit(doc)
	}
	data, _ := json.Marshal(doc)
	set, err := config.Parse(data)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	e := &Env{Clock: clock.New(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)), Outbox: &Outbox{},
		Sent: &Sender{}, Log: &SyncBuffer{}}
	endpoint := os.Getenv(app.EnvDynamoEndpoint)
	if endpoint == "" {
		e.Dyn = server.NewServer()
		ddb := httptest.NewServer(e.count(e.Dyn))
		t.Cleanup(ddb.Close)
		endpoint = ddb.URL
	}
	e.DB = app.NewDynamo(aws.Config{Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("x", "y", "")}, endpoint)
	var b [4]byte
	_, _ = rand.Read(b[:])
	e.Prefix = "t" + hex.EncodeToString(b[:]) + "-"
	e.Names = dynamo.NamesWithPrefix(e.Prefix)
	if err := dynamo.Bootstrap(context.Background(), e.DB, e.Prefix); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	e.Svc = app.NewService(app.Deps{Config: set, DB: e.DB, Prefix: e.Prefix, Outbox: e.Outbox, Dev: true, Now: e.Clock.Now})
	e.Svc.SMS, e.Svc.Email = e.Sent, e.Sent
	e.UseProviders(nil)
	// Face verification calls the endpoint of the config's idco.frv, such
	// as a fakeprov Cloudauth's.
	e.Svc.FaceVerify = &frv.Aliyun{Now: e.Clock.Now}
	log := slog.New(slog.NewJSONHandler(e.Log, nil))
	srv := httptest.NewServer(app.Mount(e.Svc, log, all.Families()))
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	return e
}

// UseProviders points the third-party clients at endpoints (keys are
// the Env* names of shared/thirdparty/<provider>), such as a fakeprov server's.
func (e *Env) UseProviders(endpoints map[string]string) {
	p := thirdparty.New(func(k string) string { return endpoints[k] }, e.Svc.Cache, e.Clock.Now)
	e.Svc.Identities, e.Svc.Phones = p, p
}

// count wraps the DynamoDB server to count requests, inject faults, lose
// answers, and keep TransactWriteItems' ClientRequestToken idempotency,
// which minidyn lacks: a token seen again with the same request is answered
// as a success without applying it twice, as DynamoDB does for 10 minutes.
func (e *Env) count(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.Calls.Add(1)
		target := r.Header.Get("X-Amz-Target")
		if i := bytes.LastIndexByte([]byte(target), '.'); i >= 0 {
			target = target[i+1:]
		}
		if f := e.inject.Load(); f != nil {
			if status, body, ok := (*f)(target); ok {
				w.Header().Set("Content-Type", "application/x-amz-json-1.0")
				w.WriteHeader(status)
				_, _ = w.Write([]byte(body))
				return
			}
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if target == "TransactWriteItems" {
			var in struct{ ClientRequestToken string }
			_ = json.Unmarshal(body, &in)
			if in.ClientRequestToken != "" {
				if prev, seen := e.tokens.LoadOrStore(in.ClientRequestToken, string(body)); seen && prev == string(body) {
					w.Header().Set("Content-Type", "application/x-amz-json-1.0")
					_, _ = w.Write([]byte(`{}`))
					return
				}
			}
		}
		if l := e.lose.Load(); l != nil && l.op == target && l.n.Add(-1) >= 0 {
			h.ServeHTTP(httptest.NewRecorder(), r) // applied, but the answer is lost
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"internal"}`))
			return
		}
		h.ServeHTTP(w, r)
	})
}

type lostAnswers struct {
	op string
	n  atomic.Int64
}

// LoseAnswers makes DynamoDB apply the next n requests of op but answer
// them with an internal error, as when a response is lost on the way.
func (e *Env) LoseAnswers(op string, n int64) {
	l := &lostAnswers{op: op}
	l.n.Store(n)
	e.lose.Store(l)
}

// Inject makes DynamoDB answer with a fault while f returns ok for an
// operation name (PutItem, TransactWriteItems, ...); nil stops it.
func (e *Env) Inject(f func(op string) (status int, body string, ok bool)) {
	if f == nil {
		e.inject.Store(nil)
		return
	}
	e.inject.Store(&f)
}

// Outbox records deliveries.
type Outbox struct {
	mu   sync.Mutex
	msgs []account.Message
}

// Deliver implements account.Outbox.
func (o *Outbox) Deliver(_ context.Context, m account.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, m)
}

// Last returns the newest message of kind to to, and whether there is one.
func (o *Outbox) Last(kind, to string) (account.Message, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.msgs) - 1; i >= 0; i-- {
		if o.msgs[i].Kind == kind && o.msgs[i].To == to {
			return o.msgs[i], true
		}
	}
	return account.Message{}, false
}

// All returns every message so far.
func (o *Outbox) All() []account.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]account.Message(nil), o.msgs...)
}

// SyncBuffer is a goroutine-safe log sink.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything logged.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
