package devdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/truora/minidyn/server"
)

// The scale of a store: what a registration's transaction costs on a store
// of 10,000 accounts against an empty one, and what importing 10,000
// accounts one transaction each costs. These measure and log; they assert
// no timing.

// accountTables is the CreateTable lines of a users table and a keys table,
// as idco's store defines them.
const accountTables = `{"op":"CreateTable","body":{"TableName":"users","AttributeDefinitions":[{"AttributeName":"uid","AttributeType":"S"}],"KeySchema":[{"AttributeName":"uid","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}}
{"op":"CreateTable","body":{"TableName":"keys","AttributeDefinitions":[{"AttributeName":"key","AttributeType":"S"}],"KeySchema":[{"AttributeName":"key","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}}
`

// accountItem is an account of some realistic size: a few scalars, lists
// (one of them empty) and a map.
func accountItem(uid string, i int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"uid":           s(uid),
		"username":      s(fmt.Sprintf("user_%d", i)),
		"password":      s("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO"),
		"role":          &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
		"status":        n(0),
		"register_date": n(1700000000000 + i),
		"register_env":  &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"appid": s("__UNI__bench"), "platform": s("web"), "client_ip": s("127.0.0.1")}},
		"token":         &types.AttributeValueMemberL{Value: []types.AttributeValue{s(fmt.Sprintf("session-%d", i))}},
	}
}

// registration is the transaction that registers account i: the account
// and its username key, each put only where absent.
func registration(uid string, i int) *dynamodb.TransactWriteItemsInput {
	return &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{
			TableName: aws.String("users"), Item: accountItem(uid, i),
			ConditionExpression: aws.String("attribute_not_exists(#u)"), ExpressionAttributeNames: map[string]string{"#u": "uid"},
		}},
		{Put: &types.Put{
			TableName: aws.String("keys"), Item: map[string]types.AttributeValue{"key": s(fmt.Sprintf("username:user_%d", i)), "uid": s(uid)},
			ConditionExpression: aws.String("attribute_not_exists(#u)"), ExpressionAttributeNames: map[string]string{"#u": "uid"},
		}},
	}}
}

// uidOf spreads uids over the key space, as random ids are.
func uidOf(i int) string { return fmt.Sprintf("%08x-%d", uint32(i)*2654435761, i) }

// writeAccounts writes a journal of the two tables and n accounts with
// their keys, as a compaction would.
func writeAccounts(t testing.TB, path string, n int) {
	t.Helper()

	var b bytes.Buffer

	b.WriteString(accountTables)

	for i := range n {
		in := registration(uidOf(i), i)
		for _, it := range in.TransactItems {
			body, err := jsonv2.Marshal(server.PutItemInput{TableName: it.Put.TableName, Item: wireItem(it.Put.Item)}, wireOptions)
			if err != nil {
				t.Fatal(err)
			}

			line, err := journalLine("PutItem", body)
			if err != nil {
				t.Fatal(err)
			}

			b.Write(line)
		}
	}

	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkTransaction measures one registration transaction on a store of
// 0 and of 10,000 accounts, through the SDK as the account code sends it.
//
//	go test -run '^$' -bench Transaction -benchtime 2000x ./infra/devdb/
func BenchmarkTransaction(b *testing.B) {
	for _, size := range []int{0, 10_000} {
		b.Run(fmt.Sprintf("accounts=%d", size), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "devdb.jsonl")
			writeAccounts(b, path, size)
			c := client(b, openDB(b, path))
			ctx := context.Background()

			i := size
			for b.Loop() {
				if _, err := c.TransactWriteItems(ctx, registration(uidOf(i), i)); err != nil {
					b.Fatal(err)
				}

				i++
			}
		})
	}
}

// TestImport10kAccounts logs how long importing 10,000 accounts takes, one
// two-item transaction each, and how long one more registration then takes
// against one on the empty store; then checks every account is there after
// a reopen.
//
//	go test -count=1 -run TestImport10kAccounts -v ./infra/devdb/
func TestImport10kAccounts(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("slow, and a measurement: not with -short or -race")
	}

	const accounts = 10_000

	path := filepath.Join(t.TempDir(), "devdb.jsonl")
	writeAccounts(t, path, 0)
	db := openDB(t, path)
	c := client(t, db)
	ctx := context.Background()

	// The first few registrations, on a nearly empty store.
	const probe = 200

	start := time.Now()

	for i := range probe {
		if _, err := c.TransactWriteItems(ctx, registration(uidOf(i), i)); err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}

	empty := time.Since(start) / probe

	for i := probe; i < accounts; i++ {
		if _, err := c.TransactWriteItems(ctx, registration(uidOf(i), i)); err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}

	total := time.Since(start)

	start = time.Now()

	for i := accounts; i < accounts+probe; i++ {
		if _, err := c.TransactWriteItems(ctx, registration(uidOf(i), i)); err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}

	full := time.Since(start) / probe

	t.Logf("import of %d accounts, one transaction each: %v; a transaction on the empty store %v, on %d accounts %v (%.2fx)",
		accounts, total.Round(time.Millisecond), empty, accounts, full, float64(full)/float64(empty))

	// A taken key still cancels the transaction, and the store still holds
	// every account after a reopen.
	_, err := c.TransactWriteItems(ctx, registration("another", 5))
	if tc, ok := errors.AsType[*types.TransactionCanceledException](err); !ok || len(tc.CancellationReasons) != 2 ||
		aws.ToString(tc.CancellationReasons[0].Code) != "None" || aws.ToString(tc.CancellationReasons[1].Code) != "ConditionalCheckFailed" {
		t.Fatalf("a taken key: %v", err)
	}

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	c = client(t, openDB(t, path))
	for _, table := range []string{"users", "keys"} {
		if got := len(dump(t, c, table)); got != accounts+probe {
			t.Errorf("%s: %d items after reopen, want %d", table, got, accounts+probe)
		}
	}
}
