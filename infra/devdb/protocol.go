package devdb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"

	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/truora/minidyn/server"
)

// operation decodes one request body and runs it on minidyn's tables.
type operation func(mem *server.Client, body []byte) (any, error)

// operations are the requests devdb serves: minidyn's, by X-Amz-Target
// operation name. TransactWriteItems is devdb's own (transact.go).
var operations = map[string]operation{
	"CreateTable":      op((*server.Client).CreateTable),
	"UpdateTable":      op((*server.Client).UpdateTable),
	"DeleteTable":      op((*server.Client).DeleteTable),
	"DescribeTable":    op((*server.Client).DescribeTable),
	"PutItem":          op((*server.Client).PutItem),
	"DeleteItem":       op((*server.Client).DeleteItem),
	"UpdateItem":       op((*server.Client).UpdateItem),
	"GetItem":          op((*server.Client).GetItem),
	"Query":            op((*server.Client).Query),
	"Scan":             op((*server.Client).Scan),
	"BatchWriteItem":   op((*server.Client).BatchWriteItem),
	"BatchGetItem":     op((*server.Client).BatchGetItem),
	"TransactGetItems": op((*server.Client).TransactGetItems),
}

// op adapts one of minidyn's client methods to an operation. The body is
// decoded as minidyn's server decodes it: its first JSON value, names
// matched case-insensitively.
func op[In, Out any](run func(*server.Client, context.Context, *In) (*Out, error)) operation {
	return func(mem *server.Client, body []byte) (any, error) {
		var in In
		if err := json.NewDecoder(bytes.NewReader(body)).Decode(&in); err != nil {
			return nil, err
		}

		return run(mem, context.Background(), &in)
	}
}

// wireOptions encode an answer as encoding/json does (minidyn's answer
// types carry its tags), except for attribute values: an empty list, map or
// binary keeps its type, {"L":[]}, {"M":{}} or {"B":""}, as in DynamoDB's
// answers.
var wireOptions = jsonv2.JoinOptions(
	jsonv1.DefaultOptionsV1(),
	jsontext.EscapeForHTML(false),
	jsonv2.WithMarshalers(jsonv2.MarshalToFunc(func(enc *jsontext.Encoder, av *server.AttributeValue) error {
		switch {
		case av.L != nil:
			return jsonv2.MarshalEncode(enc, struct{ L []*server.AttributeValue }{av.L})
		case av.M != nil:
			return jsonv2.MarshalEncode(enc, struct {
				M map[string]*server.AttributeValue
			}{av.M})
		case av.B != nil:
			return jsonv2.MarshalEncode(enc, struct{ B []byte }{av.B})
		}

		return errors.ErrUnsupported // the other members as minidyn's tags say
	})),
)

// writeAnswer writes minidyn's answer to a request.
func writeAnswer(w http.ResponseWriter, out any) {
	var buf bytes.Buffer
	if err := jsonv2.MarshalWrite(&buf, out, wireOptions); err != nil {
		writeError(w, http.StatusInternalServerError, "InternalServerError", "encoding the answer: "+err.Error())
		return
	}

	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// writeFailure answers a request minidyn refused in DynamoDB's error shape,
// as minidyn's server does: the error's code and message (InternalFailure
// for an error without a code), the cancellation reasons of a cancelled
// transaction, the item of a failed condition when it was asked for.
func writeFailure(w http.ResponseWriter, err error) {
	body := failure{Type: "InternalFailure", Message: err.Error()}

	if coded, ok := err.(interface {
		ErrorCode() string
		ErrorMessage() string
	}); ok {
		body.Type, body.Message = coded.ErrorCode(), coded.ErrorMessage()
	}

	switch e := err.(type) {
	case *txCanceled:
		body.Reasons = e.reasons
	case *ddbtypes.ConditionalCheckFailedException:
		body.Item = wireItem(e.Item)
	}

	code := http.StatusBadRequest
	if body.Type == "InternalServerError" {
		code = http.StatusInternalServerError
	}

	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(code)
	_ = jsonv2.MarshalWrite(w, body, wireOptions)
}

// failure is DynamoDB's error answer.
type failure struct {
	Type    string                            `json:"__type"`
	Message string                            `json:"message"`
	Reasons []reason                          `json:"CancellationReasons,omitempty"`
	Item    map[string]*server.AttributeValue `json:"Item,omitempty"`
}

// reason is one item's part in a cancelled transaction.
type reason struct {
	Code    string                            `json:"Code"`
	Message string                            `json:"Message,omitempty"`
	Item    map[string]*server.AttributeValue `json:"Item,omitempty"`
}

// wireItem converts an item minidyn put in an error to its wire form.
func wireItem(item map[string]ddbtypes.AttributeValue) map[string]*server.AttributeValue {
	if len(item) == 0 {
		return nil
	}

	out := make(map[string]*server.AttributeValue, len(item))
	for k, v := range item {
		out[k] = wireValue(v)
	}

	return out
}

// wireValue converts one attribute value to its wire form.
func wireValue(av ddbtypes.AttributeValue) *server.AttributeValue {
	switch v := av.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return &server.AttributeValue{S: &v.Value}
	case *ddbtypes.AttributeValueMemberN:
		return &server.AttributeValue{N: &v.Value}
	case *ddbtypes.AttributeValueMemberB:
		return &server.AttributeValue{B: append([]byte{}, v.Value...)}
	case *ddbtypes.AttributeValueMemberBOOL:
		return &server.AttributeValue{BOOL: &v.Value}
	case *ddbtypes.AttributeValueMemberNULL:
		return &server.AttributeValue{NULL: &v.Value}
	case *ddbtypes.AttributeValueMemberSS:
		return &server.AttributeValue{SS: ptrs(v.Value)}
	case *ddbtypes.AttributeValueMemberNS:
		return &server.AttributeValue{NS: ptrs(v.Value)}
	case *ddbtypes.AttributeValueMemberBS:
		return &server.AttributeValue{BS: v.Value}
	case *ddbtypes.AttributeValueMemberL:
		l := make([]*server.AttributeValue, len(v.Value))
		for i, x := range v.Value {
			l[i] = wireValue(x)
		}

		return &server.AttributeValue{L: l}
	case *ddbtypes.AttributeValueMemberM:
		m := make(map[string]*server.AttributeValue, len(v.Value))
		for k, x := range v.Value {
			m[k] = wireValue(x)
		}

		return &server.AttributeValue{M: m}
	}

	return &server.AttributeValue{}
}

func ptrs(in []string) []*string {
	out := make([]*string, len(in))
	for i := range in {
		out[i] = &in[i]
	}

	return out
}
