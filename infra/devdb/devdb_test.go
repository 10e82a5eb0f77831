package devdb

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/truora/minidyn/server"
)

func TestMain(m *testing.M) {
	slog.SetLogLoggerLevel(slog.LevelWarn) // drop the "opened" lines
	os.Exit(m.Run())
}

// ---- helpers ----

func openDB(t testing.TB, path string) *DB {
	t.Helper()

	db, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}

	t.Cleanup(func() { _ = db.Close() })

	return db
}

func client(t testing.TB, db *DB) *dynamodb.Client {
	t.Helper()

	ts := httptest.NewServer(db)
	t.Cleanup(ts.Close)

	return dynamodb.New(dynamodb.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(ts.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("x", "y", ""),
		RetryMaxAttempts: 1,
	})
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int) types.AttributeValue    { return &types.AttributeValueMemberN{Value: strconv.Itoa(v)} }

func key(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"id": s(id)}
}

// createUsers creates the "users" table with a GSI on email.
func createUsers(t testing.TB, c *dynamodb.Client) {
	t.Helper()

	_, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName: aws.String("users"),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("email"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema:   []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode: types.BillingModePayPerRequest,
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String("by_email"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("email"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
}

// createSessions creates the provisioned "sessions" table (hash+range) with an LSI.
func createSessions(t testing.TB, c *dynamodb.Client) {
	t.Helper()

	_, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName: aws.String("sessions"),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("uid"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sid"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("created"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("uid"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sid"), KeyType: types.KeyTypeRange},
		},
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
			IndexName: aws.String("by_created"),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("uid"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("created"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
	})
	if err != nil {
		t.Fatalf("CreateTable sessions: %v", err)
	}
}

func put(t testing.TB, c *dynamodb.Client, table string, item map[string]types.AttributeValue) {
	t.Helper()

	if _, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("PutItem %s: %v", table, err)
	}
}

// av renders an attribute value canonically, for comparisons.
func av(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return "S" + strconv.Quote(v.Value)
	case *types.AttributeValueMemberN:
		return "N" + v.Value
	case *types.AttributeValueMemberB:
		return "B" + hex.EncodeToString(v.Value)
	case *types.AttributeValueMemberBOOL:
		return "BOOL" + strconv.FormatBool(v.Value)
	case *types.AttributeValueMemberNULL:
		return "NULL"
	case *types.AttributeValueMemberSS: // sets are unordered
		return fmt.Sprintf("SS%q", slices.Sorted(slices.Values(v.Value)))
	case *types.AttributeValueMemberNS:
		return fmt.Sprintf("NS%q", slices.Sorted(slices.Values(v.Value)))
	case *types.AttributeValueMemberBS:
		return fmt.Sprintf("BS%x", slices.SortedFunc(slices.Values(v.Value), bytes.Compare))
	case *types.AttributeValueMemberL:
		parts := make([]string, len(v.Value))
		for i, e := range v.Value {
			parts[i] = av(e)
		}

		return "L[" + strings.Join(parts, ",") + "]"
	case *types.AttributeValueMemberM:
		return "M" + item(v.Value)
	default:
		return fmt.Sprintf("?%T", v)
	}
}

func item(m map[string]types.AttributeValue) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}

	slices.Sort(keys)

	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + av(m[k])
	}

	return "{" + strings.Join(parts, ",") + "}"
}

func items(ms []map[string]types.AttributeValue) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = item(m)
	}

	slices.Sort(out)

	return out
}

// dump scans a table fully and returns its items canonically, sorted.
func dump(t testing.TB, c *dynamodb.Client, table string) []string {
	t.Helper()

	var all []map[string]types.AttributeValue

	p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String(table)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("Scan %s: %v", table, err)
		}

		all = append(all, out.Items...)
	}

	return items(all)
}

func byEmail(t testing.TB, c *dynamodb.Client, email string) []string {
	t.Helper()

	out, err := c.Query(context.Background(), &dynamodb.QueryInput{
		TableName:                 aws.String("users"),
		IndexName:                 aws.String("by_email"),
		KeyConditionExpression:    aws.String("email = :e"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":e": s(email)},
	})
	if err != nil {
		t.Fatalf("Query by_email %s: %v", email, err)
	}

	return items(out.Items)
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}

	return fi.Size()
}

func equal(t testing.TB, what string, got, want []string) {
	t.Helper()

	if !slices.Equal(got, want) {
		t.Fatalf("%s differs\n got: %v\nwant: %v", what, got, want)
	}
}

// ---- tests ----

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nested", "dir", "devdb.jsonl") // parents created
	db := openDB(t, path)
	c := client(t, db)

	createUsers(t, c)
	createSessions(t, c)

	for i := 1; i <= 5; i++ {
		id := fmt.Sprintf("u%d", i)
		put(t, c, "users", map[string]types.AttributeValue{
			"id": s(id), "email": s(id + "@example.com"), "n": n(i),
			"tags": &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
			"bin":  &types.AttributeValueMemberB{Value: []byte{0, 1, 2, byte(i)}},
			"prof": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
				"nick": s("nick" + id), "ok": &types.AttributeValueMemberBOOL{Value: false},
				"none": &types.AttributeValueMemberNULL{Value: true}, "empty": s(""),
				"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{n(1), s("x")}},
			}},
		})
	}

	// Update: change email (moves the item in the GSI) and bump a counter.
	_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String("users"),
		Key:                       key("u1"),
		UpdateExpression:          aws.String("SET email = :e, #nm = :nm ADD logins :one"),
		ExpressionAttributeNames:  map[string]string{"#nm": "name"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":e": s("new1@example.com"), ":nm": s("Ann"), ":one": n(1)},
		ReturnValues:              types.ReturnValueAllNew,
	})
	if err != nil {
		t.Fatalf("UpdateItem: %v", err)
	}

	if _, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("users"), Key: key("u3")}); err != nil {
		t.Fatalf("DeleteItem: %v", err)
	}

	_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"users": {
			{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"id": s("u6"), "email": s("u6@example.com")}}},
			{DeleteRequest: &types.DeleteRequest{Key: key("u2")}},
		},
		"sessions": {
			{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"uid": s("u1"), "sid": s("s1"), "created": n(100)}}},
			{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"uid": s("u1"), "sid": s("s2"), "created": n(50)}}},
		},
	}})
	if err != nil {
		t.Fatalf("BatchWriteItem: %v", err)
	}

	// A successful transaction.
	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("users"), Item: map[string]types.AttributeValue{"id": s("u7"), "email": s("u7@example.com")}, ConditionExpression: aws.String("attribute_not_exists(id)")}},
		{Update: &types.Update{TableName: aws.String("users"), Key: key("u4"), UpdateExpression: aws.String("SET verified = :t"), ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}}}},
	}})
	if err != nil {
		t.Fatalf("TransactWriteItems: %v", err)
	}

	// A table created then deleted must not come back.
	_, err = c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("scratch"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("k"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("k"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable scratch: %v", err)
	}

	put(t, c, "scratch", map[string]types.AttributeValue{"k": s("x")})

	if _, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("scratch")}); err != nil {
		t.Fatalf("DeleteTable: %v", err)
	}

	// A GSI added later by UpdateTable must persist (minidyn replaces the
	// attribute definitions, so all are passed).
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{
		TableName: aws.String("users"),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("email"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("nick"), AttributeType: types.ScalarAttributeTypeS},
		},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName:  aws.String("by_nick"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("nick"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}}},
	})
	if err != nil {
		t.Fatalf("UpdateTable: %v", err)
	}

	put(t, c, "users", map[string]types.AttributeValue{"id": s("u8"), "email": s("u8@example.com"), "nick": s("eight")})

	// Failed writes: not journaled, no effect.
	sizeBefore := fileSize(t, path)

	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("users"), Item: map[string]types.AttributeValue{"id": s("u9"), "email": s("u9@example.com")}}},
		{Update: &types.Update{TableName: aws.String("users"), Key: key("u4"), UpdateExpression: aws.String("SET hacked = :t"), ExpressionAttributeValues: map[string]types.AttributeValue{":t": s("yes")}}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("users"), Key: key("u1"), ConditionExpression: aws.String("attribute_not_exists(id)")}},
	}})

	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		t.Fatalf("failing TransactWriteItems: want TransactionCanceledException, got %v", err)
	}

	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String("users"), Item: map[string]types.AttributeValue{"id": s("u1"), "email": s("clobber@example.com")},
		ConditionExpression: aws.String("attribute_not_exists(id)"),
	})

	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("conditional PutItem: want ConditionalCheckFailedException, got %v", err)
	}

	if got := fileSize(t, path); got != sizeBefore {
		t.Fatalf("failed writes were journaled: size %d -> %d", sizeBefore, got)
	}

	wantUsers := dump(t, c, "users")
	wantSessions := dump(t, c, "sessions")
	wantNew1 := byEmail(t, c, "new1@example.com")
	wantU4 := byEmail(t, c, "u4@example.com")

	if len(wantUsers) != 6 || len(wantSessions) != 2 || len(wantNew1) != 1 || len(wantU4) != 1 {
		t.Fatalf("unexpected state before reopen: users=%v sessions=%v", wantUsers, wantSessions)
	}

	for _, u := range wantUsers {
		if strings.Contains(u, "u9") || strings.Contains(u, "hacked") || strings.Contains(u, "clobber") {
			t.Fatalf("failed write had an effect: %s", u)
		}
	}

	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Reopen twice: first replays the raw journal, second the compacted one.
	for round := 1; round <= 2; round++ {
		db2 := openDB(t, path)
		c2 := client(t, db2)

		equal(t, fmt.Sprintf("round %d users", round), dump(t, c2, "users"), wantUsers)
		equal(t, fmt.Sprintf("round %d sessions", round), dump(t, c2, "sessions"), wantSessions)
		equal(t, fmt.Sprintf("round %d GSI new1", round), byEmail(t, c2, "new1@example.com"), wantNew1)
		equal(t, fmt.Sprintf("round %d GSI u4", round), byEmail(t, c2, "u4@example.com"), wantU4)
		equal(t, fmt.Sprintf("round %d GSI old u1 email", round), byEmail(t, c2, "u1@example.com"), nil)
		equal(t, fmt.Sprintf("round %d GSI deleted u2", round), byEmail(t, c2, "u2@example.com"), nil)

		out, err := c2.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String("users"), IndexName: aws.String("by_nick"),
			KeyConditionExpression:    aws.String("nick = :n"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":n": s("eight")},
		})
		if err != nil || len(out.Items) != 1 {
			t.Fatalf("round %d: query by_nick: %v %v", round, err, out)
		}

		lsi, err := c2.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String("sessions"), IndexName: aws.String("by_created"),
			KeyConditionExpression:    aws.String("uid = :u AND created > :c"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":u": s("u1"), ":c": n(60)},
		})
		if err != nil || len(lsi.Items) != 1 || item(lsi.Items[0]) != `{created=N100,sid=S"s1",uid=S"u1"}` {
			t.Fatalf("round %d: query LSI: %v %v", round, err, lsi)
		}

		desc, err := c2.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("users")})
		if err != nil || len(desc.Table.GlobalSecondaryIndexes) != 2 {
			t.Fatalf("round %d: DescribeTable users: %v %+v", round, err, desc)
		}

		var rnf *types.ResourceNotFoundException
		if _, err := c2.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("scratch")}); !errors.As(err, &rnf) {
			t.Fatalf("round %d: deleted table came back: %v", round, err)
		}

		// The store still works after reopening, conditions included.
		_, err = c2.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String("users"), Key: key("u1"),
			UpdateExpression:          aws.String("ADD logins :one"),
			ConditionExpression:       aws.String("logins = :n"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1), ":n": n(round)},
		})
		if err != nil {
			t.Fatalf("round %d: UpdateItem after reopen: %v", round, err)
		}

		wantUsers = dump(t, c2, "users")
		wantNew1 = byEmail(t, c2, "new1@example.com")

		if err := db2.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCompaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "devdb.jsonl")
	db := openDB(t, path)
	c := client(t, db)
	createUsers(t, c)

	for i := range 300 {
		put(t, c, "users", map[string]types.AttributeValue{"id": s("hot"), "email": s("hot@example.com"), "v": n(i), "pad": s(strings.Repeat("x", 100))})
	}

	for i := range 10 {
		put(t, c, "users", map[string]types.AttributeValue{"id": s(fmt.Sprint("cold", i)), "email": s(fmt.Sprint("cold", i, "@example.com"))})
	}

	want := dump(t, c, "users")

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	raw := fileSize(t, path)

	db2 := openDB(t, path)
	equal(t, "after first reopen", dump(t, client(t, db2), "users"), want)

	if err := db2.Close(); err != nil {
		t.Fatal(err)
	}

	compacted, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	if lines := bytes.Count(compacted, []byte("\n")); lines != 1+11 {
		t.Errorf("compacted journal has %d lines, want 12 (1 CreateTable + 11 PutItem)", lines)
	}

	if int64(len(compacted))*10 > raw {
		t.Errorf("compacted journal is %d bytes, raw was %d: expected at least 10x smaller", len(compacted), raw)
	}

	t.Logf("journal: %d bytes raw, %d bytes compacted", raw, len(compacted))

	db3 := openDB(t, path)
	equal(t, "after second reopen", dump(t, client(t, db3), "users"), want)

	if err := db3.Close(); err != nil {
		t.Fatal(err)
	}

	again, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	if !bytes.Equal(again, compacted) {
		t.Errorf("compacting a compacted journal changed it:\n%s\n---\n%s", compacted, again)
	}

	// No leftover temp files.
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".compact-") {
			t.Errorf("leftover temp file %s", e.Name())
		}
	}
}

func TestTruncatedLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "devdb.jsonl")
	db := openDB(t, path)
	c := client(t, db)
	createUsers(t, c)
	put(t, c, "users", map[string]types.AttributeValue{"id": s("a"), "email": s("a@x")})
	want := dump(t, c, "users")

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Simulate a crash part-way through appending a line.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := f.WriteString(`{"op":"PutItem","body":{"TableName":"users","Item":{"id":{"S":"b"},"em`); err != nil {
		t.Fatal(err)
	}

	f.Close()

	db2 := openDB(t, path)
	c2 := client(t, db2)
	equal(t, "after truncated tail", dump(t, c2, "users"), want)

	// Writing after the repair works and survives another reopen.
	put(t, c2, "users", map[string]types.AttributeValue{"id": s("c"), "email": s("c@x")})
	want = dump(t, c2, "users")

	if err := db2.Close(); err != nil {
		t.Fatal(err)
	}

	equal(t, "after write past repaired tail", dump(t, client(t, openDB(t, path)), "users"), want)
}

func TestUnterminatedValidLastLineIsApplied(t *testing.T) {
	path := filepath.Join(t.TempDir(), "devdb.jsonl")
	db := openDB(t, path)
	createUsers(t, client(t, db))

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := f.WriteString(`{"op":"PutItem","body":{"TableName":"users","Item":{"id":{"S":"b"},"email":{"S":"b@x"}}}}`); err != nil {
		t.Fatal(err)
	}

	f.Close()

	got := dump(t, client(t, openDB(t, path)), "users")
	equal(t, "users", got, []string{`{email=S"b@x",id=S"b"}`})
}

func TestBadJournal(t *testing.T) {
	create := `{"op":"CreateTable","body":{"TableName":"t","AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}],"KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}}`
	putA := `{"op":"PutItem","body":{"TableName":"t","Item":{"k":{"S":"a"}}}}`
	putOnce := `{"op":"PutItem","body":{"TableName":"t","Item":{"k":{"S":"a"}},"ConditionExpression":"attribute_not_exists(k)"}}`

	cases := []struct {
		name, journal, want string
	}{
		{"corrupt middle line", create + "\n" + `{"op":"PutItem","bo` + "\n" + putA + "\n", "line 2"},
		{"not JSON", create + "\ngarbage\n" + putA + "\n", "line 2"},
		{"unknown op", create + "\n" + `{"op":"GetItem","body":{}}` + "\n", `line 2: bad journal entry: unknown op "GetItem"`},
		{"missing body", create + "\n" + `{"op":"PutItem"}` + "\n", "line 2"},
		{"complete but bad last line", create + "\n" + putA + "\n" + "{oops}\n", "line 3"},
		{"replay diverges", create + "\n" + putOnce + "\n" + putOnce + "\n", "line 3: PutItem failed on replay"},
		{"no such table", putA + "\n", "line 1: PutItem failed on replay"},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "devdb.jsonl")
			if err := os.WriteFile(path, []byte(tc.journal), 0o600); err != nil {
				t.Fatal(err)
			}

			db, err := Open(path)
			if err == nil {
				db.Close()
				t.Fatalf("Open succeeded, want error mentioning %q", tc.want)
			}

			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}

			// The journal is left untouched and the lock released.
			got, _ := os.ReadFile(path)
			if string(got) != tc.journal {
				t.Errorf("journal modified by failed Open")
			}

			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}

			db, err = Open(path)
			if err != nil {
				t.Fatalf("Open after failure: %v", err)
			}

			db.Close()
		})
	}
}

func TestConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "devdb.jsonl")
	db := openDB(t, path)
	c := client(t, db)
	createUsers(t, c)
	put(t, c, "users", map[string]types.AttributeValue{"id": s("log"), "email": s("log@x"), "seq": &types.AttributeValueMemberL{Value: []types.AttributeValue{}}})

	const writers, perWriter = 20, 15

	var wg sync.WaitGroup

	stop := make(chan struct{})
	errs := make(chan error, writers*perWriter*2+100)

	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				id := fmt.Sprintf("w%02d-%02d", w, i)
				if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("users"), Item: map[string]types.AttributeValue{"id": s(id), "email": s(id + "@x"), "w": n(w)}}); err != nil {
					errs <- err
				}

				// Order-sensitive: the list must replay in exactly this order.
				_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
					TableName: aws.String("users"), Key: key("log"),
					UpdateExpression:          aws.String("SET seq = list_append(seq, :x) ADD hits :one"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":x": &types.AttributeValueMemberL{Value: []types.AttributeValue{s(id)}}, ":one": n(1)},
				})
				if err != nil {
					errs <- err
				}
			}
		})
	}

	// Readers and table churn alongside, for the race detector.
	var readers sync.WaitGroup
	for r := range 4 {
		readers.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}

				var err error

				switch (r + i) % 4 {
				case 0:
					_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("users"), Key: key("log")})
				case 1:
					_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("users"), IndexName: aws.String("by_email"), KeyConditionExpression: aws.String("email = :e"), ExpressionAttributeValues: map[string]types.AttributeValue{":e": s("w00-00@x")}})
				case 2:
					_, err = c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("users"), Limit: aws.Int32(10)})
				case 3:
					_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("users")})
				}

				if err != nil {
					errs <- err
				}
			}
		})
	}

	wg.Go(func() {
		for i := range 10 {
			name := fmt.Sprintf("churn%d", i)
			_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
				TableName:            aws.String(name),
				AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("k"), AttributeType: types.ScalarAttributeTypeS}},
				KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("k"), KeyType: types.KeyTypeHash}},
				BillingMode:          types.BillingModePayPerRequest,
			})
			if err == nil && i%2 == 0 {
				_, err = c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
			}

			if err != nil {
				errs <- err
			}
		}
	})

	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)

	for err := range errs {
		t.Errorf("concurrent request: %v", err)
	}

	want := dump(t, c, "users")
	if len(want) != writers*perWriter+1 {
		t.Fatalf("got %d users, want %d", len(want), writers*perWriter+1)
	}

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	c2 := client(t, openDB(t, path))
	equal(t, "users after reopen", dump(t, c2, "users"), want)

	for i := range 10 {
		_, err := c2.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(fmt.Sprintf("churn%d", i))})
		if (err == nil) != (i%2 == 1) {
			t.Errorf("churn%d: DescribeTable err=%v", i, err)
		}
	}
}

func TestSecondOpenIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "devdb.jsonl")
	db := openDB(t, path)

	if db2, err := Open(path); err == nil {
		db2.Close()
		t.Fatal("second Open of the same journal succeeded")
	} else if !strings.Contains(err.Error(), "in use") {
		t.Fatalf("unexpected error: %v", err)
	}

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	openDB(t, path)
}

func TestClosedRefusesWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "devdb.jsonl")
	db := openDB(t, path)
	c := client(t, db)
	createUsers(t, c)
	put(t, c, "users", map[string]types.AttributeValue{"id": s("a"), "email": s("a@x")})

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("users"), Item: key("b")}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("PutItem after Close: %v", err)
	}

	if got := dump(t, c, "users"); len(got) != 1 {
		t.Fatalf("reads after Close: %v", got)
	}
}

// TestEmptyCollections: an empty list, map or binary reads back with its
// type from every answer that carries items, where minidyn's own server
// answers a typeless {} (the SDK then reads another attribute's value in
// its place), after a cancelled transaction too, and survives compaction.
// (Not in the item of a failed condition:
// minidyn itself turns the empty lists and maps in it into NULL.)
func TestEmptyCollections(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "devdb.jsonl")
	db := openDB(t, path)
	c := client(t, db)
	createUsers(t, c)

	emptyL := &types.AttributeValueMemberL{Value: []types.AttributeValue{}}
	emptyM := &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}}
	stored := map[string]types.AttributeValue{
		"id": s("b"), "email": s("b@x"),
		"roles": emptyL,
		"meta":  &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"inner": emptyL, "none": emptyM}},
		"list":  &types.AttributeValueMemberL{Value: []types.AttributeValue{emptyM, emptyL}},
		"json":  s(`{"a":{}}`),
	}
	want := item(stored)
	put(t, c, "users", stored)

	answers := map[string]func() (map[string]types.AttributeValue, error){
		"GetItem": func() (map[string]types.AttributeValue, error) {
			out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("users"), Key: key("b")})
			if err != nil {
				return nil, err
			}
			return out.Item, nil
		},
		"Scan": func() (map[string]types.AttributeValue, error) {
			out, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("users")})
			if err != nil {
				return nil, err
			}
			if len(out.Items) != 1 {
				return nil, fmt.Errorf("%d items, want 1", len(out.Items))
			}
			return out.Items[0], nil
		},
		"BatchGetItem": func() (map[string]types.AttributeValue, error) {
			out, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				"users": {Keys: []map[string]types.AttributeValue{key("b")}}}})
			if err != nil {
				return nil, err
			}
			if len(out.Responses["users"]) != 1 {
				return nil, fmt.Errorf("responses %v, want 1 item", out.Responses)
			}
			return out.Responses["users"][0], nil
		},
		"TransactGetItems": func() (map[string]types.AttributeValue, error) {
			out, err := c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
				{Get: &types.Get{TableName: aws.String("users"), Key: key("b")}}}})
			if err != nil {
				return nil, err
			}
			return out.Responses[0].Item, nil
		},
		"UpdateItem ALL_NEW": func() (map[string]types.AttributeValue, error) {
			out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName: aws.String("users"), Key: key("b"), UpdateExpression: aws.String("SET #j = :j"),
				ExpressionAttributeNames:  map[string]string{"#j": "json"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":j": s(`{"a":{}}`)},
				ReturnValues:              types.ReturnValueAllNew,
			})
			if err != nil {
				return nil, err
			}
			return out.Attributes, nil
		},
	}
	// A cancelled transaction on the table leaves them as they were.
	_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{
		Put: &types.Put{TableName: aws.String("users"), Item: map[string]types.AttributeValue{"id": s("b"), "email": s("x")},
			ConditionExpression: aws.String("attribute_not_exists(id)")},
	}}})
	if _, ok := errors.AsType[*types.TransactionCanceledException](err); !ok {
		t.Fatalf("the transaction bound to fail: %v", err)
	}

	for name, read := range answers {
		t.Run(name, func(t *testing.T) {
			got, err := read()
			if err != nil {
				t.Fatal(err)
			}
			if item(got) != want {
				t.Errorf("got  %s\nwant %s", item(got), want)
			}
		})
	}

	out, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("users"), Key: key("b"), ReturnValues: types.ReturnValueAllOld})
	if err != nil {
		t.Fatalf("DeleteItem: %v", err)
	}
	if item(out.Attributes) != want {
		t.Fatalf("DeleteItem ALL_OLD\n got %s\nwant %s", item(out.Attributes), want)
	}

	put(t, c, "users", stored)

	// minidyn evaluates no update expression on an item holding an empty
	// binary, so that one is only read.
	withBin := map[string]types.AttributeValue{"id": s("c"), "email": s("c@x"), "bin": &types.AttributeValueMemberB{Value: []byte{}}}
	put(t, c, "users", withBin)

	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("users"), Key: key("c")})
	if err != nil || item(got.Item) != item(withBin) {
		t.Fatalf("an empty binary: %v %v", got, err)
	}

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db2 := openDB(t, path)
	equal(t, "after compaction", dump(t, client(t, db2), "users"), items([]map[string]types.AttributeValue{stored, withBin}))

	j, _ := os.ReadFile(path)
	if lines := bytes.Count(j, []byte("\n")); lines != 3 {
		t.Errorf("compacted journal has %d lines, want 3 (CreateTable, 2 PutItem):\n%s", lines, j)
	}
}

// TestMinidynDropsEmptyCollections records why devdb answers requests
// itself and runs transactions itself: minidyn's own server loses an empty
// list's type in its answers, and in its tables when it rolls a
// transaction back. When it stops, protocol.go may go; transact.go stays
// while minidyn copies whole tables for a transaction.
func TestMinidynDropsEmptyCollections(t *testing.T) {
	ctx := context.Background()
	ts := httptest.NewServer(server.NewServer())
	t.Cleanup(ts.Close)

	c := dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(ts.URL),
		Credentials: credentials.NewStaticCredentialsProvider("x", "y", ""), RetryMaxAttempts: 1,
	})
	createUsers(t, c)
	put(t, c, "users", map[string]types.AttributeValue{"id": s("b"), "email": s("b@x"), "roles": &types.AttributeValueMemberL{Value: []types.AttributeValue{}}})

	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("users"), Key: key("b")})
	if err != nil {
		t.Fatal(err)
	}

	if _, ok := out.Item["roles"].(*types.AttributeValueMemberL); ok {
		t.Errorf("minidyn's server now answers an empty list faithfully: devdb's protocol.go may go")
	}

	_, _ = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{
		Put: &types.Put{TableName: aws.String("users"), Item: map[string]types.AttributeValue{"id": s("b"), "email": s("x")},
			ConditionExpression: aws.String("attribute_not_exists(id)")},
	}}})

	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String("users"), Key: key("b"), UpdateExpression: aws.String("SET #e = :e"),
		ConditionExpression:       aws.String("attribute_exists(#e)"),
		ExpressionAttributeNames:  map[string]string{"#e": "email"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":e": s("c@x")},
	})
	if err == nil {
		t.Errorf("minidyn now keeps an empty list across a cancelled transaction")
	}
}

func TestGzipRequestBody(t *testing.T) {
	path := filepath.Join(t.TempDir(), "devdb.jsonl")
	db := openDB(t, path)
	c := client(t, db)
	createUsers(t, c)

	var zbody bytes.Buffer

	zw := gzip.NewWriter(&zbody)
	zw.Write([]byte(`{"TableName":"users","Item":{"id":{"S":"z"},"email":{"S":"z@x"}}}`))
	zw.Close()

	req := httptest.NewRequest(http.MethodPost, "/", &zbody)
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
	req.Header.Set("Content-Encoding", "gzip")

	rec := httptest.NewRecorder()
	db.ServeHTTP(rec, req)

	if rec.Code != http.StatusOK {
		t.Fatalf("gzip PutItem: %d %s", rec.Code, rec.Body)
	}

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	equal(t, "users", dump(t, client(t, openDB(t, path)), "users"), []string{`{email=S"z@x",id=S"z"}`})
}

// writeJournal writes a journal of one users table and n items, as a
// compaction would.
func writeJournal(t testing.TB, path string, n int) {
	t.Helper()

	var b bytes.Buffer

	b.WriteString(`{"op":"CreateTable","body":{"TableName":"users","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"email","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST","GlobalSecondaryIndexes":[{"IndexName":"by_email","KeySchema":[{"AttributeName":"email","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}}` + "\n")

	for i := range n {
		fmt.Fprintf(&b, `{"op":"PutItem","body":{"TableName":"users","Item":{"id":{"S":"user-%08d"},"email":{"S":"user%d@example.com"},"username":{"S":"user%d"},"password":{"S":"$2a$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"},"role":{"L":[{"S":"user"}]},"register_date":{"N":"%d"},"status":{"N":"0"},"token":{"L":[{"S":"tok-%d"}]}}}}`+"\n",
			i, i, i, 1700000000000+int64(i), i)
	}

	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestOpen10kItems reports how long Open takes for a journal of 10k items.
func TestOpen10kItems(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}

	path := filepath.Join(t.TempDir(), "devdb.jsonl")
	writeJournal(t, path, 10_000)

	start := time.Now()
	db := openDB(t, path)
	t.Logf("Open of a 10k-item journal (%d bytes): %v", fileSize(t, path), time.Since(start))

	c := client(t, db)
	if got := len(dump(t, c, "users")); got != 10_000 {
		t.Fatalf("%d items after Open, want 10000", got)
	}

	if got := byEmail(t, c, "user9999@example.com"); len(got) != 1 {
		t.Fatalf("GSI lookup: %v", got)
	}
}

// BenchmarkOpen measures Open of a compacted journal (replay, then compaction).
// minidyn re-sorts a table's keys on every insert, so the cost grows
// quadratically with the item count.
func BenchmarkOpen(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "devdb.jsonl")
			writeJournal(b, path, n)

			for b.Loop() {
				db, err := Open(path)
				if err != nil {
					b.Fatal(err)
				}

				db.Close()
			}
		})
	}
}

func BenchmarkPutItem(b *testing.B) {
	db := openDB(b, filepath.Join(b.TempDir(), "devdb.jsonl"))
	c := client(b, db)
	createUsers(b, c)

	i := 0
	for b.Loop() {
		put(b, c, "users", map[string]types.AttributeValue{"id": s(strconv.Itoa(i % 1000)), "email": s("e@x"), "v": n(i)})
		i++
	}
}
