package dynamo

import (
	"context"
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

func numAttr(v types.AttributeValue) (int64, bool) {
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	x, err := strconv.ParseInt(n.Value, 10, 64)
	return x, err == nil
}
