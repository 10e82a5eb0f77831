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

var (
	_ account.Roles        = (*Store)(nil)
	_ account.OAuthClients = (*Store)(nil)
)

// The catalogs' items in the keys table: no unique key has these
// prefixes.
const (
	catalogKey = "catalog:roles"
	clientsKey = "catalog:oauth-clients"
)

// Catalog implements account.Roles: one consistent GetItem.
func (s *Store) Catalog(ctx context.Context) (*account.Catalog, error) {
	c := &account.Catalog{Roles: map[string]account.Role{}, Permissions: map[string]account.Permission{}}
	v, err := s.getDoc(ctx, catalogKey, c)
	c.Version = v
	return c, err
}

// SaveCatalog implements account.Roles: one PutItem conditional on the
// version read.
func (s *Store) SaveCatalog(ctx context.Context, c *account.Catalog) error {
	if err := s.putDoc(ctx, catalogKey, c, c.Version); err != nil {
		return err
	}
	c.Version++
	return nil
}

// ClientCatalog implements account.OAuthClients: one consistent GetItem.
func (s *Store) ClientCatalog(ctx context.Context) (*account.ClientCatalog, error) {
	c := &account.ClientCatalog{Clients: map[string]account.OAuthClient{}}
	v, err := s.getDoc(ctx, clientsKey, c)
	c.Version = v
	return c, err
}

// SaveClientCatalog implements account.OAuthClients, as SaveCatalog.
func (s *Store) SaveClientCatalog(ctx context.Context, c *account.ClientCatalog) error {
	if err := s.putDoc(ctx, clientsKey, c, c.Version); err != nil {
		return err
	}
	c.Version++
	return nil
}

// getDoc reads the JSON document at key into doc and returns its version
// (0, leaving doc as it is, when none was saved).
func (s *Store) getDoc(ctx context.Context, key string, doc any) (int64, error) {
	var out *dynamodb.GetItemOutput
	err := s.retry(ctx, func() (err error) {
		out, err = s.DB.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(s.Names.Keys), Key: map[string]types.AttributeValue{"key": str(key)},
			ConsistentRead: aws.Bool(true),
		})
		return err
	})
	if err != nil {
		return 0, classify(err)
	}
	d, ok := out.Item["doc"].(*types.AttributeValueMemberS)
	if !ok {
		return 0, nil
	}
	if err := json.Unmarshal([]byte(d.Value), doc); err != nil {
		return 0, fmt.Errorf("decode %s: %w", key, err)
	}
	var v int64
	if n, ok := out.Item["version"].(*types.AttributeValueMemberN); ok {
		v, _ = strconv.ParseInt(n.Value, 10, 64)
	}
	return v, nil
}

// putDoc writes doc at key if the stored version is still version (none
// stored for 0); the stored version becomes version+1. It returns
// account.ErrConflict, writing nothing, when another save came first.
func (s *Store) putDoc(ctx context.Context, key string, doc any, version int64) error {
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	in := &dynamodb.PutItemInput{
		TableName:                aws.String(s.Names.Keys),
		Item:                     map[string]types.AttributeValue{"key": str(key), "doc": str(string(data)), "version": num(version + 1)},
		ConditionExpression:      aws.String("attribute_not_exists(#k)"),
		ExpressionAttributeNames: map[string]string{"#k": "key"},
	}
	if version > 0 {
		in.ConditionExpression = aws.String("#v = :v")
		in.ExpressionAttributeNames = map[string]string{"#v": "version"}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": num(version)}
	}
	err = s.retry(ctx, func() error {
		_, err := s.DB.PutItem(ctx, in)
		return err
	})
	if isCondFailed(err) {
		// A lost answer retried fails its own condition: settle by reading.
		var now json.RawMessage
		if v, rerr := s.getDoc(ctx, key, &now); rerr == nil && v == version+1 && string(now) == string(data) {
			return nil
		}
		return account.ErrConflict
	}
	if err != nil {
		return classify(err)
	}
	return nil
}
