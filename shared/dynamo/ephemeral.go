package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/idco-dev/idco/shared/account"
)

// ttlMargin keeps items a little past their expiry before DynamoDB's TTL
// may delete them; reads check expiry themselves.
const ttlMargin = time.Hour

// Put implements account.Captchas: one PutItem replacing the device's
// captcha for the scene.
func (s *Store) Put(ctx context.Context, key string, hash []byte, expires time.Time) error {
	return classify(s.retry(ctx, func() error {
		_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(s.Names.Ephemeral),
			Item: map[string]types.AttributeValue{
				"pk":  str(key),
				"h":   &types.AttributeValueMemberB{Value: hash},
				"exp": num(expires.UnixMilli()),
				"ttl": num(expires.Add(ttlMargin).Unix()),
			},
		})
		return err
	}))
}

// Take implements account.Captchas: one DeleteItem returning the old item,
// so a captcha is used at most once however many checks race.
func (s *Store) Take(ctx context.Context, key string) ([]byte, time.Time, error) {
	var out *dynamodb.DeleteItemOutput
	err := s.retry(ctx, func() (err error) {
		out, err = s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName:    aws.String(s.Names.Ephemeral),
			Key:          map[string]types.AttributeValue{"pk": str(key)},
			ReturnValues: types.ReturnValueAllOld,
		})
		return err
	})
	if err != nil {
		return nil, time.Time{}, classify(err)
	}
	h, ok := out.Attributes["h"].(*types.AttributeValueMemberB)
	if !ok {
		return nil, time.Time{}, account.ErrNotFound
	}
	exp, _ := numAttr(out.Attributes["exp"])
	return h.Value, time.UnixMilli(exp), nil
}

// windowKey names the counter item of w's window holding now; an old
// window's item is never read again, so counters need no reset on expiry.
func windowKey(w account.Window, now time.Time) (string, time.Time) {
	size := int64(w.Size / time.Second)
	idx := now.Unix() / size
	return fmt.Sprintf("ctr:%s#%d", w.Key, idx), time.Unix((idx+1)*size, 0)
}

// Hit implements account.Counters: one conditional UpdateItem ADD.
func (s *Store) Hit(ctx context.Context, w account.Window, limit int, now time.Time) (int, error) {
	pk, end := windowKey(w, now)
	in := &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.Names.Ephemeral),
		Key:                      map[string]types.AttributeValue{"pk": str(pk)},
		UpdateExpression:         aws.String("ADD #n :one SET #ttl = if_not_exists(#ttl, :ttl)"),
		ExpressionAttributeNames: map[string]string{"#n": "n", "#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": num(1), ":ttl": num(end.Add(ttlMargin).Unix()),
		},
		ReturnValues: types.ReturnValueUpdatedNew,
	}
	if limit > 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(#n) OR #n < :limit")
		in.ExpressionAttributeValues[":limit"] = num(int64(limit))
	}
	var out *dynamodb.UpdateItemOutput
	err := s.retry(ctx, func() (err error) {
		out, err = s.DB.UpdateItem(ctx, in)
		return err
	})
	if isCondFailed(err) {
		return limit, account.ErrLimited
	}
	if err != nil {
		return 0, classify(err)
	}
	n, _ := numAttr(out.Attributes["n"])
	return int(n), nil
}

// Unhit implements account.Counters: a counter at 1 is deleted (one
// conditional DeleteItem), so a failed first attempt leaves no item; a
// higher one is decremented (then one conditional UpdateItem ADD -1).
func (s *Store) Unhit(ctx context.Context, w account.Window, now time.Time) error {
	pk, _ := windowKey(w, now)
	err := s.retry(ctx, func() error {
		_, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName:                 aws.String(s.Names.Ephemeral),
			Key:                       map[string]types.AttributeValue{"pk": str(pk)},
			ConditionExpression:       aws.String("#n = :one"),
			ExpressionAttributeNames:  map[string]string{"#n": "n"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1)},
		})
		return err
	})
	if !isCondFailed(err) {
		return classify(err)
	}
	err = s.retry(ctx, func() error {
		_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 aws.String(s.Names.Ephemeral),
			Key:                       map[string]types.AttributeValue{"pk": str(pk)},
			UpdateExpression:          aws.String("ADD #n :minus"),
			ConditionExpression:       aws.String("#n > :zero"),
			ExpressionAttributeNames:  map[string]string{"#n": "n"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":minus": num(-1), ":zero": num(0)},
		})
		return err
	})
	if isCondFailed(err) {
		return nil
	}
	return classify(err)
}

// Counts implements account.Counters: one consistent BatchGetItem.
func (s *Store) Counts(ctx context.Context, now time.Time, ws ...account.Window) ([]int, error) {
	idx := map[string]int{}
	keys := make([]map[string]types.AttributeValue, 0, len(ws))
	for i, w := range ws {
		pk, _ := windowKey(w, now)
		if _, dup := idx[pk]; !dup {
			keys = append(keys, map[string]types.AttributeValue{"pk": str(pk)})
		}
		idx[pk] = i
	}
	req := map[string]types.KeysAndAttributes{
		s.Names.Ephemeral: {Keys: keys, ConsistentRead: aws.Bool(true)},
	}
	counts := make([]int, len(ws))
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
			pk, _ := item["pk"].(*types.AttributeValueMemberS)
			n, _ := numAttr(item["n"])
			if pk == nil {
				continue
			}
			for i, w := range ws {
				if k, _ := windowKey(w, now); k == pk.Value {
					counts[i] = int(n)
				}
			}
		}
		req = out.UnprocessedKeys
	}
	return counts, nil
}

// Reset implements account.Counters: one DeleteItem.
func (s *Store) Reset(ctx context.Context, w account.Window, now time.Time) error {
	pk, _ := windowKey(w, now)
	return classify(s.retry(ctx, func() error {
		_, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: aws.String(s.Names.Ephemeral),
			Key:       map[string]types.AttributeValue{"pk": str(pk)},
		})
		return err
	}))
}

func numAttr(v types.AttributeValue) (int64, bool) {
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	x, err := strconv.ParseInt(n.Value, 10, 64)
	return x, err == nil
}
