package dynamo

import (
	"cmp"
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/idco-dev/idco/shared/account"
)

// Store implements the account stores over DynamoDB.
type Store struct {
	DB    *dynamodb.Client
	Names Names
	// Retries bounds the extra attempts after a cancelled transaction
	// (a conflict, or throttling of one of its items); 0 means 3.
	Retries int
}

var (
	_ account.Users    = (*Store)(nil)
	_ account.Captchas = (*Store)(nil)
	_ account.Counters = (*Store)(nil)
)

// retry runs op, again after a cancelled transaction (a conflict with
// another transaction, or throttling of one of its items), with jittered
// exponential backoff, while the context allows. Everything else worth
// another attempt (throttling, internal errors, lost connections) the SDK's
// retryer already retried, with the same ClientRequestToken, so a lasting
// throttle costs the SDK's attempts only, not those times ours. Whatever is
// still transient at the end is account.ErrUnavailable.
func (s *Store) retry(ctx context.Context, op func() error) error {
	tries := s.Retries
	if tries == 0 {
		tries = 3
	}
	backoff := 20 * time.Millisecond
	for i := 0; ; i++ {
		err := op()
		if err == nil || !transient(err) {
			return err
		}
		if i == tries {
			return errors.Join(account.ErrUnavailable, err)
		}
		d := backoff/2 + rand.N(backoff)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d+50*time.Millisecond {
			return errors.Join(account.ErrUnavailable, err)
		}
		select {
		case <-ctx.Done():
			return errors.Join(account.ErrUnavailable, ctx.Err())
		case <-time.After(d):
		}
		backoff *= 2
	}
}

// conflictCodes are the errors of transactions that did not apply because
// another one held an item: worth another try, which the SDK does not make.
var conflictCodes = map[string]bool{"TransactionConflictException": true, "TransactionInProgressException": true}

// unavailableCodes are the errors the SDK retried and gave up on: the
// caller gets a retryable answer.
var unavailableCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true, "ThrottlingException": true,
	"RequestLimitExceeded": true, "InternalServerError": true, "ServiceUnavailable": true,
	"LimitExceededException": true,
}

// transient reports whether err is worth another attempt of ours.
func transient(err error) bool {
	if tc, ok := errors.AsType[*types.TransactionCanceledException](err); ok {
		for _, r := range tc.CancellationReasons {
			if r.Code != nil && (*r.Code == "TransactionConflict" || *r.Code == "ThrottlingError" ||
				*r.Code == "ProvisionedThroughputExceeded") {
				return true
			}
		}
		return false
	}
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		return conflictCodes[ae.ErrorCode()]
	}
	return false
}

// classify maps what is left after retry to the account errors.
func classify(err error) error {
	if err == nil || errors.Is(err, account.ErrUnavailable) {
		return err
	}
	ae, ok := errors.AsType[smithy.APIError](err)
	if (!ok && !errors.Is(err, context.Canceled)) || (ok && unavailableCodes[ae.ErrorCode()]) {
		return errors.Join(account.ErrUnavailable, err)
	}
	return err
}

func isCondFailed(err error) bool {
	_, ok := errors.AsType[*types.ConditionalCheckFailedException](err)
	return ok
}

// marshal encodes v, a struct or a pointer to one, by its json tags, so
// stored items carry uni-id's field names. A field tagged omitempty that
// holds an empty map or slice is left out, as encoding/json leaves it out
// and uni-id's documents lack it; attributevalue leaves out only nil ones.
// A field tagged omitzero is left out when nil only: its empty value means
// something (dcloud_appid: [] is no app, a missing one every app).
func marshal(v any) (map[string]types.AttributeValue, error) {
	item, err := attributevalue.MarshalMapWithOptions(v, func(o *attributevalue.EncoderOptions) { o.TagKey = "json" })
	if err != nil {
		return nil, err
	}
	rv := reflect.Indirect(reflect.ValueOf(v))
	for i := range rv.NumField() {
		f, field := rv.Field(i), rv.Type().Field(i)
		name, opts, _ := strings.Cut(field.Tag.Get("json"), ",")
		collection := f.Kind() == reflect.Map || f.Kind() == reflect.Slice
		switch o := strings.Split(opts, ","); {
		case collection && f.Len() == 0 && slices.Contains(o, "omitempty"),
			collection && f.IsNil() && slices.Contains(o, "omitzero"):
			delete(item, cmp.Or(name, field.Name))
		}
	}
	return item, nil
}

func unmarshal(item map[string]types.AttributeValue, v any) error {
	return attributevalue.UnmarshalMapWithOptions(item, v, func(o *attributevalue.DecoderOptions) { o.TagKey = "json" })
}

// sameItem reports whether two items hold the same attributes and values.
// Numbers compare as text: one DynamoDB wrote otherwise ("1E+2" for "100")
// makes the items differ, never two different items the same.
func sameItem(a, b map[string]types.AttributeValue) bool {
	var x, y map[string]any
	asNumbers := func(o *attributevalue.DecoderOptions) { o.UseNumber = true }
	return attributevalue.UnmarshalMapWithOptions(a, &x, asNumbers) == nil &&
		attributevalue.UnmarshalMapWithOptions(b, &y, asNumbers) == nil && reflect.DeepEqual(x, y)
}
