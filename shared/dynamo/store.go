package dynamo

import (
	"context"
	"errors"
	"math/rand/v2"
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
	// Retries bounds the extra attempts after a transaction conflict or
	// throttling the SDK did not absorb; 0 means 3.
	Retries int
}

var (
	_ account.Users    = (*Store)(nil)
	_ account.Captchas = (*Store)(nil)
	_ account.Counters = (*Store)(nil)
)

// retry runs op, again after a transient failure (a transaction conflict,
// throttling, an internal error), with jittered exponential backoff, while
// the context allows. Whatever is still transient at the end is
// account.ErrUnavailable.
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

// transientCodes are DynamoDB errors worth retrying.
var transientCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true, "ThrottlingException": true,
	"RequestLimitExceeded": true, "InternalServerError": true, "ServiceUnavailable": true,
	"TransactionConflictException": true, "TransactionInProgressException": true,
	"LimitExceededException": true,
}

// transient reports whether err is worth another attempt.
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
		return transientCodes[ae.ErrorCode()]
	}
	// Anything below the API (connection refused, reset, timeout) is transient.
	return !errors.Is(err, context.Canceled)
}

// classify maps what is left after retry to the account errors.
func classify(err error) error {
	if err == nil || errors.Is(err, account.ErrUnavailable) {
		return err
	}
	if _, ok := errors.AsType[smithy.APIError](err); !ok && !errors.Is(err, context.Canceled) {
		return errors.Join(account.ErrUnavailable, err)
	}
	return err
}

func isCondFailed(err error) bool {
	_, ok := errors.AsType[*types.ConditionalCheckFailedException](err)
	return ok
}

// marshal encodes a domain value by its json tags, so stored items carry
// uni-id's field names. Empty maps and lists are left out, as omitempty
// means (the encoder keeps them, and minidyn reads an empty map back wrong).
func marshal(v any) (map[string]types.AttributeValue, error) {
	item, err := attributevalue.MarshalMapWithOptions(v, func(o *attributevalue.EncoderOptions) { o.TagKey = "json" })
	if err != nil {
		return nil, err
	}
	for k, av := range item {
		switch x := av.(type) {
		case *types.AttributeValueMemberM:
			if len(x.Value) == 0 {
				delete(item, k)
			}
		case *types.AttributeValueMemberL:
			if len(x.Value) == 0 {
				delete(item, k)
			}
		}
	}
	return item, nil
}

func unmarshal(item map[string]types.AttributeValue, v any) error {
	return attributevalue.UnmarshalMapWithOptions(item, v, func(o *attributevalue.DecoderOptions) { o.TagKey = "json" })
}
