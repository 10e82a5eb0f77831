package dynamo

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/idco-dev/idco/shared/account"
)

var _ account.Cache = (*Store)(nil)

// CacheGet implements account.Cache: one consistent GetItem, expiry checked.
func (s *Store) CacheGet(ctx context.Context, key string, now time.Time) ([]byte, error) {
	var out *dynamodb.GetItemOutput
	err := s.retry(ctx, func() (err error) {
		out, err = s.DB.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(s.Names.Ephemeral), Key: map[string]types.AttributeValue{"pk": str("cache:" + key)},
			ConsistentRead: aws.Bool(true),
		})
		return err
	})
	if err != nil {
		return nil, classify(err)
	}
	return liveValue(out.Item, now)
}

// CacheSet implements account.Cache: one PutItem.
func (s *Store) CacheSet(ctx context.Context, key string, value []byte, expires time.Time) error {
	return classify(s.retry(ctx, func() error {
		_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(s.Names.Ephemeral),
			Item: map[string]types.AttributeValue{
				"pk": str("cache:" + key), "v": &types.AttributeValueMemberB{Value: value},
				"exp": num(expires.UnixMilli()), "ttl": num(expires.Add(ttlMargin).Unix()),
			},
		})
		return err
	}))
}

// CacheTake implements account.Cache: one DeleteItem returning the old item.
func (s *Store) CacheTake(ctx context.Context, key string, now time.Time) ([]byte, error) {
	var out *dynamodb.DeleteItemOutput
	err := s.retry(ctx, func() (err error) {
		out, err = s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: aws.String(s.Names.Ephemeral), Key: map[string]types.AttributeValue{"pk": str("cache:" + key)},
			ReturnValues: types.ReturnValueAllOld,
		})
		return err
	})
	if err != nil {
		return nil, classify(err)
	}
	return liveValue(out.Attributes, now)
}

// CacheSwap implements account.Cache: one UpdateItem conditional on the
// old value and the expiry. A refusal returns the item as it stands
// (ALL_OLD), which tells a missing or expired value from another one, and
// a retry that finds its own value (its first attempt applied, the answer
// lost) has succeeded.
func (s *Store) CacheSwap(ctx context.Context, key string, old, value []byte, now time.Time) error {
	tries := 0
	var found map[string]types.AttributeValue
	err := s.retry(ctx, func() error {
		tries++
		_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(s.Names.Ephemeral), Key: map[string]types.AttributeValue{"pk": str("cache:" + key)},
			UpdateExpression:         aws.String("SET #v = :new"),
			ConditionExpression:      aws.String("#v = :old AND #exp > :now"),
			ExpressionAttributeNames: map[string]string{"#v": "v", "#exp": "exp"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":old": &types.AttributeValueMemberB{Value: old}, ":new": &types.AttributeValueMemberB{Value: value},
				":now": num(now.UnixMilli()),
			},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if ccf, ok := errors.AsType[*types.ConditionalCheckFailedException](err); ok {
			found = ccf.Item
		}
		return err
	})
	if !isCondFailed(err) {
		return classify(err)
	}
	v, err := liveValue(found, now)
	switch {
	case err != nil:
		return err
	case tries > 1 && bytes.Equal(v, value):
		return nil
	}
	return account.ErrConflict
}

func liveValue(item map[string]types.AttributeValue, now time.Time) ([]byte, error) {
	v, ok := item["v"].(*types.AttributeValueMemberB)
	exp, _ := numAttr(item["exp"])
	if !ok || exp <= now.UnixMilli() {
		return nil, account.ErrNotFound
	}
	return v.Value, nil
}
