package fakeprov_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	eum "github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// awsSMSCase drives one AWS SMS fake with the SDK's own client: send
// sends to phone with the given secret.
type awsSMSCase struct {
	outbox *fakeprov.Outbox[fakeprov.AWSMessage]
	send   func(secret, phone string) error
	// the param holding the destination, and the throttling fault and its code
	phoneParam, throttleCode string
	throttle                 fakeprov.Reply
}

// TestAWSSMS: for SNS and End User Messaging, a request signed with
// another secret is refused and reported, a genuine one sent and recorded,
// and Fail answers as the service does.
func TestAWSSMS(t *testing.T) {
	key := fakeprov.AWSKey{ID: "AKIAFAKESMSTEST00000", Secret: "sms-secret", Region: "ap-southeast-1"}
	creds := func(secret string) aws.CredentialsProvider {
		return credentials.NewStaticCredentialsProvider(key.ID, secret, "")
	}
	s := fakeprov.NewSNS(t, key)
	e := fakeprov.NewEUM(t, key)
	cases := map[string]awsSMSCase{
		"sns": {outbox: &s.Outbox, phoneParam: "PhoneNumber", throttle: fakeprov.SNSThrottled, throttleCode: "Throttled",
			send: func(secret, phone string) error {
				cl := sns.New(sns.Options{Region: key.Region, BaseEndpoint: aws.String(s.URL), HTTPClient: s.Client(),
					Credentials: creds(secret), RetryMaxAttempts: 1})
				_, err := cl.Publish(t.Context(), &sns.PublishInput{PhoneNumber: aws.String(phone), Message: aws.String("204817")})
				return err
			}},
		"eum": {outbox: &e.Outbox, phoneParam: "DestinationPhoneNumber", throttle: fakeprov.EUMThrottling,
			throttleCode: "ThrottlingException",
			send: func(secret, phone string) error {
				cl := eum.New(eum.Options{Region: key.Region, BaseEndpoint: aws.String(e.URL), HTTPClient: e.Client(),
					Credentials: creds(secret), RetryMaxAttempts: 1})
				_, err := cl.SendTextMessage(t.Context(), &eum.SendTextMessageInput{DestinationPhoneNumber: aws.String(phone),
					MessageBody: aws.String("204817")})
				return err
			}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			reported := collect(&tc.outbox.Report)
			code := func(err error) string {
				var ae smithy.APIError
				if !errors.As(err, &ae) {
					return fmt.Sprint(err)
				}
				return ae.ErrorCode()
			}
			if err := tc.send("not-the-secret", "+8613800138000"); code(err) != "SignatureDoesNotMatch" {
				t.Errorf("another secret: %v, want SignatureDoesNotMatch", err)
			}
			if r := reported(); !strings.Contains(r, "signature does not match") {
				t.Errorf("another secret reported %q", r)
			}
			tc.outbox.Fail(tc.throttle, 1)
			if err := tc.send(key.Secret, "+8613800138000"); code(err) != tc.throttleCode {
				t.Errorf("Fail(throttling, 1): %v, want %s", err, tc.throttleCode)
			}
			if err := tc.send(key.Secret, "+8613800138000"); err != nil {
				t.Fatalf("a genuine send: %v (%s)", err, reported())
			}
			sent := tc.outbox.Sent()
			if len(sent) != 1 || sent[0].MessageID == "" || sent[0].Params[tc.phoneParam] != "+8613800138000" {
				t.Errorf("Sent = %+v", sent)
			}
			if _, ok := tc.outbox.Take("+8613800138000"); !ok || len(tc.outbox.Sent()) != 0 {
				t.Error("Take did not return and remove the message")
			}
			if n := tc.outbox.Calls(); n != 3 {
				t.Errorf("Calls = %d, want 3", n)
			}
			if r := reported(); r != "" {
				t.Errorf("unexpected reports: %s", r)
			}
		})
	}
}
