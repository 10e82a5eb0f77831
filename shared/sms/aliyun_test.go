package sms

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func otpMessage(phone string) Message {
	return Message{Phone: phone, TemplateID: aliTplCode,
		Params: []Param{{"code", otpCode}, {"expMinute", "3"}},
		Text:   "Your code is " + otpCode + ". It expires in 3 minutes."}
}

func TestAliyunSendsSignedRequest(t *testing.T) {
	tests := []struct {
		phone, wantNumbers string
	}{
		{"+8613812345678", "13812345678"}, // mainland: 11 digits, no +86
		{"+85291234567", "85291234567"},   // elsewhere: country code, no plus
	}
	for i, tc := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			f, a := newFakeAliyun(t, "ok")
			if err := a.Send(t.Context(), otpMessage(tc.phone)); err != nil {
				t.Fatalf("Send to %s: %v", tc.phone, err)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("requests = %d, want 1", len(reqs))
			}
			q := reqs[0]
			got := [3]string{q.Get("PhoneNumbers"), q.Get("SignName"), q.Get("TemplateCode")}
			want := [3]string{tc.wantNumbers, aliSign, aliTplCode}
			if got != want {
				t.Errorf("PhoneNumbers, SignName, TemplateCode = %q, want %q", got, want)
			}
			if len(q) != 4 {
				t.Errorf("params = %v, want exactly the four of SendSms", q)
			}
			params := templateParam(t, q.Get("TemplateParam"))
			if params["code"] != otpCode || params["expMinute"] != "3" || len(params) != 2 {
				t.Errorf("TemplateParam = %v, want code and expMinute as strings", params)
			}
		})
	}
}

func TestAliyunTemplateParamKeepsOrder(t *testing.T) {
	got := aliyunTemplateParam([]Param{{"z", "1"}, {"a", `q"uote`}})
	if want := `{"z":"1","a":"q\"uote"}`; got != want {
		t.Errorf("aliyunTemplateParam = %s, want %s", got, want)
	}
}

func TestAliyunNoncesDiffer(t *testing.T) {
	// The fake refuses a reused nonce, as the gateway does.
	_, a := newFakeAliyun(t, "ok")
	for i := range 3 {
		if err := a.Send(t.Context(), otpMessage("+8613812345678")); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	_, fixed := newFakeAliyun(t, "ok")
	fixed.Rand = bytes.NewReader(make([]byte, 64))
	fixed.Send(t.Context(), otpMessage("+8613812345678"))
	err := fixed.Send(t.Context(), otpMessage("+8613812345678"))
	assertError(t, err, "SignatureNonceUsed", false, false)
}

func TestAliyunErrors(t *testing.T) {
	tests := []struct {
		scenario        string
		setup           func(*Aliyun)
		code            string
		retry, limited  bool
		deadlineExceeds bool
	}{
		{scenario: "limit", code: "isv.BUSINESS_LIMIT_CONTROL", limited: true},
		{scenario: "badnumber", code: "isv.MOBILE_NUMBER_ILLEGAL"},
		{scenario: "template", code: "isv.SMS_TEMPLATE_ILLEGAL"},
		{scenario: "daylimit", code: "isv.DAY_LIMIT_CONTROL"},
		{scenario: "echo", code: "isv.INVALID_PARAMETERS"},
		{scenario: "syserror", code: "isp.SYSTEM_ERROR", retry: true},
		{scenario: "throttled", code: "Throttling.User", retry: true},
		{scenario: "unavail", code: "ServiceUnavailable", retry: true},
		{scenario: "http500", code: CodeTransport, retry: true},
		{scenario: "badjson", code: CodeTransport, retry: true},
		{scenario: "http403", code: CodeTransport},
		{scenario: "slow", code: CodeTransport, retry: true, deadlineExceeds: true},
		{scenario: "ok", setup: func(a *Aliyun) { a.AccessKeySecret = "wrong" }, code: "SignatureDoesNotMatch"},
		{scenario: "ok", setup: func(a *Aliyun) { a.AccessKeyID = "LTAIunknown" }, code: "InvalidAccessKeyId.NotFound"},
		{scenario: "ok", setup: func(a *Aliyun) { a.Now = func() time.Time { return aliyunNow.Add(-20 * time.Minute) } },
			code: "InvalidTimeStamp.Expired"},
	}
	for _, tc := range tests {
		t.Run(tc.scenario+"/"+tc.code, func(t *testing.T) {
			_, a := newFakeAliyun(t, tc.scenario)
			if tc.setup != nil {
				tc.setup(a)
			}
			err := a.Send(t.Context(), otpMessage("+8613812345678"))
			assertError(t, err, tc.code, tc.retry, tc.limited)
			if got := errors.Is(err, context.DeadlineExceeded); got != tc.deadlineExceeds {
				t.Errorf("errors.Is(err, DeadlineExceeded) = %v, want %v", got, tc.deadlineExceeds)
			}
		})
	}
}

func TestAliyunUnreachable(t *testing.T) {
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close()
	a := NewAliyun(AliyunConfig{AccessKeyID: aliKeyID, AccessKeySecret: aliSecret, SignName: aliSign, Endpoint: url}, nil)
	err := a.Send(t.Context(), otpMessage("+8613812345678"))
	assertError(t, err, CodeTransport, true, false)
	if strings.Contains(err.Error(), "TemplateParam") {
		t.Errorf("error %q quotes the request URL", err)
	}
}

func TestAliyunRefusesBadMessages(t *testing.T) {
	tests := []struct {
		name string
		m    Message
	}{
		{"no template", Message{Phone: "+8613812345678"}},
		{"no plus", Message{Phone: "8613812345678", TemplateID: aliTplCode}},
		{"letters", Message{Phone: "+86138abc45678", TemplateID: aliTplCode}},
		{"too short", Message{Phone: "+861234", TemplateID: aliTplCode}},
		{"too long", Message{Phone: "+8613812345678901", TemplateID: aliTplCode}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, a := newFakeAliyun(t, "ok")
			err := a.Send(t.Context(), tc.m)
			assertError(t, err, CodeInvalidMessage, false, false)
			if n := f.Calls(); n != 0 {
				t.Errorf("%s: %d requests, want none", tc.name, n)
			}
		})
	}
}

// assertError checks the classification of err and that its text leaks
// neither the code nor the phone.
func assertError(t *testing.T, err error, code string, retry, limited bool) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *Error", err, err)
	}
	got := [3]any{e.Code, e.Retryable, e.Limited}
	want := [3]any{code, retry, limited}
	if got != want {
		t.Errorf("Code, Retryable, Limited = %v, want %v (%v)", got, want, err)
	}
	for _, secret := range []string{otpCode, "13812345678", "Your code is"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains %q", err, secret)
		}
	}
}
