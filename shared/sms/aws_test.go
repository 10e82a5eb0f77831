package sms

import (
	"context"
	"errors"
	"maps"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// awsCase is one scripted answer and the classification it must get.
type awsCase struct {
	scenario              string
	code                  string
	retry, deadlineExceed bool
	attempts              int // requests the short retryer makes
}

func TestEUMSendsTextMessage(t *testing.T) {
	f := fakeprov.NewEUM(t, awsKey)
	s := NewEUM(testAWSConfig(f.URL, f.Client()), EUMConfig{Region: awsRegion, OriginationIdentity: "+6580000000",
		ConfigurationSet: "idco-otp"})
	if err := s.Send(t.Context(), otpMessage("+8613812345678")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := params(&f.Outbox)
	want := map[string]string{"DestinationPhoneNumber": "+8613812345678", "MessageBody": otpMessage("").Text,
		"MessageType": "TRANSACTIONAL", "OriginationIdentity": "+6580000000", "ConfigurationSetName": "idco-otp"}
	if len(got) != 1 || !maps.Equal(got[0], want) {
		t.Errorf("requests = %v, want [%v]", got, want)
	}
}

func TestEUMErrors(t *testing.T) {
	tests := []awsCase{
		{scenario: "throttled", code: "ThrottlingException", retry: true, attempts: 2},
		{scenario: "internal", code: "InternalServerException", retry: true, attempts: 2},
		{scenario: "http500", code: CodeTransport, retry: true, attempts: 2},
		{scenario: "validation", code: "ValidationException", attempts: 1},
		{scenario: "quota", code: "ServiceQuotaExceededException", attempts: 1},
		{scenario: "denied", code: "AccessDeniedException", attempts: 1},
		{scenario: "optedout", code: "ConflictException", attempts: 1},
		{scenario: "badjson", code: CodeTransport, retry: true, attempts: 1},
		{scenario: "slow", code: CodeTransport, retry: true, deadlineExceed: true, attempts: 1},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			f := scripted(t, fakeprov.NewEUM(t, awsKey), eumAnswers, tc.scenario)
			s := NewEUM(testAWSConfig(f.URL, f.Client()), EUMConfig{Region: awsRegion})
			s.Timeout = 300 * time.Millisecond
			checkAWSCase(t, tc, s.Send(t.Context(), otpMessage("+8613812345678")), f.Calls())
		})
	}
}

func TestSNSPublishes(t *testing.T) {
	tests := []struct {
		cfg  SNSConfig
		want map[string]string
	}{
		{SNSConfig{Region: awsRegion}, map[string]string{
			"MessageAttributes.entry.1.Name":              "AWS.SNS.SMS.SMSType",
			"MessageAttributes.entry.1.Value.DataType":    "String",
			"MessageAttributes.entry.1.Value.StringValue": "Transactional",
		}},
		{SNSConfig{Region: awsRegion, SenderID: "IDCO"}, map[string]string{
			"MessageAttributes.entry.1.Name":              "AWS.SNS.SMS.SMSType",
			"MessageAttributes.entry.1.Value.DataType":    "String",
			"MessageAttributes.entry.1.Value.StringValue": "Transactional",
			"MessageAttributes.entry.2.Name":              "AWS.SNS.SMS.SenderID",
			"MessageAttributes.entry.2.Value.DataType":    "String",
			"MessageAttributes.entry.2.Value.StringValue": "IDCO",
		}},
	}
	for i, tc := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			f := fakeprov.NewSNS(t, awsKey)
			if err := NewSNS(testAWSConfig(f.URL, f.Client()), tc.cfg).Send(t.Context(), otpMessage("+8613812345678")); err != nil {
				t.Fatalf("Send: %v", err)
			}
			want := map[string]string{"Action": "Publish", "Version": "2010-03-31",
				"PhoneNumber": "+8613812345678", "Message": otpMessage("").Text}
			maps.Copy(want, tc.want)
			if got := params(&f.Outbox); len(got) != 1 || !maps.Equal(got[0], want) {
				t.Errorf("requests = %v, want [%v]", got, want)
			}
		})
	}
}

func TestSNSErrors(t *testing.T) {
	tests := []awsCase{
		{scenario: "throttled", code: "Throttled", retry: true, attempts: 2},
		{scenario: "internal", code: "InternalError", retry: true, attempts: 2},
		{scenario: "http500", code: CodeTransport, retry: true, attempts: 2},
		{scenario: "invalid", code: "InvalidParameter", attempts: 1},
		{scenario: "auth", code: "AuthorizationError", attempts: 1},
		{scenario: "optedout", code: "OptedOut", attempts: 1},
		{scenario: "badjson", code: CodeTransport, retry: true, attempts: 1},
		{scenario: "slow", code: CodeTransport, retry: true, deadlineExceed: true, attempts: 1},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			f := scripted(t, fakeprov.NewSNS(t, awsKey), snsAnswers, tc.scenario)
			s := NewSNS(testAWSConfig(f.URL, f.Client()), SNSConfig{Region: awsRegion})
			s.Timeout = 300 * time.Millisecond
			checkAWSCase(t, tc, s.Send(t.Context(), otpMessage("+8613812345678")), f.Calls())
		})
	}
}

func checkAWSCase(t *testing.T, tc awsCase, err error, hits int) {
	t.Helper()
	assertError(t, err, tc.code, tc.retry, false)
	if got := errors.Is(err, context.DeadlineExceeded); got != tc.deadlineExceed {
		t.Errorf("errors.Is(err, DeadlineExceeded) = %v, want %v", got, tc.deadlineExceed)
	}
	if hits != tc.attempts {
		t.Errorf("requests = %d, want %d", hits, tc.attempts)
	}
}

func TestAWSUnreachable(t *testing.T) {
	srv := httptest.NewServer(nil)
	cfg := testAWSConfig(srv.URL, srv.Client())
	srv.Close()
	for _, s := range []Sender{NewEUM(cfg, EUMConfig{Region: awsRegion}), NewSNS(cfg, SNSConfig{Region: awsRegion})} {
		assertError(t, s.Send(t.Context(), otpMessage("+8613812345678")), CodeTransport, true, false)
	}
}

func TestAWSRefusesBadMessages(t *testing.T) {
	cfg := aws.Config{Region: awsRegion}
	for _, s := range []Sender{NewEUM(cfg, EUMConfig{}), NewSNS(cfg, SNSConfig{})} {
		assertError(t, s.Send(t.Context(), Message{Phone: "+8613812345678"}), CodeInvalidMessage, false, false)
		assertError(t, s.Send(t.Context(), Message{Phone: "008613812345678", Text: "x"}), CodeInvalidMessage, false, false)
	}
}
