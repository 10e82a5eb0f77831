package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/idco-dev/idco/shared/account"
)

var _ account.Invites = (*Store)(nil)

// Invitees implements account.Invites: Query pages of the invite index,
// newest first, until offset+limit entries are read.
func (s *Store) Invitees(ctx context.Context, inviter string, level, limit, offset int) ([]string, error) {
	var out []string
	err := s.queryInvites(ctx, inviter, level, false, func(items []map[string]types.AttributeValue) bool {
		for _, it := range items {
			if offset > 0 {
				offset--
				continue
			}
			if v, ok := it["uid"].(*types.AttributeValueMemberS); ok {
				out = append(out, v.Value)
			}
			if len(out) == limit {
				return false
			}
		}
		return true
	})
	return out, err
}

// CountInvitees implements account.Invites: Query pages with Select COUNT.
func (s *Store) CountInvitees(ctx context.Context, inviter string, level int) (int, error) {
	n := 0
	err := s.queryInvites(ctx, inviter, level, true, func(items []map[string]types.AttributeValue) bool {
		n += len(items)
		return true
	})
	return n, err
}

// queryInvites pages through inviter's entries at level, newest first,
// handing each page to page until it returns false.
func (s *Store) queryInvites(ctx context.Context, inviter string, level int, count bool, page func([]map[string]types.AttributeValue) bool) error {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.Names.Invites),
		KeyConditionExpression:    aws.String("#inv = :inv"),
		ExpressionAttributeNames:  map[string]string{"#inv": "inv"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":inv": str(fmt.Sprintf("%s#%d", inviter, level))},
		ScanIndexForward:          aws.Bool(false),
	}
	if count {
		in.Select = types.SelectCount
	}
	for {
		var out *dynamodb.QueryOutput
		err := s.retry(ctx, func() (err error) {
			out, err = s.DB.Query(ctx, in)
			return err
		})
		if err != nil {
			return classify(err)
		}
		items := out.Items
		if count {
			items = make([]map[string]types.AttributeValue, out.Count)
		}
		if !page(items) || len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
