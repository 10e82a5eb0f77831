package fakeprov_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// TestSES drives the fake SES with the SDK's own SES v2 client: a request
// signed with another secret is refused and reported, one signed right is
// recorded, and Fail and Authorize answer as SES does.
func TestSES(t *testing.T) {
	key := fakeprov.AWSKey{ID: "AKIAFAKESESTEST00000", Secret: "ses-secret", Token: "ses-session", Region: "eu-west-1"}
	f := fakeprov.NewSES(t, key)
	var (
		mu      sync.Mutex
		reports []string
	)
	f.Report = func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		reports = append(reports, fmt.Sprintf(format, args...))
	}
	reported := func() string {
		mu.Lock()
		defer mu.Unlock()
		s := strings.Join(reports, "; ")
		reports = nil
		return s
	}
	f.Authorize = func(caller string, _ fakeprov.SESEmail) error {
		if caller == "intruder" {
			return errors.New("not authorized to perform: ses:SendEmail")
		}
		return nil
	}
	send := func(url, secret string, to ...string) error {
		cl := sesv2.New(sesv2.Options{Region: key.Region, BaseEndpoint: aws.String(url), HTTPClient: f.Client(),
			Credentials:      credentials.NewStaticCredentialsProvider(key.ID, secret, key.Token),
			RetryMaxAttempts: 1})
		_, err := cl.SendEmail(t.Context(), &sesv2.SendEmailInput{
			FromEmailAddress: aws.String("Band <no-reply@band.example>"),
			Destination:      &types.Destination{ToAddresses: to},
			Content: &types.EmailContent{Simple: &types.Message{
				Subject: &types.Content{Data: aws.String("Your code"), Charset: aws.String("UTF-8")},
				Body:    &types.Body{Text: &types.Content{Data: aws.String("482916"), Charset: aws.String("UTF-8")}},
			}},
		})
		return err
	}
	code := func(err error) string {
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			return fmt.Sprint(err)
		}
		return ae.ErrorCode()
	}

	if err := send(f.URL, "not-the-secret", "a@example.com"); code(err) != "SignatureDoesNotMatch" {
		t.Errorf("another secret: %v, want SignatureDoesNotMatch", err)
	}
	if r := reported(); !strings.Contains(r, "signature does not match") {
		t.Errorf("another secret reported %q", r)
	}
	if err := send(f.URL, key.Secret, "a@example.com", "b@example.com"); code(err) != "BadRequestException" {
		t.Errorf("two recipients: %v, want BadRequestException", err)
	}
	if r := reported(); !strings.Contains(r, "2 ToAddresses") {
		t.Errorf("two recipients reported %q", r)
	}
	if err := send(f.URLFor("intruder"), key.Secret, "a@example.com"); code(err) != "AccessDeniedException" {
		t.Errorf("unauthorized caller: %v, want AccessDeniedException", err)
	}
	if n := len(f.Sent()); n != 0 {
		t.Fatalf("the fake recorded %d refused messages", n)
	}

	// One throttled answer, then the message is sent.
	f.Fail(fakeprov.SESThrottling, 1)
	if err := send(f.URL, key.Secret, "a@example.com"); code(err) != "ThrottlingException" {
		t.Errorf("Fail(SESThrottling, 1): %v, want ThrottlingException", err)
	}
	if err := send(f.URLFor("mailer"), key.Secret, "a@example.com"); err != nil {
		t.Fatalf("a genuine SendEmail: %v (%s)", err, reported())
	}
	sent := f.Sent()
	if len(sent) != 1 || sent[0].Caller != "mailer" || sent[0].MessageID == "" ||
		sent[0].Content.Simple.Subject != (fakeprov.SESContent{Data: "Your code", Charset: "UTF-8"}) ||
		sent[0].Content.Simple.Body.Text.Data != "482916" || sent[0].Content.Simple.Body.Html != nil {
		t.Errorf("Sent = %+v", sent)
	}
	if m, ok := f.Take("a@example.com"); !ok || m.FromEmailAddress != "Band <no-reply@band.example>" {
		t.Errorf("Take = %+v, %v", m, ok)
	}
	if _, ok := f.Take("a@example.com"); ok || len(f.Sent()) != 0 {
		t.Error("Take did not remove the message")
	}
	if n := f.Calls(); n != 5 {
		t.Errorf("Calls = %d, want 5", n)
	}
	if r := reported(); r != "" {
		t.Errorf("unexpected reports: %s", r)
	}
}
