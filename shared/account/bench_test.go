package account_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/idco-dev/idco/shared/testenv"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// A methodBench is one method on one path through the whole stack (HTTP,
// decoding, the service, the SDK, the embedded DynamoDB), and one row of
// the README's two method tables: BenchmarkMethods times it, and
// TestReadmeBenchTables measures its DynamoDB calls against the README.
type methodBench struct {
	name string // the sub-benchmark
	row  string // the README's method column
	// what is the README's account of the calls one op makes: each
	// DynamoDB operation in order, with what it does in parentheses, or
	// "the code check" (codeCheck). TestReadmeBenchTables checks the
	// operations against the calls made.
	what string
	// setup prepares the state, unmeasured, and returns the op.
	setup func(x *bench) benchOp
}

// A benchOp runs one measured call; its setup goes through pause, which
// stops the timer and the call count. Every op makes the same DynamoDB
// calls as the one before (TestReadmeBenchTables checks it), so calls/op
// is a whole number whatever b.N is.
type benchOp func(i int, pause func(func()))

// bench is a running idco for one methodBench, with every third-party
// provider and Aliyun face verification configured against a fake.
type bench struct {
	tb testing.TB
	*testenv.Env
	prov *fakeprov.Fake
}

const (
	benchPassword = "a good password"
	wxMpApp       = "wx-mp-app"
	wxAppApp      = "wx-open-app"
	wxSecret      = "wx-secret"
	qqMiniApp     = "qq-mini"
)

// newBench starts idco for a methodBench: production argon2id parameters
// (19 MiB, t=2) when production, else the tests' fast ones, which change
// no DynamoDB call.
func newBench(tb testing.TB, production bool) *bench {
	f := fakeprov.New(tb)
	e := testenv.New(tb, func(cfg map[string]any) {
		if production {
			delete(cfg["idco"].(map[string]any), "argon2")
		}
		oauth := func(blocks map[string]any) map[string]any { return map[string]any{"oauth": blocks} }
		cfg["mp-weixin"] = oauth(map[string]any{"weixin": map[string]any{"appid": wxMpApp, "appsecret": wxSecret}})
		cfg["app"] = oauth(map[string]any{"weixin": map[string]any{"appid": wxAppApp, "appsecret": wxSecret},
			"qq": map[string]any{"appid": "qq-app", "appsecret": "qq-secret"}, "apple": map[string]any{"bundleId": f.AppleAudience}})
		cfg["mp-qq"] = oauth(map[string]any{"qq": map[string]any{"appid": qqMiniApp, "appsecret": "qq-secret"}})
		cfg["mp-alipay"] = oauth(map[string]any{"alipay": map[string]any{"appid": "ali-app",
			"privateKey": f.AppPrivatePEM, "alipayPublicKey": f.AlipayPublicPEM}})
		cfg["idco"].(map[string]any)["univerify"] = map[string]any{"url": f.UniverifyURL(), "secret": f.UniverifySecret}
		cfg["sensitiveInfoEncryptSecret"] = frvSecret
		cfg["idco"].(map[string]any)["frv"] = map[string]any{"accessKeyId": f.CloudauthKeyID,
			"accessKeySecret": f.CloudauthSecret, "sceneId": fakeprov.DefaultCloudauthSceneID, "endpoint": f.CloudauthURL()}
	})
	f.Now = e.Clock.Now
	f.WeixinApp(wxMpApp, wxSecret)
	f.WeixinApp(wxAppApp, wxSecret)
	f.QQApp(qqMiniApp, "qq-secret")
	e.UseProviders(f.Env())
	return &bench{tb: tb, Env: e, prov: f}
}

// BenchmarkMethods runs every methodBench as a sub-benchmark and reports
// its DynamoDB calls per op.
func BenchmarkMethods(b *testing.B) {
	for _, m := range methodBenches() {
		b.Run(m.name, func(b *testing.B) { runBench(b, m) })
	}
}

// runBench runs m b.N times with production hashing and reports DynamoDB
// requests per op.
func runBench(b *testing.B, m methodBench) {
	x := newBench(b, true)
	op := m.setup(x)
	b.ReportAllocs()
	var setupCalls int64
	pause := func(setup func()) {
		b.StopTimer()
		before := x.Faults.Calls()
		setup()
		setupCalls += x.Faults.Calls() - before
		b.StartTimer()
	}
	start := x.Faults.Calls()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		op(i, pause)
	}
	b.StopTimer()
	b.ReportMetric(float64(x.Faults.Calls()-start-setupCalls)/float64(b.N), "ddb-calls/op")
}

// call invokes method and fails unless it answers want.
func (x *bench) call(c *testenv.Client, function, method string, params map[string]any, want string) testenv.Resp {
	x.tb.Helper()
	r := x.Call(x.tb, c, function, method, params)
	if r.Code() != want {
		x.tb.Fatalf("%s: got %s, want %s", method, r.Raw, want)
	}
	return r
}

// client returns a new client of platform with a device of its own.
func (x *bench) client(platform string, i int) *testenv.Client {
	c := testenv.NewClient(fmt.Sprintf("bench-%d", i))
	c.Platform = platform
	return c
}

// user registers username as a new client of platform and returns it
// logged in.
func (x *bench) user(platform, username string) *testenv.Client {
	c := x.client(platform, 0)
	x.Register(x.tb, c, username, benchPassword)
	return c
}

// forget deletes the counters and cooldowns earlier ops left, so that the
// next one meets the state the first one did: no failures to ask for a
// captcha, no send cooldown. A counter in its current slot costs what a
// new one does (one UpdateItem), so this changes no figure but the
// refusals.
func (x *bench) forget() {
	x.tb.Helper()
	for _, it := range x.Scan(x.tb, x.Names.Ephemeral) {
		pk, _ := it["pk"].(string)
		if !strings.HasPrefix(pk, "ctr:") && !strings.HasPrefix(pk, "cooldown:") {
			continue
		}
		_, err := x.DB.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(x.Names.Ephemeral),
			Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}}})
		if err != nil {
			x.tb.Fatalf("forget %s: %v", pk, err)
		}
	}
}

// smsCode sends an SMS code for scene to mobile and returns it, after
// forgetting earlier limits.
func (x *bench) smsCode(c *testenv.Client, mobile, scene string) string {
	x.forget()
	return x.SendSMS(x.tb, c, mobile, scene)
}

// emailCode is smsCode for an email.
func (x *bench) emailCode(c *testenv.Client, email, scene string) string {
	x.forget()
	return x.SendEmail(x.tb, c, email, scene)
}

// benchMobile is the i-th of a run of mainland numbers.
func benchMobile(i int) string { return fmt.Sprintf("139%08d", i) }

// signedOut is c without its token: a login from the same device.
func signedOut(c *testenv.Client) *testenv.Client { d := *c; d.Token = ""; return &d }
