package dynamo

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/idco-dev/idco/shared/account"
)

var _ account.Codes = (*Store)(nil)

// Issue implements account.Codes: one TransactWriteItems taking the
// cooldown, counting each limit and putting the code. A limit whose ring
// is behind now's slot cancels it: the ring is moved on (one conditional
// PutItem, as in Hit) and the transaction made again.
func (s *Store) Issue(ctx context.Context, key string, hash []byte, expires time.Time, cd account.Cooldown, limits []account.Limit, now time.Time) error {
	slots := make([]int64, len(limits))
	for i, l := range limits {
		if l.Max <= 0 {
			return &account.LimitError{Index: i}
		}
		slots[i], _ = l.Slot(now)
	}
	for range counterTries {
		err := s.retry(ctx, func() error {
			_, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
				TransactItems: s.issueItems(key, hash, expires, cd, limits, slots, now),
			})
			return err
		})
		tc, ok := errors.AsType[*types.TransactionCanceledException](err)
		if !ok {
			return classify(err)
		}
		if err := s.issueRefused(ctx, tc, cd, limits, slots, now); err != nil {
			return err
		}
	}
	return errors.Join(account.ErrUnavailable, errCounterBusy)
}

func (s *Store) issueItems(key string, hash []byte, expires time.Time, cd account.Cooldown, limits []account.Limit, slots []int64, now time.Time) []types.TransactWriteItem {
	items := []types.TransactWriteItem{{Update: &types.Update{
		TableName:                aws.String(s.Names.Ephemeral),
		Key:                      keyOf(cd.Key),
		UpdateExpression:         aws.String("SET #u = :until, #ttl = :ttl"),
		ConditionExpression:      aws.String("attribute_not_exists(#u) OR #u <= :now"),
		ExpressionAttributeNames: map[string]string{"#u": "until", "#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":until": num(cd.Until.UnixMilli()), ":now": num(now.UnixMilli()), ":ttl": num(cd.Until.Add(ttlMargin).Unix()),
		},
	}}}
	for i, l := range limits {
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName: aws.String(s.Names.Ephemeral), Key: keyOf(counterKey(l.Window)),
			UpdateExpression:                    aws.String("SET #w = :k, #ttl = :ttl ADD #c :one, #n :one"),
			ConditionExpression:                 aws.String("attribute_not_exists(#w) OR (#w = :k AND #n < :limit)"),
			ExpressionAttributeNames:            hitNames(slots[i]),
			ExpressionAttributeValues:           hitValues(l.Window, slots[i], l.Max),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}})
	}
	return append(items, types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(s.Names.Ephemeral),
		Item: map[string]types.AttributeValue{
			"pk": str(key), "h": &types.AttributeValueMemberB{Value: hash}, "tries": num(0),
			"exp": num(expires.UnixMilli()), "ttl": num(expires.Add(ttlMargin).Unix()),
		},
	}})
}

// issueRefused reads a cancelled Issue: *LimitError for the cooldown or a
// limit at its Max; nil when the only failures were rings behind now's
// slot (moved on here) or ahead of it (slots then names theirs), so the
// Issue can be made again.
func (s *Store) issueRefused(ctx context.Context, tc *types.TransactionCanceledException, cd account.Cooldown, limits []account.Limit, slots []int64, now time.Time) error {
	reasons := tc.CancellationReasons
	failed := func(i int) bool {
		return i < len(reasons) && aws.ToString(reasons[i].Code) == "ConditionalCheckFailed"
	}
	if !slices.ContainsFunc(reasons, func(r types.CancellationReason) bool { return aws.ToString(r.Code) == "ConditionalCheckFailed" }) {
		return classify(tc)
	}
	if failed(0) {
		return &account.LimitError{Index: -1, Until: s.cooldownEnd(ctx, cd.Key, now)}
	}
	var behind []int
	for i, l := range limits {
		if !failed(i + 1) {
			continue
		}
		old := ringOf(reasons[i+1].Item)
		if !old.found || old.at(slots[i]).n >= int64(l.Max) {
			return &account.LimitError{Index: i}
		}
		if old.w > slots[i] {
			slots[i] = old.w
		} else {
			behind = append(behind, i)
		}
	}
	for _, i := range behind {
		old := ringOf(reasons[i+1].Item)
		err := s.putRing(ctx, counterKey(limits[i].Window), limits[i].Window, old.at(slots[i]), old)
		if err != nil && !isCondFailed(err) {
			return classify(err)
		}
	}
	return nil
}

// cooldownEnd reads when a taken cooldown ends, for the retry-after answer.
func (s *Store) cooldownEnd(ctx context.Context, key string, now time.Time) time.Time {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Names.Ephemeral), Key: map[string]types.AttributeValue{"pk": str(key)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return now
	}
	until, _ := numAttr(out.Item["until"])
	return time.UnixMilli(until)
}

// Withdraw implements account.Codes: one TransactWriteItems deleting the
// code and the cooldown and taking one off each counter's slot of now. A
// counter that no longer holds that Hit (reset, or moved past the slot)
// cancels it; the transaction is made again without that counter.
func (s *Store) Withdraw(ctx context.Context, key string, cd account.Cooldown, limits []account.Limit, now time.Time) error {
	limits = slices.Clone(limits)
	for {
		items := []types.TransactWriteItem{
			{Delete: &types.Delete{TableName: aws.String(s.Names.Ephemeral), Key: keyOf(key)}},
			{Delete: &types.Delete{TableName: aws.String(s.Names.Ephemeral), Key: keyOf(cd.Key)}},
		}
		for _, l := range limits {
			k, _ := l.Slot(now)
			items = append(items, types.TransactWriteItem{Update: &types.Update{
				TableName:                aws.String(s.Names.Ephemeral),
				Key:                      keyOf(counterKey(l.Window)),
				UpdateExpression:         aws.String("ADD #c :minus, #n :minus"),
				ConditionExpression:      aws.String("#w >= :k AND #w <= :last AND #c > :zero"),
				ExpressionAttributeNames: map[string]string{"#w": "w", "#n": "n", "#c": slotAttr(slotOf(k))},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":k": num(k), ":last": num(k + account.WindowSlots), ":minus": num(-1), ":zero": num(0),
				},
			}})
		}
		err := s.retry(ctx, func() error {
			_, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
			return err
		})
		tc, ok := errors.AsType[*types.TransactionCanceledException](err)
		if !ok {
			return classify(err)
		}
		kept := limits[:0]
		for i, l := range limits {
			if r := tc.CancellationReasons; i+2 >= len(r) || aws.ToString(r[i+2].Code) != "ConditionalCheckFailed" {
				kept = append(kept, l)
			}
		}
		if len(kept) == len(limits) {
			return classify(err)
		}
		limits = kept
	}
}

// Attempt implements account.Codes: one conditional UpdateItem ADD tries,
// so no more than max checks of a code ever reach the compare.
func (s *Store) Attempt(ctx context.Context, key string, max int, now time.Time) ([]byte, error) {
	var out *dynamodb.UpdateItemOutput
	err := s.retry(ctx, func() (err error) {
		out, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                aws.String(s.Names.Ephemeral),
			Key:                      map[string]types.AttributeValue{"pk": str(key)},
			UpdateExpression:         aws.String("ADD #t :one"),
			ConditionExpression:      aws.String("attribute_exists(#h) AND #e > :now AND #t < :max"),
			ExpressionAttributeNames: map[string]string{"#h": "h", "#e": "exp", "#t": "tries"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":one": num(1), ":now": num(now.UnixMilli()), ":max": num(int64(max)),
			},
			ReturnValues: types.ReturnValueAllNew,
		})
		return err
	})
	if isCondFailed(err) {
		return nil, account.ErrNotFound
	}
	if err != nil {
		return nil, classify(err)
	}
	h, ok := out.Attributes["h"].(*types.AttributeValueMemberB)
	if !ok {
		return nil, account.ErrNotFound
	}
	return h.Value, nil
}

// Consume implements account.Codes: one DeleteItem conditional on the hash.
func (s *Store) Consume(ctx context.Context, key string, hash []byte) error {
	err := s.retry(ctx, func() error {
		_, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName:                 aws.String(s.Names.Ephemeral),
			Key:                       map[string]types.AttributeValue{"pk": str(key)},
			ConditionExpression:       aws.String("#h = :h"),
			ExpressionAttributeNames:  map[string]string{"#h": "h"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":h": &types.AttributeValueMemberB{Value: hash}},
		})
		return err
	})
	if isCondFailed(err) {
		return account.ErrNotFound
	}
	return classify(err)
}
