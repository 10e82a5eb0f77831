package dynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/idco-dev/idco/shared/account"
)

var _ account.Roles = (*Store)(nil)

// catalogKey is the catalog's item in the keys table: no unique key has
// this prefix.
const catalogKey = "catalog:roles"

// Catalog implements account.Roles: one consistent GetItem.
func (s *Store) Catalog(ctx context.Context) (*account.Catalog, error) {
	var out *dynamodb.GetItemOutput
	err := s.retry(ctx, func() (err error) {
		out, err = s.DB.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(s.Names.Keys), Key: map[string]types.AttributeValue{"key": str(catalogKey)},
			ConsistentRead: aws.Bool(true),
		})
		return err
	})
	if err != nil {
		return nil, classify(err)
	}
	c := &account.Catalog{Roles: map[string]account.Role{}, Permissions: map[string]account.Permission{}}
	doc, ok := out.Item["doc"].(*types.AttributeValueMemberS)
	if !ok {
		return c, nil
	}
	if err := json.Unmarshal([]byte(doc.Value), c); err != nil {
		return nil, fmt.Errorf("decode role catalog: %w", err)
	}
	if v, ok := out.Item["version"].(*types.AttributeValueMemberN); ok {
		c.Version, _ = strconv.ParseInt(v.Value, 10, 64)
	}
	return c, nil
}

// SaveCatalog implements account.Roles: one PutItem conditional on the
// version read.
func (s *Store) SaveCatalog(ctx context.Context, c *account.Catalog) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return err
	}
	in := &dynamodb.PutItemInput{
		TableName:                aws.String(s.Names.Keys),
		Item:                     map[string]types.AttributeValue{"key": str(catalogKey), "doc": str(string(doc)), "version": num(c.Version + 1)},
		ConditionExpression:      aws.String("attribute_not_exists(#k)"),
		ExpressionAttributeNames: map[string]string{"#k": "key"},
	}
	if c.Version > 0 {
		in.ConditionExpression = aws.String("#v = :v")
		in.ExpressionAttributeNames = map[string]string{"#v": "version"}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": num(c.Version)}
	}
	err = s.retry(ctx, func() error {
		_, err := s.DB.PutItem(ctx, in)
		return err
	})
	if isCondFailed(err) {
		// A lost answer retried fails its own condition: settle by reading.
		if now, rerr := s.Catalog(ctx); rerr == nil && now.Version == c.Version+1 && sameCatalog(now, c) {
			c.Version++
			return nil
		}
		return account.ErrConflict
	}
	if err != nil {
		return classify(err)
	}
	c.Version++
	return nil
}

func sameCatalog(a, b *account.Catalog) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
