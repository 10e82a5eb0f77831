package sms

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func tencentMessage() Message {
	m := otpMessage("+8613812345678")
	m.TemplateID = tcTemplate
	return m
}

func TestTencentSendsSignedRequest(t *testing.T) {
	f, tc := newFakeTencent(t, "ok")
	if err := tc.Send(t.Context(), tencentMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := f.requests()
	want := []tencentRequest{{PhoneNumberSet: []string{"+8613812345678"}, SmsSdkAppId: tcAppID,
		SignName: tcSign, TemplateId: tcTemplate, TemplateParamSet: []string{otpCode, "3"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requests = %+v, want %+v", got, want)
	}
}

func TestTencentErrors(t *testing.T) {
	tests := []struct {
		scenario        string
		setup           func(*Tencent)
		code            string
		retry, limited  bool
		deadlineExceeds bool
	}{
		{scenario: "daily", code: "LimitExceeded.PhoneNumberDailyLimit", limited: true},
		{scenario: "30s", code: "LimitExceeded.PhoneNumberThirtySecondLimit", limited: true},
		{scenario: "badnumber", code: "InvalidParameterValue.IncorrectPhoneNumber"},
		{scenario: "appdaily", code: "LimitExceeded.AppDailyLimit"},
		{scenario: "template", code: "FailedOperation.TemplateIncorrectOrUnapproved"},
		{scenario: "timeout", code: "InternalError.Timeout", retry: true},
		{scenario: "ratelimit", code: "RequestLimitExceeded", retry: true},
		{scenario: "empty", code: CodeTransport, retry: true},
		{scenario: "http500", code: CodeTransport, retry: true},
		{scenario: "badjson", code: CodeTransport, retry: true},
		{scenario: "slow", code: CodeTransport, retry: true, deadlineExceeds: true},
		{scenario: "ok", setup: func(c *Tencent) { c.SecretKey = "wrong" }, code: "AuthFailure.SignatureFailure"},
		{scenario: "ok", setup: func(c *Tencent) { c.SecretID = "AKIDunknown" }, code: "AuthFailure.SecretIdNotFound"},
		{scenario: "ok", setup: func(c *Tencent) { c.Now = func() time.Time { return tencentNow.Add(10 * time.Minute) } },
			code: "AuthFailure.SignatureExpire"},
	}
	for _, tc := range tests {
		t.Run(tc.scenario+"/"+tc.code, func(t *testing.T) {
			_, c := newFakeTencent(t, tc.scenario)
			if tc.setup != nil {
				tc.setup(c)
			}
			err := c.Send(t.Context(), tencentMessage())
			assertError(t, err, tc.code, tc.retry, tc.limited)
			if got := errors.Is(err, context.DeadlineExceeded); got != tc.deadlineExceeds {
				t.Errorf("errors.Is(err, DeadlineExceeded) = %v, want %v", got, tc.deadlineExceeds)
			}
		})
	}
}

func TestTencentRefusesBadMessages(t *testing.T) {
	for _, m := range []Message{{Phone: "+8613812345678"}, {Phone: "13812345678", TemplateID: tcTemplate}} {
		f, c := newFakeTencent(t, "ok")
		assertError(t, c.Send(t.Context(), m), CodeInvalidMessage, false, false)
		if n := len(f.requests()); n != 0 {
			t.Errorf("%d requests, want none", n)
		}
	}
}
