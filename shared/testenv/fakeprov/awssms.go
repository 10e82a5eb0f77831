package fakeprov

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// SNS is a fake Amazon SNS endpoint for Publish to a phone number, in SNS's
// awsquery wire format (a form POST to /, answered with XML), on
// 127.0.0.1. It refuses, reporting each refusal (Report):
//
//   - a request not signed with Key by SigV4 for sns (VerifySigV4; 403
//     with the error code VerifySigV4 names);
//   - a POST that is not a form, another action or version (400
//     InvalidAction), or a Publish without PhoneNumber or Message (400
//     InvalidParameter).
//
// A Publish that checks out is answered with a MessageId. The embedded
// Outbox gives URL, Now, Delay, Report, Fail, Calls, Sent and Take (by
// PhoneNumber, E.164).
type SNS struct {
	Outbox[AWSMessage]
	// Key is what requests must be signed with; its Service is "sns".
	Key AWSKey
}

// AWSMessage is one message SNS or EUM sent.
type AWSMessage struct {
	// Params are the request's params: SNS's form (PhoneNumber, Message,
	// MessageAttributes.entry.1.Value.StringValue...), EUM's JSON object
	// (DestinationPhoneNumber, MessageBody, MessageType...).
	Params    map[string]string
	MessageID string // as answered
}

// NewSNS starts a fake SNS that takes requests signed with key (its
// Service defaults to "sns"); t.Cleanup stops it.
func NewSNS(t testing.TB, key AWSKey) *SNS {
	t.Helper()
	s := &SNS{Key: key.or("sns")}
	s.start(t, "fakeprov sns", s.check, s.ok, param("PhoneNumber"))
	return s
}

// SNSError is an SNS error answer: its type ("Sender" or "Receiver"),
// code and message.
func SNSError(status int, typ, code, msg string) Reply {
	return Reply{Status: status, Header: map[string]string{"Content-Type": "text/xml"},
		Body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>` + typ + `</Type><Code>` + code +
			`</Code><Message>` + html.EscapeString(msg) + `</Message></Error><RequestId>` + randUUID() + `</RequestId></ErrorResponse>`}
}

// Faults SNS answers, as it words them.
var (
	SNSThrottled     = SNSError(429, "Sender", "Throttled", "Rate exceeded")
	SNSInternalError = SNSError(500, "Receiver", "InternalError", "Internal Error")
)

func (s *SNS) check(r *http.Request, body []byte) (AWSMessage, Reply, error) {
	var m AWSMessage
	if err := VerifySigV4(r, body, s.Key, s.now()); err != nil {
		code, msg, _ := strings.Cut(err.Error(), ": ")
		return m, SNSError(http.StatusForbidden, "Sender", code, msg), err
	}
	form, err := url.ParseQuery(string(body))
	if r.Method != http.MethodPost || r.URL.Path != "/" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" ||
		err != nil || form.Get("Action") != "Publish" || form.Get("Version") != "2010-03-31" {
		return m, SNSError(http.StatusBadRequest, "Sender", "InvalidAction", "Could not find operation"),
			fmt.Errorf("not an awsquery Publish 2010-03-31: %s %s %q %q", r.Method, r.URL.Path, r.Header.Get("Content-Type"), body)
	}
	m.Params = map[string]string{}
	for k := range form {
		m.Params[k] = form.Get(k)
	}
	if m.Params["PhoneNumber"] == "" || m.Params["Message"] == "" {
		return m, SNSError(http.StatusBadRequest, "Sender", "InvalidParameter", "Invalid parameter: PhoneNumber or Message"),
			fmt.Errorf("InvalidParameter: Publish without PhoneNumber or Message: %v", m.Params)
	}
	return m, Reply{}, nil
}

func (s *SNS) ok(m *AWSMessage, n int) Reply {
	m.MessageID = fmt.Sprintf("567910cd-659e-55d4-8ccb-%012x", n)
	return Reply{Status: http.StatusOK, Header: map[string]string{"Content-Type": "text/xml"},
		Body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>` + m.MessageID +
			`</MessageId></PublishResult><ResponseMetadata><RequestId>` + randUUID() + `</RequestId></ResponseMetadata></PublishResponse>`}
}

// EUM is a fake AWS End User Messaging SMS endpoint (the
// pinpoint-sms-voice-v2 API) for SendTextMessage, in its awsJson1_0 wire
// format (a POST to / naming the operation in X-Amz-Target, errors named
// by __type), on 127.0.0.1. It refuses, reporting each refusal (Report):
//
//   - a request not signed with Key by SigV4 for sms-voice (VerifySigV4;
//     403 with the error type VerifySigV4 names);
//   - another operation (400 UnknownOperationException), or a body that is
//     not a JSON object of strings with DestinationPhoneNumber and
//     MessageBody (400 ValidationException).
//
// A SendTextMessage that checks out is answered with a MessageId. The
// embedded Outbox gives URL, Now, Delay, Report, Fail, Calls, Sent and Take
// (by DestinationPhoneNumber, E.164).
type EUM struct {
	Outbox[AWSMessage]
	// Key is what requests must be signed with; its Service is
	// "sms-voice".
	Key AWSKey
}

// NewEUM starts a fake End User Messaging SMS that takes requests signed
// with key (its Service defaults to "sms-voice"); t.Cleanup stops it.
func NewEUM(t testing.TB, key AWSKey) *EUM {
	t.Helper()
	e := &EUM{Key: key.or("sms-voice")}
	e.start(t, "fakeprov eum", e.check, e.ok, param("DestinationPhoneNumber"))
	return e
}

const eumJSON = "application/x-amz-json-1.0"

// EUMError is an End User Messaging error answer: its type, such as
// ThrottlingException, and message.
func EUMError(status int, typ, msg string) Reply {
	b, _ := json.Marshal(map[string]string{"__type": "com.amazonaws.pinpointsmsvoicev2#" + typ, "Message": msg})
	return Reply{Status: status, Header: map[string]string{"Content-Type": eumJSON, "x-amzn-RequestId": randUUID()}, Body: string(b)}
}

// Faults End User Messaging answers, as it words them.
var (
	EUMThrottling     = EUMError(400, "ThrottlingException", "Rate exceeded")
	EUMInternalServer = EUMError(500, "InternalServerException", "Internal service error")
)

func (e *EUM) check(r *http.Request, body []byte) (AWSMessage, Reply, error) {
	var m AWSMessage
	if err := VerifySigV4(r, body, e.Key, e.now()); err != nil {
		typ, msg, _ := strings.Cut(err.Error(), ": ")
		return m, EUMError(http.StatusForbidden, typ, msg), err
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" || r.Header.Get("X-Amz-Target") != "PinpointSMSVoiceV2.SendTextMessage" ||
		r.Header.Get("Content-Type") != eumJSON {
		return m, EUMError(http.StatusBadRequest, "UnknownOperationException", "unknown operation"),
			fmt.Errorf("not an awsJson1_0 SendTextMessage: %s %s %v", r.Method, r.URL.Path, r.Header)
	}
	if err := json.Unmarshal(body, &m.Params); err != nil || m.Params["DestinationPhoneNumber"] == "" || m.Params["MessageBody"] == "" {
		return m, EUMError(http.StatusBadRequest, "ValidationException", "Invalid request"),
			fmt.Errorf("ValidationException: body %s: want a JSON object of strings with DestinationPhoneNumber and MessageBody (%v)", body, err)
	}
	return m, Reply{}, nil
}

func (e *EUM) ok(m *AWSMessage, n int) Reply {
	m.MessageID = fmt.Sprintf("0a1b2c3d-4e5f-6a7b-8c9d-%012x", n)
	return Reply{Status: http.StatusOK, Header: map[string]string{"Content-Type": eumJSON}, Body: `{"MessageId":"` + m.MessageID + `"}`}
}

// randUUID is a random request ID in AWS's form.
func randUUID() string { return strings.ToLower(caRequestID()) }

// or returns k with service when it names none.
func (k AWSKey) or(service string) AWSKey {
	if k.Service == "" {
		k.Service = service
	}
	return k
}

// param returns a message's param name.
func param(name string) func(AWSMessage) string {
	return func(m AWSMessage) string { return m.Params[name] }
}
