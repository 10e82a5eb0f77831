package dynamo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/idco-dev/idco/shared/account"
)

var _ account.AuditLog = (*Store)(nil)

// Record implements account.AuditLog: one PutItem under the account, sorted
// by time ("<ms, 13 digits>#<random>", so two events of one millisecond
// both stay), dropped by TTL after their retention.
func (s *Store) Record(ctx context.Context, e account.AuditEvent) error {
	var r [4]byte
	if _, err := rand.Read(r[:]); err != nil {
		return err
	}
	item, err := marshal(e)
	if err != nil {
		return err
	}
	item["at"] = str(fmt.Sprintf("%013d#%s", e.At, hex.EncodeToString(r[:])))
	item["ms"] = num(e.At)
	item["exp"] = num(e.Expires)
	item["ttl"] = num(time.UnixMilli(e.Expires).Add(ttlMargin).Unix())
	return classify(s.retry(ctx, func() error {
		_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Names.Audit), Item: item})
		return err
	}))
}

// Events implements account.AuditLog: one Query, newest first. The cursor
// is the last event's sort key.
func (s *Store) Events(ctx context.Context, uid string, limit int, cursor string, now time.Time) ([]account.AuditEvent, string, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.Names.Audit),
		KeyConditionExpression:    aws.String("#uid = :uid"),
		ExpressionAttributeNames:  map[string]string{"#uid": "uid"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":uid": str(uid)},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
	}
	if cursor != "" {
		in.ExclusiveStartKey = map[string]types.AttributeValue{"uid": str(uid), "at": str(cursor)}
	}
	var out *dynamodb.QueryOutput
	err := s.retry(ctx, func() (err error) {
		out, err = s.DB.Query(ctx, in)
		return err
	})
	if err != nil {
		return nil, "", classify(err)
	}
	events := make([]account.AuditEvent, 0, len(out.Items))
	for _, item := range out.Items {
		if exp, ok := numAttr(item["exp"]); ok && exp <= now.UnixMilli() {
			continue // past its retention, not yet removed by TTL
		}
		var e account.AuditEvent
		delete(item, "at") // the sort key, text; the time is ms
		if err := unmarshal(item, &e); err != nil {
			return nil, "", fmt.Errorf("decode audit event: %w", err)
		}
		e.At, _ = numAttr(item["ms"])
		events = append(events, e)
	}
	next := ""
	if v, ok := out.LastEvaluatedKey["at"].(*types.AttributeValueMemberS); ok {
		next = v.Value
	}
	return events, next, nil
}
