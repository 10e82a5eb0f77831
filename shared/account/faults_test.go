package account_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/idco-dev/idco/shared/testenv"
	"github.com/idco-dev/idco/shared/testenv/ddbfault"
)

// conflict is DynamoDB's answer when a transaction collides with another.
const conflict = `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","message":"Transaction cancelled","CancellationReasons":[{"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"},{"Code":"None"}]}`

const throttled = `{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}`

// failFirst answers op with status and body the first n times.
func failFirst(n int64, op string, status int, body string) func(string) (int, string, bool) {
	var seen atomic.Int64
	return func(got string) (int, string, bool) {
		if got == op && seen.Add(1) <= n {
			return status, body, true
		}
		return 0, "", false
	}
}

func TestStoreFaults(t *testing.T) {
	cases := []struct {
		name     string
		fault    func(string) (int, string, bool)
		wantCode string
		wantHTTP int
		// wantCalls is how many transactions reach DynamoDB: the SDK
		// retries throttling and internal errors (3 attempts), the store
		// only cancelled transactions (1 + 3), never both.
		wantCalls int64
	}{
		{"two conflicts are retried", failFirst(2, "TransactWriteItems", 400, conflict), "0", 200, 3},
		{"persistent conflict", failFirst(100, "TransactWriteItems", 400, conflict), "uni-id-retry-later", 503, 4},
		{"throttled", failFirst(100, "TransactWriteItems", 400, throttled), "uni-id-retry-later", 503, 3},
		{"internal errors", failFirst(100, "TransactWriteItems", 500, `{"__type":"InternalServerError","message":"boom"}`), "uni-id-retry-later", 503, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := testenv.New(t, nil)
			c := testenv.NewClient("d1")
			answer := e.Captcha(t, c, "register")
			var calls atomic.Int64
			e.Faults.Inject(func(op string) (int, string, bool) {
				if op == "TransactWriteItems" {
					calls.Add(1)
				}
				return tc.fault(op)
			})
			r := register(t, e, c, answer)
			e.Faults.Inject(nil)
			if r.Code() != tc.wantCode || r.Status != tc.wantHTTP {
				t.Fatalf("got %d %s, want %d %s", r.Status, r.Raw, tc.wantHTTP, tc.wantCode)
			}
			if got := calls.Load(); got != tc.wantCalls {
				t.Errorf("%d transactions reached DynamoDB, want %d", got, tc.wantCalls)
			}
			users, keys := len(e.Scan(t, e.Names.Users)), len(e.Scan(t, e.Names.Keys))
			if tc.wantCode == "0" {
				if users != 1 || keys != 1 {
					t.Fatalf("%d users, %d keys after success", users, keys)
				}
				return
			}
			if users != 0 || keys != 0 {
				t.Fatalf("partial state: %d users, %d keys", users, keys)
			}
			if strings.Contains(r.Raw, "ynamo") || strings.Contains(r.Raw, "Transaction") {
				t.Errorf("store detail sent to the client: %s", r.Raw)
			}
			// The username is still free once the store recovers.
			if r := register(t, e, c, e.Captcha(t, c, "register")); r.Code() != "0" {
				t.Fatalf("after recovery: %s", r.Raw)
			}
		})
	}
}

// TestDynamoDBDown: DynamoDB failing every request gives a retryable
// answer and no partial state, in each method that writes.
func TestDynamoDBDown(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "a good password")
	before := fmt.Sprint(e.ItemCount(t))
	calls := []struct {
		function, method string
		params           map[string]any
	}{
		{"captcha", "createCaptcha", map[string]any{"scene": "register"}},
		{"login", "login", map[string]any{"username": "alice_1", "password": "a good password"}},
		{"account", "getAccountInfo", nil},
		{"account", "refreshToken", nil},
		{"reset", "updatePwd", map[string]any{"oldPassword": "a good password", "newPassword": "another password"}},
		{"account", "logout", nil},
		{"account", "closeAccount", nil},
	}
	for _, call := range calls {
		e.Faults.Inject(func(string) (int, string, bool) { return 500, ddbfault.InternalError, true })
		r := e.Call(t, copyClient(c), call.function, call.method, call.params)
		e.Faults.Inject(nil)
		if r.Code() != "uni-id-retry-later" || r.Status != 503 {
			t.Errorf("%s: %d %s, want 503 uni-id-retry-later", call.method, r.Status, r.Raw)
		}
		if after := fmt.Sprint(e.ItemCount(t)); after != before {
			t.Errorf("%s changed the tables: %s -> %s", call.method, before, after)
		}
	}
	if r := info(t, e, c); r.Code() != "0" {
		t.Fatalf("the account after the faults: %s", r.Raw)
	}
}

// TestNoSecretsInLogs runs the journey and greps the log for every secret
// it handled.
func TestNoSecretsInLogs(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	secrets := []string{"a good password", "another password"}
	answer := e.Captcha(t, c, "register")
	secrets = append(secrets, answer)
	r := e.Call(t, c, "register", "registerUser", map[string]any{"username": "alice_1", "password": "a good password", "captcha": answer})
	secrets = append(secrets, r.Token())
	login(t, e, c, map[string]any{"username": "alice_1", "password": "wrong password one"})
	secrets = append(secrets, "wrong password one")
	e.Call(t, c, "reset", "updatePwd", map[string]any{"oldPassword": "a good password", "newPassword": "another password"})
	secrets = append(secrets, c.Token)
	e.Call(t, c, "account", "refreshToken", nil)
	secrets = append(secrets, c.Token)
	log := e.Log.String()
	for _, s := range secrets {
		if s != "" && strings.Contains(log, s) {
			t.Errorf("the log contains %q", s)
		}
	}
	if n := strings.Count(log, "\n"); n != 5 {
		t.Errorf("%d log lines, want 5: one per request", n)
	}
}

// TestLostAnswers: when DynamoDB applies a transaction but its answer is
// lost, the SDK's retry carries the same ClientRequestToken (the SDK fills
// one in per call) and DynamoDB answers it as a success, so the user is
// neither refused by their own first write nor left without a code. testenv
// emulates that DynamoDB behaviour, which minidyn lacks.
func TestLostAnswers(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	answer := e.Captcha(t, c, "send-sms-code")
	e.Faults.LoseAnswersOf("TransactWriteItems", 1)
	r := e.Call(t, c, "send-sms-code", "sendSmsCode", map[string]any{"mobile": "13800138000", "scene": "login-by-sms", "captcha": answer})
	if _, sent := e.Sent.LastSMS("+8613800138000"); r.Code() != "0" || !sent {
		t.Fatalf("sendSmsCode with a lost answer: %s (sent %v)", r.Raw, sent)
	}
	capt := e.Captcha(t, c, "register")
	e.Faults.LoseAnswersOf("TransactWriteItems", 1)
	r = e.Call(t, c, "register", "registerUser", map[string]any{"username": "carol_1", "password": "a good password", "captcha": capt})
	if r.Code() != "0" || len(e.Scan(t, e.Names.Users)) != 1 {
		t.Fatalf("registerUser with a lost answer: %s", r.Raw)
	}
	if r := info(t, e, c); r.Code() != "0" {
		t.Fatalf("the token of that registration: %s", r.Raw)
	}
}
