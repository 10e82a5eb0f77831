package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/idco-dev/idco/shared/account"
)

// A counter is one item per window, pk "ctr:<key>#<size>ms": a ring of
// the Hits of the account.WindowSlots+1 slots that end at slot w, slot j's
// in attribute c<j mod ringLen>, their sum (the count) in n. A Hit in slot w
// (or on a new counter) is one conditional UpdateItem ADD, as a fixed
// window's was. The first Hit of a later slot finds, in that write's
// failure (ALL_OLD), the ring it must move on: the slots that fell out are
// zeroed and taken off n, and the Hit counted, in a second write
// conditional on the ring it read, so racing Hits never lose or double one.

// ringLen is the number of slots a counter keeps.
const ringLen = account.WindowSlots + 1

// putRing's expression names the 13 slots one by one: this fails to
// compile when ringLen changes.
var _ = [1]int{}[ringLen-13]

// counterTries bounds the rounds of a counter write that keeps meeting a
// ring another request has just moved on.
const counterTries = 8

var errCounterBusy = errors.New("counter kept changing")

// counterKey names w's item; windows of one key but different sizes are
// different counters.
func counterKey(w account.Window) string {
	return fmt.Sprintf("ctr:%s#%dms", w.Key, w.Size.Milliseconds())
}

// ring is a counter item as read.
type ring struct {
	found bool
	w, n  int64
	c     [ringLen]int64
}

func ringOf(item map[string]types.AttributeValue) ring {
	var r ring
	if _, ok := item["w"]; !ok {
		return r
	}
	r.found = true
	r.w, _ = numAttr(item["w"])
	r.n, _ = numAttr(item["n"])
	for i := range r.c {
		r.c[i], _ = numAttr(item[slotAttr(i)])
	}
	return r
}

func slotAttr(i int) string { return "c" + strconv.Itoa(i) }

func slotOf(k int64) int { return int(k % ringLen) }

// at returns the ring as it stands at slot k: moved on to k, with the
// slots that fell out zeroed and taken off n. A ring ahead of k (written
// by a request whose clock runs ahead) stays as it is.
func (r ring) at(k int64) ring {
	if !r.found || k <= r.w {
		return r
	}
	if k-r.w >= ringLen {
		return ring{found: true, w: k}
	}
	for j := r.w + 1; j <= k; j++ {
		r.n -= r.c[slotOf(j)]
		r.c[slotOf(j)] = 0
	}
	r.w = k
	return r
}

// ringTTL is the TTL of a ring ending at slot k: past the end of the last
// slot in which its Hits still count.
func ringTTL(w account.Window, k int64) types.AttributeValue {
	_, size := w.Slot(time.Time{})
	end := time.UnixMilli(0).Add(time.Duration(k+ringLen) * size)
	return num(end.Add(ttlMargin).Unix())
}

// hitNames and hitValues are those of the write of one Hit in slot k of a
// ring that ends there, or of a new counter, below limit (none if 0):
//
//	SET #w = :k, #ttl = :ttl ADD #c :one, #n :one
//	condition attribute_not_exists(#w) OR (#w = :k AND #n < :limit)
func hitNames(k int64) map[string]string {
	return map[string]string{"#w": "w", "#n": "n", "#c": slotAttr(slotOf(k)), "#ttl": "ttl"}
}

func hitValues(w account.Window, k int64, limit int) map[string]types.AttributeValue {
	bound := int64(math.MaxInt64)
	if limit > 0 {
		bound = int64(limit)
	}
	return map[string]types.AttributeValue{":k": num(k), ":one": num(1), ":ttl": ringTTL(w, k), ":limit": num(bound)}
}

// Hit implements account.Counters: one conditional UpdateItem ADD; the
// first Hit of a slot after the ring's last one takes a second
// (conditional on the ring read from the first's failure), and so does a
// refused Hit that finds the ring behind.
func (s *Store) Hit(ctx context.Context, w account.Window, limit int, now time.Time) (int, error) {
	pk := counterKey(w)
	k, _ := w.Slot(now)
	for range counterTries {
		in := &dynamodb.UpdateItemInput{
			TableName: aws.String(s.Names.Ephemeral), Key: keyOf(pk),
			UpdateExpression:                    aws.String("SET #w = :k, #ttl = :ttl ADD #c :one, #n :one"),
			ConditionExpression:                 aws.String("attribute_not_exists(#w) OR (#w = :k AND #n < :limit)"),
			ExpressionAttributeNames:            hitNames(k),
			ExpressionAttributeValues:           hitValues(w, k, limit),
			ReturnValues:                        types.ReturnValueUpdatedNew,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}
		var out *dynamodb.UpdateItemOutput
		err := s.retry(ctx, func() (err error) {
			out, err = s.DB.UpdateItem(ctx, in)
			return err
		})
		if err == nil {
			n, _ := numAttr(out.Attributes["n"])
			return int(n), nil
		}
		old, ok := condFailedItem(err)
		if !ok {
			return 0, classify(err)
		}
		r := old.at(k)
		switch {
		case old.w > k:
			k = old.w // count in the slot the ring is at
		case limit > 0 && r.n >= int64(limit):
			return limit, account.ErrLimited
		case old.w < k:
			r.c[slotOf(k)]++
			r.n++
			err := s.putRing(ctx, pk, w, r, old)
			if err == nil {
				return int(r.n), nil
			}
			if !isCondFailed(err) {
				return 0, classify(err)
			}
		}
	}
	return 0, errors.Join(account.ErrUnavailable, errCounterBusy)
}

// putRing writes r over the ring old, if that is still the stored one. It
// is an UpdateItem, not a PutItem, so a counter needs no grant beyond
// UpdateItem (and DeleteItem for Reset and Unhit).
func (s *Store) putRing(ctx context.Context, pk string, w account.Window, r, old ring) error {
	names := map[string]string{"#w": "w", "#n": "n", "#ttl": "ttl"}
	values := map[string]types.AttributeValue{
		":w": num(r.w), ":n": num(r.n), ":ttl": ringTTL(w, r.w), ":ow": num(old.w), ":on": num(old.n),
	}
	for i, c := range r.c {
		names["#"+slotAttr(i)], values[":"+slotAttr(i)] = slotAttr(i), num(c)
	}
	return s.retry(ctx, func() error {
		_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(s.Names.Ephemeral), Key: keyOf(pk),
			UpdateExpression:          aws.String("SET #w = :w, #n = :n, #ttl = :ttl, #c0 = :c0, #c1 = :c1, #c2 = :c2, #c3 = :c3, #c4 = :c4, #c5 = :c5, #c6 = :c6, #c7 = :c7, #c8 = :c8, #c9 = :c9, #c10 = :c10, #c11 = :c11, #c12 = :c12"),
			ConditionExpression:       aws.String("#w = :ow AND #n = :on"),
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: values,
		})
		return err
	})
}

// condFailedItem returns the ring a conditional write failed on.
func condFailedItem(err error) (ring, bool) {
	ccf, ok := errors.AsType[*types.ConditionalCheckFailedException](err)
	if !ok {
		return ring{}, false
	}
	return ringOf(ccf.Item), true
}

// Unhit implements account.Counters: one conditional UpdateItem ADD -1 of
// now's slot while more Hits count. A counter left with none is deleted
// instead (a failed first attempt leaves no item), and a Hit of an earlier
// slot is taken from there, each a second write conditional on the ring
// read from the first one's failure.
func (s *Store) Unhit(ctx context.Context, w account.Window, now time.Time) error {
	pk := counterKey(w)
	k, _ := w.Slot(now)
	at, j := k, k // the ring's last slot and the slot to take from
	for range counterTries {
		err := s.retry(ctx, func() error {
			_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName: aws.String(s.Names.Ephemeral), Key: keyOf(pk),
				UpdateExpression:         aws.String("ADD #c :minus, #n :minus"),
				ConditionExpression:      aws.String("#w = :w AND #c > :zero AND #n > :one"),
				ExpressionAttributeNames: map[string]string{"#w": "w", "#n": "n", "#c": slotAttr(slotOf(j))},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":w": num(at), ":minus": num(-1), ":zero": num(0), ":one": num(1),
				},
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			})
			return err
		})
		old, ok := condFailedItem(err)
		if !ok {
			return classify(err)
		}
		r := old.at(k)
		switch {
		case !r.found || r.n <= 0:
			return nil
		case r.n == 1:
			if err := s.dropRing(ctx, pk, old); !isCondFailed(err) {
				return classify(err)
			}
		default:
			at, j = old.w, r.w
			for j > r.w-account.WindowSlots && r.c[slotOf(j)] <= 0 {
				j--
			}
		}
	}
	return errors.Join(account.ErrUnavailable, errCounterBusy)
}

// dropRing deletes the ring old, if that is still the stored one.
func (s *Store) dropRing(ctx context.Context, pk string, old ring) error {
	return s.retry(ctx, func() error {
		_, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: aws.String(s.Names.Ephemeral), Key: keyOf(pk),
			ConditionExpression:       aws.String("#w = :w AND #n = :n"),
			ExpressionAttributeNames:  map[string]string{"#w": "w", "#n": "n"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":w": num(old.w), ":n": num(old.n)},
		})
		return err
	})
}

// Counts implements account.Counters: one consistent BatchGetItem.
func (s *Store) Counts(ctx context.Context, now time.Time, ws ...account.Window) ([]int, error) {
	items := map[string]map[string]types.AttributeValue{}
	var keys []map[string]types.AttributeValue
	for _, w := range ws {
		pk := counterKey(w)
		if _, dup := items[pk]; !dup {
			items[pk] = nil
			keys = append(keys, keyOf(pk))
		}
	}
	req := map[string]types.KeysAndAttributes{
		s.Names.Ephemeral: {Keys: keys, ConsistentRead: aws.Bool(true)},
	}
	for len(req) > 0 {
		var out *dynamodb.BatchGetItemOutput
		err := s.retry(ctx, func() (err error) {
			out, err = s.DB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			return err
		})
		if err != nil {
			return nil, classify(err)
		}
		for _, item := range out.Responses[s.Names.Ephemeral] {
			if pk, ok := item["pk"].(*types.AttributeValueMemberS); ok {
				items[pk.Value] = item
			}
		}
		req = out.UnprocessedKeys
	}
	counts := make([]int, len(ws))
	for i, w := range ws {
		k, _ := w.Slot(now)
		counts[i] = int(ringOf(items[counterKey(w)]).at(k).n)
	}
	return counts, nil
}

// Reset implements account.Counters: one DeleteItem.
func (s *Store) Reset(ctx context.Context, w account.Window, now time.Time) error {
	return classify(s.retry(ctx, func() error {
		_, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: aws.String(s.Names.Ephemeral), Key: keyOf(counterKey(w)),
		})
		return err
	}))
}

func keyOf(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": str(pk)}
}
