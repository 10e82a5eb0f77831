package devdb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/truora/minidyn/server"
)

// devdb runs a TransactWriteItems itself rather than through minidyn's,
// which copies every table the transaction touches, all their items, before
// it starts, so that a transaction on a store of 10,000 accounts cost
// hundreds of times one on an empty store. devdb holds its lock for the whole
// transaction and runs each of its items through minidyn's own single-item
// operation, a Put as a PutItem, an Update as an UpdateItem, with the same
// condition, after keeping the item as it was (a GetItem). If an item's
// condition fails, the items after it are still run, to find every item
// whose condition fails, as DynamoDB reports them; then every item the
// transaction ran is put back as it was (a PutItem of the item kept, or a
// DeleteItem where there was none), and the answer is DynamoDB's
// TransactionCanceledException, one reason per item in request order. Any
// other error (a bad expression, a missing table) puts the items back and
// is answered as minidyn answers it.
//
// A transaction names each item at most once, so one item's operation does
// not change what another's condition sees: running them in order is
// running them at once. A ConditionCheck is a PutItem of the item as kept,
// or a DeleteItem where there is none, with its condition: either leaves the
// item as it was.
//
// The items kept and put back are only those the transaction names, so its
// cost grows with a table only as minidyn's PutItem does (a new item
// re-sorts the table's keys), and their empty lists and maps, which
// minidyn's copy of a table loses, stay.

// txItem is one item of a transaction: where it lives and what it was.
type txItem struct {
	table  string
	key    map[string]*server.AttributeValue // nil where the request gives none
	before map[string]*server.AttributeValue // the item before the transaction; nil if none
	ran    bool                              // its operation ran, so it is put back on failure
}

// txCanceled is a cancelled transaction: one reason per item.
type txCanceled struct{ reasons []reason }

func (e *txCanceled) ErrorCode() string { return "TransactionCanceledException" }

// ErrorMessage is DynamoDB's: the reasons' codes in request order.
func (e *txCanceled) ErrorMessage() string {
	codes := make([]string, len(e.reasons))
	for i, r := range e.reasons {
		codes[i] = r.Code
	}

	return "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]"
}

func (e *txCanceled) Error() string { return e.ErrorCode() + ": " + e.ErrorMessage() }

// conditionFailed is the message of a failed condition.
const conditionFailed = "The conditional request failed"

// transactWriteItems runs one TransactWriteItems request. The caller holds
// db.mu exclusively (or is replaying), so no other request sees the items
// between their operations and their putting back.
func (db *DB) transactWriteItems(body []byte) (any, error) {
	var in server.TransactWriteItemsInput
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&in); err != nil {
		return nil, err
	}

	ctx := context.Background()

	items, err := db.prepareTransact(ctx, in.TransactItems)
	if err != nil {
		return nil, err
	}

	reasons := make([]reason, len(items))
	canceled := false

	for i, it := range in.TransactItems {
		failed, err := db.runTransactItem(ctx, &items[i], it)
		if err != nil {
			db.putBackTransact(ctx, items)
			return nil, err
		}

		reasons[i] = reason{Code: "None"}

		if failed {
			canceled = true
			reasons[i] = reason{Code: "ConditionalCheckFailed", Message: conditionFailed}

			if returnOld(it) {
				reasons[i].Item = items[i].before
			}
		}
	}

	if canceled {
		db.putBackTransact(ctx, items)
		return nil, &txCanceled{reasons: reasons}
	}

	return &server.TransactWriteItemsOutput{}, nil
}

// prepareTransact checks what minidyn checks before it runs a transaction
// (every table exists, no item named twice) and returns where each item
// lives.
func (db *DB) prepareTransact(ctx context.Context, in []server.TransactWriteItem) ([]txItem, error) {
	items := make([]txItem, len(in))
	schemas := map[string][]string{}
	seen := make(map[string]bool, len(in))

	for i, it := range in {
		table, raw := target(it)
		if table == "" {
			continue // refused when it runs, as minidyn does
		}

		names, ok := schemas[table]
		if !ok {
			out, err := db.mem.DescribeTable(ctx, &server.DescribeTableInput{TableName: &table})
			if err != nil {
				return nil, err
			}

			desc, _ := out.Table.(*ddbtypes.TableDescription)
			if desc == nil {
				return nil, fmt.Errorf("devdb: no description of table %q", table)
			}

			for _, ks := range desc.KeySchema {
				names = append(names, aws.ToString(ks.AttributeName))
			}

			schemas[table] = names
		}

		items[i].table = table

		key, id := keyOf(names, raw)
		if key == nil {
			continue // no key: minidyn refuses the item when it runs
		}

		items[i].key = key

		id = table + "\x00" + id
		if seen[id] {
			return nil, &smithy.GenericAPIError{
				Code:    "ValidationException",
				Message: "Transaction request cannot include multiple operations on one item",
			}
		}

		seen[id] = true
	}

	return items, nil
}

// target returns the table an item names and its key attributes (for a
// Put, the whole item).
func target(it server.TransactWriteItem) (string, map[string]*server.AttributeValue) {
	switch {
	case it.Put != nil:
		return aws.ToString(it.Put.TableName), it.Put.Item
	case it.Update != nil:
		return aws.ToString(it.Update.TableName), it.Update.Key
	case it.Delete != nil:
		return aws.ToString(it.Delete.TableName), it.Delete.Key
	case it.ConditionCheck != nil:
		return aws.ToString(it.ConditionCheck.TableName), it.ConditionCheck.Key
	}

	return "", nil
}

// keyOf returns the key attributes named of raw and an identity for them,
// or nil where raw lacks one.
func keyOf(names []string, raw map[string]*server.AttributeValue) (map[string]*server.AttributeValue, string) {
	key := make(map[string]*server.AttributeValue, len(names))

	var id strings.Builder

	for _, name := range names {
		v := raw[name]
		if v == nil {
			return nil, ""
		}

		enc, err := jsonv2.Marshal(v, wireOptions)
		if err != nil {
			return nil, ""
		}

		key[name] = v

		id.WriteString(name)
		id.WriteByte(0)
		id.Write(enc)
		id.WriteByte(0)
	}

	return key, id.String()
}

// returnOld reports whether an item asks for itself when its condition
// fails.
func returnOld(it server.TransactWriteItem) bool {
	var rv ddbtypes.ReturnValuesOnConditionCheckFailure

	switch {
	case it.Put != nil:
		rv = it.Put.ReturnValuesOnConditionCheckFailure
	case it.Update != nil:
		rv = it.Update.ReturnValuesOnConditionCheckFailure
	case it.Delete != nil:
		rv = it.Delete.ReturnValuesOnConditionCheckFailure
	case it.ConditionCheck != nil:
		rv = it.ConditionCheck.ReturnValuesOnConditionCheckFailure
	}

	return rv == ddbtypes.ReturnValuesOnConditionCheckFailureAllOld
}

// runTransactItem keeps an item as it is, then runs its operation. failed
// reports a failed condition; err any other refusal.
func (db *DB) runTransactItem(ctx context.Context, x *txItem, it server.TransactWriteItem) (failed bool, err error) {
	if x.key != nil {
		out, err := db.mem.GetItem(ctx, &server.GetItemInput{TableName: &x.table, Key: x.key})
		if err != nil {
			return false, err
		}

		if len(out.Item) > 0 {
			x.before = cloneItem(out.Item)
		}

		// Put back whatever happens next: minidyn's UpdateItem may change
		// an item and then fail.
		x.ran = true
	}

	switch {
	case it.Put != nil:
		p := it.Put
		_, err = db.mem.PutItem(ctx, &server.PutItemInput{
			TableName: p.TableName, Item: p.Item, ConditionExpression: p.ConditionExpression,
			ExpressionAttributeNames: p.ExpressionAttributeNames, ExpressionAttributeValues: p.ExpressionAttributeValues,
		})
	case it.Update != nil:
		u := it.Update
		_, err = db.mem.UpdateItem(ctx, &server.UpdateItemInput{
			TableName: u.TableName, Key: u.Key, UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
			ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues,
		})
	case it.Delete != nil:
		d := it.Delete
		_, err = db.mem.DeleteItem(ctx, &server.DeleteItemInput{
			TableName: d.TableName, Key: d.Key, ConditionExpression: d.ConditionExpression,
			ExpressionAttributeNames: d.ExpressionAttributeNames, ExpressionAttributeValues: d.ExpressionAttributeValues,
		})
	case it.ConditionCheck != nil:
		err = db.checkCondition(ctx, x, it.ConditionCheck)
	default:
		return false, &smithy.GenericAPIError{
			Code:    "ValidationException",
			Message: "transaction item must include one of Put, Update, Delete, or ConditionCheck",
		}
	}

	if _, ok := errors.AsType[*ddbtypes.ConditionalCheckFailedException](err); ok {
		return true, nil
	}

	if err == nil && x.key == nil {
		// minidyn took an item devdb could not tell the key of, which
		// then could not be put back.
		return false, fmt.Errorf("devdb: an item of table %q without its key was accepted", x.table)
	}

	return false, err
}

// checkCondition evaluates a ConditionCheck with an operation that leaves
// the item as it is: a PutItem of the item as kept, or, where there is
// none, a DeleteItem.
func (db *DB) checkCondition(ctx context.Context, x *txItem, c *server.ConditionCheck) error {
	if x.before != nil {
		_, err := db.mem.PutItem(ctx, &server.PutItemInput{
			TableName: c.TableName, Item: cloneItem(x.before), ConditionExpression: c.ConditionExpression,
			ExpressionAttributeNames: c.ExpressionAttributeNames, ExpressionAttributeValues: c.ExpressionAttributeValues,
		})

		return err
	}

	_, err := db.mem.DeleteItem(ctx, &server.DeleteItemInput{
		TableName: c.TableName, Key: c.Key, ConditionExpression: c.ConditionExpression,
		ExpressionAttributeNames: c.ExpressionAttributeNames, ExpressionAttributeValues: c.ExpressionAttributeValues,
	})

	return err
}

// putBackTransact puts every item a transaction ran back as it was, last
// first. It cannot fail but by a fault of minidyn's: then memory no longer
// matches the journal, and devdb refuses further writes.
func (db *DB) putBackTransact(ctx context.Context, items []txItem) {
	for i := len(items) - 1; i >= 0; i-- {
		x := items[i]
		if !x.ran {
			continue
		}

		var err error
		if x.before != nil {
			_, err = db.mem.PutItem(ctx, &server.PutItemInput{TableName: &x.table, Item: cloneItem(x.before)})
		} else {
			_, err = db.mem.DeleteItem(ctx, &server.DeleteItemInput{TableName: &x.table, Key: x.key})
		}

		if err != nil && db.err == nil {
			slog.Error("devdb: an item was not put back after a cancelled transaction", "table", x.table, "err", err)
			db.err = fmt.Errorf("devdb: an item of table %q was not put back after a cancelled transaction: %w (restart the dev server)", x.table, err)
		}
	}
}

// cloneItem deep-copies an item, keeping empty lists, maps and binaries
// as such.
func cloneItem(m map[string]*server.AttributeValue) map[string]*server.AttributeValue {
	if m == nil {
		return nil
	}

	out := make(map[string]*server.AttributeValue, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}

	return out
}

func cloneValue(v *server.AttributeValue) *server.AttributeValue {
	if v == nil {
		return nil
	}

	c := &server.AttributeValue{
		B: bytes.Clone(v.B), BOOL: clonePtr(v.BOOL), N: clonePtr(v.N), NULL: clonePtr(v.NULL), S: clonePtr(v.S),
		NS: cloneStrings(v.NS), SS: cloneStrings(v.SS), M: cloneItem(v.M),
	}

	if v.BS != nil {
		c.BS = make([][]byte, len(v.BS))
		for i, b := range v.BS {
			c.BS[i] = bytes.Clone(b)
		}
	}

	if v.L != nil {
		c.L = make([]*server.AttributeValue, len(v.L))
		for i, e := range v.L {
			c.L[i] = cloneValue(e)
		}
	}

	return c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}

	v := *p

	return &v
}

func cloneStrings(in []*string) []*string {
	if in == nil {
		return nil
	}

	out := make([]*string, len(in))
	for i, p := range in {
		out[i] = clonePtr(p)
	}

	return out
}
