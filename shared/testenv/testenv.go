// Package testenv starts idco for tests: the real service, stores and
// dispatchers over the embedded DynamoDB the dev server runs (infra/devdb,
// through the real SDK client), or DYNAMODB_ENDPOINT when set, served over
// HTTP exactly as the dev server mounts them, with a settable clock, a
// recording outbox, a captured log, and DynamoDB faults and call counts
// (ddbfault).
package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/idco-dev/idco/infra/devdb"
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/dynamo"
	"github.com/idco-dev/idco/shared/families/all"
	"github.com/idco-dev/idco/shared/password"
	"github.com/idco-dev/idco/shared/qrpng"
	"github.com/idco-dev/idco/shared/signing"
	"github.com/idco-dev/idco/shared/testenv/clock"
	"github.com/idco-dev/idco/shared/testenv/ddbfault"
	"github.com/idco-dev/idco/shared/thirdparty"
	"github.com/idco-dev/idco/shared/thirdparty/frv"
	"github.com/idco-dev/idco/shared/thirdparty/weixin"
)

// TokenSecret is the test config's tokenSecret.
const TokenSecret = "test-token-secret-0123456789abcdef0123456789"

// SetupSecret is the test config's idco.admin.setupSecret.
const SetupSecret = "test-setup-secret-0123456789abcdef0123456789"

// Env is a running idco.
type Env struct {
	URL    string
	DB     *dynamodb.Client
	Faults *ddbfault.Transport // between the service's client and DynamoDB
	Prefix string
	Names  dynamo.Names
	Svc    *account.Service
	Clock  *clock.Clock
	Outbox *Outbox
	Sent   *Sender // the SMS and email senders

	Log *SyncBuffer
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
			"admin":   map[string]any{"setupSecret": SetupSecret},
		},
	}
}

// Apps are the dcloudAppids an Env configures (unless the edited config
// names one): the clients' __UNI__TEST and the others tests play.
var Apps = []string{"__UNI__TEST", "__UNI__OTHER", "__UNI__A", "__UNI__B", "__UNI__C", "__UNI__X", "__UNI__ABCDEF", "__UNI__DEMO"}

// New starts an Env; edit, when given, changes the config document first.
func New(t testing.TB, edit func(cfg map[string]any)) *Env {
	t.Helper()
	doc := Config()
	if edit != nil {
		edit(doc)
	}
	data, _ := json.Marshal(doc)
	if _, one := doc["dcloudAppid"]; !one {
		// The same config for each of the apps tests play, as a uni-id
		// config with per-app entries: every other appId is refused.
		list := make([]map[string]any, len(Apps))
		for i, id := range Apps {
			list[i] = maps.Clone(doc)
			list[i]["dcloudAppid"] = id
		}
		data, _ = json.Marshal(list)
	}
	set, err := config.Parse(data)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	e := &Env{Clock: clock.New(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)), Outbox: &Outbox{},
		Sent: &Sender{}, Log: &SyncBuffer{}}
	endpoint := os.Getenv(app.EnvDynamoEndpoint)
	// The embedded store lacks ClientRequestToken idempotency: the
	// transport keeps it, as DynamoDB does.
	e.Faults = ddbfault.New(nil, endpoint == "")
	if endpoint == "" {
		db, err := devdb.Open(filepath.Join(t.TempDir(), "dynamodb.jsonl"))
		if err != nil {
			t.Fatalf("embedded DynamoDB: %v", err)
		}
		ddb := httptest.NewServer(db)
		t.Cleanup(func() { ddb.Close(); _ = db.Close() })
		endpoint = ddb.URL
	}
	e.DB = app.NewDynamo(aws.Config{Region: "us-east-1", HTTPClient: e.Faults.Client(),
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
	// Tests that race dozens of hashes (slow under -race) queue for the
	// hashing gate as long as they need; TestHashingAtCapacity sets its own.
	e.Svc.HashGate = password.NewGate(0, time.Minute)
	e.UseProviders(nil)
	// Face verification calls the endpoint of the config's idco.frv, such
	// as a fakeprov Cloudauth's.
	e.Svc.FaceVerify = &frv.Aliyun{Now: e.Clock.Now}
	log := slog.New(slog.NewJSONHandler(e.Log, nil))
	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	// The open platform's issuer is the server's URL; its keys are made
	// once per test binary (RSA key generation is slow).
	e.Svc.Issuer, e.Svc.SigningKeys = srv.URL, signing.Static{Set: testKeys(t)}
	srv.Config.Handler = app.Mount(e.Svc, log, all.Families())
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	return e
}

var (
	keysOnce sync.Once
	keys     *signing.Set
	keysErr  error
)

func testKeys(t testing.TB) *signing.Set {
	keysOnce.Do(func() { keys, keysErr = signing.Generate(time.Now()) })
	if keysErr != nil {
		t.Fatalf("signing keys: %v", keysErr)
	}
	return keys
}

// UseProviders points the third-party clients at endpoints (keys are
// the Env* names of shared/thirdparty/<provider>), such as a fakeprov server's.
func (e *Env) UseProviders(endpoints map[string]string) {
	p := thirdparty.New(func(k string) string { return endpoints[k] }, e.Svc.Cache, e.Clock.Now)
	e.Svc.Identities, e.Svc.Phones, e.Svc.OAuthURLs = p, p, p
	e.Svc.MiniProgramCodes = &weixin.Codes{Env: p.Env}
	e.Svc.QRCodes = qrpng.Encode
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
