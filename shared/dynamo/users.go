package dynamo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/idco-dev/idco/shared/account"
)

// Get implements account.Users: one strongly consistent GetItem.
func (s *Store) Get(ctx context.Context, uid string) (*account.User, error) {
	var out *dynamodb.GetItemOutput
	err := s.retry(ctx, func() (err error) {
		out, err = s.DB.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:      aws.String(s.Names.Users),
			Key:            map[string]types.AttributeValue{"uid": str(uid)},
			ConsistentRead: aws.Bool(true),
		})
		return err
	})
	if err != nil {
		return nil, classify(err)
	}
	if out.Item == nil {
		return nil, account.ErrNotFound
	}
	return decodeUser(out.Item)
}

// decodeUser reads a user item: the modelled fields, and the rest in Extra.
func decodeUser(item map[string]types.AttributeValue) (*account.User, error) {
	u := &account.User{}
	if err := unmarshal(item, u); err != nil {
		return nil, fmt.Errorf("decode user: %w", err)
	}
	uid := u.UID
	for k, av := range item {
		if members := objectFields[k]; members != nil {
			if err := keepUnmodelledMembers(u, k, av, members); err != nil {
				return nil, fmt.Errorf("decode user %s field %s: %w", uid, k, err)
			}
			continue
		}
		if userFields[k] {
			continue
		}
		var v any
		if err := attributevalue.Unmarshal(av, &v); err != nil {
			return nil, fmt.Errorf("decode user %s field %s: %w", uid, k, err)
		}
		if u.Extra == nil {
			u.Extra = map[string]any{}
		}
		u.Extra[k] = v
	}
	return u, nil
}

// userFields are the attribute names account.User models.
var userFields = jsonFields(reflect.TypeFor[account.User]())

// objectFields maps the attributes account.User models as an object of its
// own (realname_auth, register_env) to the members it models.
var objectFields = func() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	t := reflect.TypeFor[account.User]()
	for i := range t.NumField() {
		f := t.Field(i)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if ft.Kind() == reflect.Struct && name != "" && name != "-" {
			out[name] = jsonFields(ft)
		}
	}
	return out
}()

// keepUnmodelledMembers puts the members of object attribute k that the
// model lacks (a uni-id realname_auth's id_card_front, say) in u.Extra[k],
// for userItem to write back.
func keepUnmodelledMembers(u *account.User, k string, av types.AttributeValue, members map[string]bool) error {
	m, ok := av.(*types.AttributeValueMemberM)
	if !ok {
		return nil
	}
	rest := map[string]any{}
	for name, v := range m.Value {
		if members[name] {
			continue
		}
		var x any
		if err := attributevalue.Unmarshal(v, &x); err != nil {
			return err
		}
		rest[name] = x
	}
	if len(rest) > 0 {
		if u.Extra == nil {
			u.Extra = map[string]any{}
		}
		u.Extra[k] = rest
	}
	return nil
}

func jsonFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}

// userItem encodes a user with the fields it does not model put back.
func userItem(u *account.User) (map[string]types.AttributeValue, error) {
	item, err := marshal(u)
	if err != nil {
		return nil, err
	}
	for k, v := range u.Extra {
		if rest, ok := v.(map[string]any); ok && objectFields[k] != nil {
			// The object's unmodelled members go back beside the modelled
			// ones, as long as the object is still there.
			if obj, ok := item[k].(*types.AttributeValueMemberM); ok {
				for name, x := range rest {
					if _, set := obj.Value[name]; set || objectFields[k][name] {
						continue
					}
					av, err := attributevalue.Marshal(x)
					if err != nil {
						return nil, fmt.Errorf("encode user field %s.%s: %w", k, name, err)
					}
					obj.Value[name] = av
				}
			}
			continue
		}
		if userFields[k] {
			continue
		}
		av, err := attributevalue.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encode user field %s: %w", k, err)
		}
		item[k] = av
	}
	return item, nil
}

// Owner implements account.Users: one strongly consistent GetItem of the
// key's sentinel.
func (s *Store) Owner(ctx context.Context, key string) (string, error) {
	var out *dynamodb.GetItemOutput
	err := s.retry(ctx, func() (err error) {
		out, err = s.DB.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:      aws.String(s.Names.Keys),
			Key:            map[string]types.AttributeValue{"key": str(key)},
			ConsistentRead: aws.Bool(true),
		})
		return err
	})
	if err != nil {
		return "", classify(err)
	}
	uid, ok := out.Item["uid"].(*types.AttributeValueMemberS)
	if !ok {
		return "", account.ErrNotFound
	}
	return uid.Value, nil
}

// Create implements account.Users: one TransactWriteItems putting the user
// and each key's sentinel, all conditional on not existing yet.
func (s *Store) Create(ctx context.Context, u *account.User, keys []string) error {
	item, err := userItem(u)
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{{Put: &types.Put{
		TableName:                aws.String(s.Names.Users),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#uid)"),
		ExpressionAttributeNames: map[string]string{"#uid": "uid"},
	}}}
	items = append(items, s.claims(u.UID, keys)...)
	err = s.transact(ctx, items, keys)
	if errors.Is(err, errUserCondition) {
		return s.settle(ctx, item, account.ErrConflict)
	}
	return err
}

// Save implements account.Users: a PutItem conditional on the version, or,
// when keys change, a TransactWriteItems that also claims and releases
// sentinels. A failed condition on the version is settled by a read.
func (s *Store) Save(ctx context.Context, u *account.User, addKeys, dropKeys []string) error {
	next := *u
	next.Version = u.Version + 1
	item, err := userItem(&next)
	if err != nil {
		return err
	}
	put := &types.Put{
		TableName:                 aws.String(s.Names.Users),
		Item:                      item,
		ConditionExpression:       aws.String("#ver = :v"),
		ExpressionAttributeNames:  map[string]string{"#ver": "ver"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": num(u.Version)},
	}
	if len(addKeys) == 0 && len(dropKeys) == 0 {
		err := s.retry(ctx, func() error {
			_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: put.TableName, Item: put.Item,
				ConditionExpression: put.ConditionExpression, ExpressionAttributeNames: put.ExpressionAttributeNames,
				ExpressionAttributeValues: put.ExpressionAttributeValues})
			return err
		})
		if isCondFailed(err) {
			return s.settle(ctx, item, account.ErrNotFound)
		}
		return classify(err)
	}
	items := []types.TransactWriteItem{{Put: put}}
	items = append(items, s.claims(u.UID, addKeys)...)
	items = append(items, s.releases(u.UID, dropKeys)...)
	err = s.transact(ctx, items, addKeys)
	if errors.Is(err, errUserCondition) {
		return s.settle(ctx, item, account.ErrNotFound)
	}
	return err
}

// errUserCondition means a write of a user item failed its condition.
var errUserCondition = errors.New("user item condition failed")

// settle answers a write of a user item that failed its condition: nil if
// the stored item is already the one it writes, which is what a repeat of
// an applied write finds (DynamoDB applied it but the answer was lost, and
// the SDK's retry, or the caller's, failed the condition on that very
// result), so a Create or Save applies once however often it is sent;
// missing if there is no account; ErrConflict if the stored one differs.
func (s *Store) settle(ctx context.Context, item map[string]types.AttributeValue, missing error) error {
	var out *dynamodb.GetItemOutput
	err := s.retry(ctx, func() (err error) {
		out, err = s.DB.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:      aws.String(s.Names.Users),
			Key:            map[string]types.AttributeValue{"uid": item["uid"]},
			ConsistentRead: aws.Bool(true),
		})
		return err
	})
	switch {
	case err != nil:
		return classify(err)
	case out.Item == nil:
		return missing
	case sameItem(out.Item, item):
		return nil
	}
	return account.ErrConflict
}

// releases returns the sentinel deletes for keys, each only if uid owns it.
func (s *Store) releases(uid string, keys []string) []types.TransactWriteItem {
	out := make([]types.TransactWriteItem, 0, len(keys))
	for _, k := range keys {
		table, key := s.keyItem(k)
		out = append(out, types.TransactWriteItem{Delete: &types.Delete{
			TableName:                 aws.String(table),
			Key:                       key,
			ConditionExpression:       aws.String("#uid = :uid"),
			ExpressionAttributeNames:  map[string]string{"#uid": "uid"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":uid": str(uid)},
		}})
	}
	return out
}

// claims returns the sentinel puts for keys.
func (s *Store) claims(uid string, keys []string) []types.TransactWriteItem {
	out := make([]types.TransactWriteItem, 0, len(keys))
	for _, k := range keys {
		table, key := s.keyItem(k)
		item := map[string]types.AttributeValue{"uid": str(uid)}
		maps.Copy(item, key)
		out = append(out, types.TransactWriteItem{Put: &types.Put{
			TableName:                aws.String(table),
			Item:                     item,
			ConditionExpression:      aws.String("attribute_not_exists(#uid)"),
			ExpressionAttributeNames: map[string]string{"#uid": "uid"},
		}})
	}
	return out
}

// transact runs a transaction whose item 0 is the user and items 1..len(keys)
// claim keys, and maps a cancellation to the account errors, or to
// errUserCondition for the caller to settle.
func (s *Store) transact(ctx context.Context, items []types.TransactWriteItem, keys []string) error {
	err := s.retry(ctx, func() error {
		_, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		return err
	})
	tc, ok := errors.AsType[*types.TransactionCanceledException](err)
	if !ok {
		return classify(err)
	}
	for i, r := range tc.CancellationReasons {
		if r.Code == nil || *r.Code != "ConditionalCheckFailed" {
			continue
		}
		switch {
		case i == 0:
			return errUserCondition
		case i <= len(keys):
			return &account.TakenError{Key: keys[i-1]}
		default:
			// A released key no longer belongs to the user: someone changed
			// the account meanwhile.
			return account.ErrConflict
		}
	}
	return classify(err)
}

// keyItem returns where a unique key lives: the keys table, or, for the
// invite index's keys (account.InvitedKey), the invites table, where they
// can be listed by inviter and level.
func (s *Store) keyItem(k string) (table string, key map[string]types.AttributeValue) {
	if rest, ok := strings.CutPrefix(k, account.InvitedKeyPrefix); ok {
		inv, at, _ := strings.Cut(rest, "|")
		return s.Names.Invites, map[string]types.AttributeValue{"inv": str(inv), "at": str(at)}
	}
	return s.Names.Keys, map[string]types.AttributeValue{"key": str(k)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: fmt.Sprint(n)}
}

// Delete implements account.Users: one TransactWriteItems deleting the
// user on its version and each key on its owner.
func (s *Store) Delete(ctx context.Context, u *account.User, keys []string) error {
	items := []types.TransactWriteItem{{Delete: &types.Delete{
		TableName:                 aws.String(s.Names.Users),
		Key:                       map[string]types.AttributeValue{"uid": str(u.UID)},
		ConditionExpression:       aws.String("#ver = :v"),
		ExpressionAttributeNames:  map[string]string{"#ver": "ver"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": num(u.Version)},
	}}}
	items = append(items, s.releases(u.UID, keys)...)
	err := s.transact(ctx, items, nil)
	if errors.Is(err, errUserCondition) {
		if _, gerr := s.Get(ctx, u.UID); errors.Is(gerr, account.ErrNotFound) {
			return account.ErrNotFound
		}
		return account.ErrConflict
	}
	return err
}

// List implements account.Users: one Scan page of the users table, read
// consistently. An administrator's listing, never a request path of users.
func (s *Store) List(ctx context.Context, limit int, cursor string) ([]*account.User, string, error) {
	in := &dynamodb.ScanInput{TableName: aws.String(s.Names.Users), Limit: aws.Int32(int32(limit)), ConsistentRead: aws.Bool(true)}
	if cursor != "" {
		in.ExclusiveStartKey = map[string]types.AttributeValue{"uid": str(cursor)}
	}
	var out *dynamodb.ScanOutput
	err := s.retry(ctx, func() (err error) {
		out, err = s.DB.Scan(ctx, in)
		return err
	})
	if err != nil {
		return nil, "", classify(err)
	}
	users := make([]*account.User, 0, len(out.Items))
	for _, item := range out.Items {
		u, err := decodeUser(item)
		if err != nil {
			return nil, "", err
		}
		users = append(users, u)
	}
	next := ""
	if v, ok := out.LastEvaluatedKey["uid"].(*types.AttributeValueMemberS); ok {
		next = v.Value
	}
	return users, next, nil
}
