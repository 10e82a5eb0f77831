package dynamo

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/idco-dev/idco/shared/account"
)

var _ account.Codes = (*Store)(nil)

// Issue implements account.Codes: one TransactWriteItems taking the
// cooldown, counting each limit and putting the code.
func (s *Store) Issue(ctx context.Context, key string, hash []byte, expires time.Time, cd account.Cooldown, limits []account.Limit, now time.Time) error {
	items := []types.TransactWriteItem{{Update: &types.Update{
		TableName:                aws.String(s.Names.Ephemeral),
		Key:                      map[string]types.AttributeValue{"pk": str(cd.Key)},
		UpdateExpression:         aws.String("SET #u = :until, #ttl = :ttl"),
		ConditionExpression:      aws.String("attribute_not_exists(#u) OR #u <= :now"),
		ExpressionAttributeNames: map[string]string{"#u": "until", "#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":until": num(cd.Until.UnixMilli()), ":now": num(now.UnixMilli()), ":ttl": num(cd.Until.Add(ttlMargin).Unix()),
		},
	}}}
	for _, l := range limits {
		pk, end := windowKey(l.Window, now)
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName:                aws.String(s.Names.Ephemeral),
			Key:                      map[string]types.AttributeValue{"pk": str(pk)},
			UpdateExpression:         aws.String("ADD #n :one SET #ttl = if_not_exists(#ttl, :ttl)"),
			ConditionExpression:      aws.String("attribute_not_exists(#n) OR #n < :max"),
			ExpressionAttributeNames: map[string]string{"#n": "n", "#ttl": "ttl"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":one": num(1), ":max": num(int64(l.Max)), ":ttl": num(end.Add(ttlMargin).Unix()),
			},
		}})
	}
	items = append(items, types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(s.Names.Ephemeral),
		Item: map[string]types.AttributeValue{
			"pk": str(key), "h": &types.AttributeValueMemberB{Value: hash}, "tries": num(0),
			"exp": num(expires.UnixMilli()), "ttl": num(expires.Add(ttlMargin).Unix()),
		},
	}})
	err := s.retry(ctx, func() error {
		_, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		return err
	})
	tc, ok := errors.AsType[*types.TransactionCanceledException](err)
	if !ok {
		return classify(err)
	}
	for i, r := range tc.CancellationReasons {
		if r.Code != nil && *r.Code == "ConditionalCheckFailed" {
			if i == 0 {
				return &account.LimitError{Index: -1, Until: s.cooldownEnd(ctx, cd.Key, now)}
			}
			return &account.LimitError{Index: i - 1}
		}
	}
	return classify(err)
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
// code and the cooldown and taking one off each counter.
func (s *Store) Withdraw(ctx context.Context, key string, cd account.Cooldown, limits []account.Limit, now time.Time) error {
	items := []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: aws.String(s.Names.Ephemeral), Key: map[string]types.AttributeValue{"pk": str(key)}}},
		{Delete: &types.Delete{TableName: aws.String(s.Names.Ephemeral), Key: map[string]types.AttributeValue{"pk": str(cd.Key)}}},
	}
	for _, l := range limits {
		pk, _ := windowKey(l.Window, now)
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName:                 aws.String(s.Names.Ephemeral),
			Key:                       map[string]types.AttributeValue{"pk": str(pk)},
			UpdateExpression:          aws.String("ADD #n :minus"),
			ConditionExpression:       aws.String("#n > :zero"),
			ExpressionAttributeNames:  map[string]string{"#n": "n"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":minus": num(-1), ":zero": num(0)},
		}})
	}
	return classify(s.retry(ctx, func() error {
		_, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		return err
	}))
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
