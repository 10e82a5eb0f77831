package devdb

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// transactState is what TestTransactWriteItems compares: every item of
// both tables and the GSI's answers.
func transactState(t *testing.T, c *dynamodb.Client) []string {
	t.Helper()

	state := append(dump(t, c, "users"), dump(t, c, "sessions")...)
	for _, e := range []string{"a@x", "b@x", "c@x", "new@x", "moved@x"} {
		state = append(state, e+" -> "+strings.Join(byEmail(t, c, e), " "))
	}

	return state
}

// TestTransactWriteItems: devdb's own transactions apply all their items
// or none, report every failed condition by index as DynamoDB does, and
// replay from the journal.
func TestTransactWriteItems(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "devdb.jsonl")
	db := openDB(t, path)
	c := client(t, db)
	createUsers(t, c)
	createSessions(t, c)

	emptyL := &types.AttributeValueMemberL{Value: []types.AttributeValue{}}
	a := map[string]types.AttributeValue{"id": s("a"), "email": s("a@x"), "roles": emptyL, "n": n(1),
		"meta": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"none": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}}}}}
	put(t, c, "users", a)
	d := map[string]types.AttributeValue{"id": s("d"), "email": s("d@x"), "roles": emptyL,
		"list": &types.AttributeValueMemberL{Value: []types.AttributeValue{emptyL, &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}}}}}
	put(t, c, "users", d)
	put(t, c, "users", map[string]types.AttributeValue{"id": s("b"), "email": s("b@x"), "n": n(2)})
	put(t, c, "users", map[string]types.AttributeValue{"id": s("c"), "email": s("c@x"), "n": n(3)})
	put(t, c, "sessions", map[string]types.AttributeValue{"uid": s("a"), "sid": s("s1"), "created": n(10)})

	tx := func(items ...types.TransactWriteItem) error {
		_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		return err
	}

	users := aws.String("users")
	exists := aws.String("attribute_exists(id)")
	absent := aws.String("attribute_not_exists(id)")

	// Every kind of item, each changing something, then a failing one.
	writeAll := func(last types.TransactWriteItem) []types.TransactWriteItem {
		return []types.TransactWriteItem{
			{Put: &types.Put{TableName: users, Item: map[string]types.AttributeValue{"id": s("new"), "email": s("new@x")}, ConditionExpression: absent}},
			{Put: &types.Put{TableName: users, Item: map[string]types.AttributeValue{"id": s("b"), "email": s("moved@x")}}},
			{Update: &types.Update{TableName: users, Key: key("a"), UpdateExpression: aws.String("SET #r = list_append(#r, :r), email = :e ADD #n :one"),
				ExpressionAttributeNames:  map[string]string{"#r": "roles", "#n": "n"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":r": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("admin")}}, ":e": s("moved@x"), ":one": n(1)}}},
			{Delete: &types.Delete{TableName: users, Key: key("c"), ConditionExpression: exists}},
			{Delete: &types.Delete{TableName: aws.String("sessions"), Key: map[string]types.AttributeValue{"uid": s("a"), "sid": s("s1")}}},
			{ConditionCheck: &types.ConditionCheck{TableName: users, Key: key("nobody"), ConditionExpression: absent}},
			last,
		}
	}

	before := transactState(t, c)
	size := fileSize(t, path)

	unchanged := func(what string) {
		t.Helper()
		equal(t, what, transactState(t, c), before)

		if got := fileSize(t, path); got != size {
			t.Fatalf("%s: journal grew from %d to %d bytes", what, size, got)
		}
	}

	// Failed conditions: every one reported, in request order, the item
	// where asked for (its empty list and map kept), nothing applied.
	err := tx(append(writeAll(types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: users, Key: key("d"), ConditionExpression: absent,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}}),
		types.TransactWriteItem{Put: &types.Put{TableName: users, Item: map[string]types.AttributeValue{"id": s("zz")}, ConditionExpression: exists,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}})...)

	tc, ok := errors.AsType[*types.TransactionCanceledException](err)
	if !ok {
		t.Fatalf("want TransactionCanceledException, got %v", err)
	}

	var codes []string
	for _, r := range tc.CancellationReasons {
		codes = append(codes, aws.ToString(r.Code))
	}

	equal(t, "reasons", codes, []string{"None", "None", "None", "None", "None", "None", "ConditionalCheckFailed", "ConditionalCheckFailed"})

	if got := item(tc.CancellationReasons[6].Item); got != item(d) {
		t.Errorf("the item of the failed check\n got %s\nwant %s", got, item(d))
	}

	if tc.CancellationReasons[7].Item != nil || aws.ToString(tc.CancellationReasons[7].Message) != "The conditional request failed" {
		t.Errorf("reason 7: %+v", tc.CancellationReasons[7])
	}

	unchanged("after a cancelled transaction")

	// Any other refusal of an item after the others ran: nothing applied.
	for name, last := range map[string]types.TransactWriteItem{
		"a bad update": {Update: &types.Update{TableName: users, Key: key("b"), UpdateExpression: aws.String("SET #x = :v")}},
		"a bad key":    {Update: &types.Update{TableName: users, Key: map[string]types.AttributeValue{"nope": s("b")}, UpdateExpression: aws.String("SET x = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": n(1)}}},
		"no operation": {},
	} {
		err := tx(writeAll(last)...)
		if ae, ok := errors.AsType[smithy.APIError](err); !ok || ae.ErrorCode() != "ValidationException" {
			t.Errorf("%s: want a ValidationException, got %v", name, err)
		}

		unchanged("after " + name)
	}

	// Refused before anything runs.
	err = tx(writeAll(types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: aws.String("nosuch"), Key: key("a"), ConditionExpression: exists}})...)
	if _, ok := errors.AsType[*types.ResourceNotFoundException](err); !ok {
		t.Errorf("a missing table: %v", err)
	}

	err = tx(writeAll(types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: users, Key: key("b"), ConditionExpression: exists}})...)
	if ae, ok := errors.AsType[smithy.APIError](err); !ok || !strings.Contains(ae.ErrorMessage(), "multiple operations on one item") {
		t.Errorf("an item named twice: %v", err)
	}

	unchanged("after refused transactions")

	// The same transaction whose conditions hold applies whole.
	if err := tx(writeAll(types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: users, Key: key("missing"), ConditionExpression: absent}})...); err != nil {
		t.Fatalf("the transaction bound to apply: %v", err)
	}

	want := transactState(t, c)
	equal(t, "applied", want, []string{
		`{email=S"d@x",id=S"d",list=L[L[],M{}],roles=L[]}`,
		`{email=S"moved@x",id=S"a",meta=M{none=M{}},n=N2,roles=L[S"admin"]}`,
		`{email=S"moved@x",id=S"b"}`,
		`{email=S"new@x",id=S"new"}`,
		"a@x -> ", "b@x -> ", "c@x -> ",
		`new@x -> {email=S"new@x",id=S"new"}`,
		`moved@x -> {email=S"moved@x",id=S"a",meta=M{none=M{}},n=N2,roles=L[S"admin"]} {email=S"moved@x",id=S"b"}`,
	})

	// The journal replays it, raw and compacted.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	for round := range 2 {
		db = openDB(t, path)
		c = client(t, db)
		equal(t, "after reopen "+strings.Repeat("again", round), transactState(t, c), want)

		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTransactCanceledWire: a cancelled transaction's answer, byte for
// byte, as DynamoDB shapes it.
func TestTransactCanceledWire(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "devdb.jsonl"))
	createUsers(t, client(t, db))
	put(t, client(t, db), "users", map[string]types.AttributeValue{"id": s("a"), "email": s("a@x")})

	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"TransactItems":[`+
		`{"Put":{"TableName":"users","Item":{"id":{"S":"b"}},"ConditionExpression":"attribute_not_exists(id)"}},`+
		`{"ConditionCheck":{"TableName":"users","Key":{"id":{"S":"a"}},"ConditionExpression":"attribute_not_exists(id)"}}]}`))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.TransactWriteItems")

	rec := httptest.NewRecorder()
	db.ServeHTTP(rec, req)

	want := `{"__type":"TransactionCanceledException","message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]",` +
		`"CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]}`
	if rec.Code != http.StatusBadRequest || rec.Body.String() != want {
		t.Fatalf("got %d %s\nwant 400 %s", rec.Code, rec.Body, want)
	}
}
