package account_test

import (
	"errors"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/testenv"
)

func TestRegisterUserByEmail(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["email"] = map[string]any{"from": "no-reply@example.com", "welcome": true, "appName": "Demo"}
	})
	c := testenv.NewClient("d1")
	code := e.SendEmail(t, c, "bob@example.com", "register")
	params := map[string]any{"email": "Bob@Example.com", "password": "a good password", "code": code}
	r := e.Call(t, c, "register", "registerUserByEmail", params)
	if r.Code() != "0" || r.Token() == "" {
		t.Fatalf("registerUserByEmail: %s", r.Raw)
	}
	if w, ok := e.Sent.LastEmail("bob@example.com"); !ok || w.Scene != "welcome" || w.AppName != "Demo" {
		t.Errorf("welcome email = %+v", w)
	}
	if r := e.Call(t, c, "login", "login", map[string]any{"email": "bob@example.com", "password": "a good password"}); r.Code() != "0" {
		t.Fatalf("password login by the confirmed email: %s", r.Raw)
	}
	// The same email again: the code is checked first, then the address is taken.
	e.Clock.Advance(time.Minute)
	params["code"] = e.SendEmail(t, c, "bob@example.com", "register")
	if r := e.Call(t, c, "register", "registerUserByEmail", params); r.Code() != "uni-id-account-exists" {
		t.Fatalf("second registration: %s", r.Raw)
	}
	if r := e.Call(t, c, "register", "registerUserByEmail", map[string]any{"email": "eve@example.com", "password": "a good password", "code": "123456"}); r.Code() != "uni-id-email-verify-code-error" {
		t.Fatalf("without a code sent: %s", r.Raw)
	}
}

func TestWelcomeFailureDoesNotFailRegistration(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["email"] = map[string]any{"from": "no-reply@example.com", "welcome": true}
	})
	c := testenv.NewClient("d1")
	code := e.SendEmail(t, c, "bob@example.com", "register")
	e.Sent.Fail(errors.New("ses down"))
	r := e.Call(t, c, "register", "registerUserByEmail", map[string]any{"email": "bob@example.com", "password": "a good password", "code": code})
	if r.Code() != "0" {
		t.Fatalf("registration with the welcome email failing: %s", r.Raw)
	}
}

func TestLoginByEmailCode(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	r := e.Call(t, c, "login", "loginByEmailCode", map[string]any{"email": "amy@example.com", "code": e.SendEmail(t, c, "amy@example.com", "login-by-email")})
	if r.Code() != "0" || r.Body["type"] != "register" {
		t.Fatalf("loginByEmailCode: %s", r.Raw)
	}
	e.Clock.Advance(time.Minute)
	r = e.Call(t, c, "login", "loginByEmailCode", map[string]any{"email": "AMY@example.com", "code": e.SendEmail(t, c, "amy@example.com", "login-by-email")})
	if r.Code() != "0" || r.Body["type"] != "login" {
		t.Fatalf("second loginByEmailCode: %s", r.Raw)
	}
}

func TestResetPassword(t *testing.T) {
	for _, protect := range []bool{true, false} {
		e := testenv.New(t, func(cfg map[string]any) { cfg["idco"].(map[string]any)["enumerationProtection"] = protect })
		c := testenv.NewClient("d1")
		loginBySms(t, e, c, e.SendSMS(t, c, phone, "login-by-sms"))
		other := testenv.NewClient("d2")
		e.Clock.Advance(time.Minute)
		// An unknown number with a valid code: with protection on, the
		// answer is the same as for a wrong code.
		unknown := e.Call(t, other, "reset", "resetPwdBySms", map[string]any{"mobile": "13900139000", "password": "brand new password",
			"code": e.SendSMS(t, other, "13900139000", "reset-pwd-by-sms")})
		wrong := e.Call(t, other, "reset", "resetPwdBySms", map[string]any{"mobile": phone, "password": "brand new password", "code": "000000"})
		if protect && (unknown.Code() != "uni-id-mobile-verify-code-error" || wrong.Code() != unknown.Code()) {
			t.Fatalf("protected: unknown %s, wrong %s", unknown.Raw, wrong.Raw)
		}
		if !protect && unknown.Code() != "uni-id-account-not-exists" {
			t.Fatalf("unprotected unknown: %s", unknown.Raw)
		}
		r := e.Call(t, other, "reset", "resetPwdBySms", map[string]any{"mobile": phone, "password": "brand new password",
			"code": e.SendSMS(t, other, phone, "reset-pwd-by-sms")})
		if r.Code() != "0" {
			t.Fatalf("resetPwdBySms: %s", r.Raw)
		}
		if r := info(t, e, c); r.Code() != "uni-id-check-token-failed" {
			t.Errorf("session after a reset: %s", r.Raw)
		}
		if r := e.Call(t, other, "login", "login", map[string]any{"mobile": phone, "password": "brand new password"}); r.Code() != "0" {
			t.Fatalf("login with the reset password: %s", r.Raw)
		}
	}
}

// TestResetClosedAccount: a closed account's mobile stays reserved but a
// reset by it changes nothing: uni-id-account-closed, or with enumeration
// protection the answer an unknown number gets (a wrong code).
func TestResetClosedAccount(t *testing.T) {
	for _, protect := range []bool{true, false} {
		e := testenv.New(t, func(cfg map[string]any) { cfg["idco"].(map[string]any)["enumerationProtection"] = protect })
		c := testenv.NewClient("d1")
		uid, _ := loginBySms(t, e, c, e.SendSMS(t, c, phone, "login-by-sms")).Body["uid"].(string)
		if r := e.Call(t, c, "account", "closeAccount", nil); r.Code() != "0" {
			t.Fatalf("closeAccount: %s", r.Raw)
		}
		before, err := e.Svc.Users.Get(t.Context(), uid)
		if err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(time.Minute)
		other := testenv.NewClient("d2")
		r := e.Call(t, other, "reset", "resetPwdBySms", map[string]any{"mobile": phone, "password": "brand new password",
			"code": e.SendSMS(t, other, phone, "reset-pwd-by-sms")})
		want := "uni-id-account-closed"
		if protect {
			want = "uni-id-mobile-verify-code-error"
		}
		if r.Code() != want {
			t.Errorf("protection %v: reset of a closed account: %s, want %s", protect, r.Raw, want)
		}
		after, err := e.Svc.Users.Get(t.Context(), uid)
		if err != nil {
			t.Fatal(err)
		}
		if after.Version != before.Version || after.Password != "" || after.Status != account.StatusClosed {
			t.Errorf("protection %v: the closed account changed: version %d -> %d, status %d", protect, before.Version, after.Version, after.Status)
		}
	}
}

func TestResetPwdByEmailAndBindEmail(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "a good password")
	if r := e.Call(t, c, "bind", "bindEmailByCode", map[string]any{"email": "alice@example.com", "code": e.SendEmail(t, c, "alice@example.com", "bind-email")}); r.Code() != "0" {
		t.Fatalf("bindEmailByCode: %s", r.Raw)
	}
	if r := info(t, e, c); r.Body["isEmailBound"] != true {
		t.Fatalf("after binding: %s", r.Raw)
	}
	// A newly bound address cannot reset the password for a day.
	d := testenv.NewClient("d2")
	r := e.Call(t, d, "reset", "resetPwdByEmail", map[string]any{"email": "alice@example.com", "password": "reset by email",
		"code": e.SendEmail(t, d, "alice@example.com", "reset-pwd-by-email")})
	if r.Code() != "uni-id-channel-too-new" || r.Status != 403 {
		t.Fatalf("resetPwdByEmail through an address bound a moment ago: %s", r.Raw)
	}
	e.Clock.Advance(24 * time.Hour)
	r = e.Call(t, d, "reset", "resetPwdByEmail", map[string]any{"email": "alice@example.com", "password": "reset by email",
		"code": e.SendEmail(t, d, "alice@example.com", "reset-pwd-by-email")})
	if r.Code() != "0" {
		t.Fatalf("resetPwdByEmail: %s", r.Raw)
	}
	if r := e.Call(t, d, "login", "login", map[string]any{"username": "alice_1", "password": "reset by email"}); r.Code() != "0" {
		t.Fatalf("login after the email reset: %s", r.Raw)
	}
}

func TestBindMobile(t *testing.T) {
	e := testenv.New(t, nil)
	owner := testenv.NewClient("owner")
	loginBySms(t, e, owner, e.SendSMS(t, owner, phone, "login-by-sms"))
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "a good password")
	before := e.Scan(t, e.Names.Keys)
	r := e.Call(t, c, "bind", "bindMobileBySms", map[string]any{"mobile": phone, "code": e.SendSMS(t, c, phone, "bind-mobile-by-sms")})
	if r.Code() != "uni-id-bind-conflict" || r.Status != 409 {
		t.Fatalf("binding a number another account owns: %d %s", r.Status, r.Raw)
	}
	if after := e.Scan(t, e.Names.Keys); len(after) != len(before) {
		t.Fatalf("keys changed: %v -> %v", before, after)
	}
	if r := info(t, e, c); r.Body["isMobileBound"] != false {
		t.Fatalf("the caller got the number: %s", r.Raw)
	}
	r = e.Call(t, c, "bind", "bindMobileBySms", map[string]any{"mobile": "13900139000", "code": e.SendSMS(t, c, "13900139000", "bind-mobile-by-sms")})
	if r.Code() != "0" {
		t.Fatalf("bindMobileBySms: %s", r.Raw)
	}
	e.Clock.Advance(time.Minute)
	// Rebinding to another number releases the old one.
	r = e.Call(t, c, "bind", "bindMobileBySms", map[string]any{"mobile": "13700137000", "code": e.SendSMS(t, c, "13700137000", "bind-mobile-by-sms")})
	if r.Code() != "0" {
		t.Fatalf("rebind: %s", r.Raw)
	}
	keys := map[string]bool{}
	for _, k := range e.Scan(t, e.Names.Keys) {
		keys[k["key"].(string)] = true
	}
	if keys["mobile:+8613900139000"] || !keys["mobile:+8613700137000"] {
		t.Errorf("keys after rebinding: %v", keys)
	}
}

func TestSetPwd(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	loginBySms(t, e, c, e.SendSMS(t, c, phone, "login-by-sms"))
	other := testenv.NewClient("d2")
	e.Clock.Advance(time.Minute)
	r := e.Call(t, c, "reset", "setPwd", map[string]any{"password": "my first password", "code": e.SendSMS(t, c, phone, "set-pwd-by-sms")})
	if r.Code() != "0" || r.Token() == "" {
		t.Fatalf("setPwd: %s", r.Raw)
	}
	if r := info(t, e, c); r.Code() != "0" || r.Body["isPasswordSet"] != true {
		t.Fatalf("after setPwd: %s", r.Raw)
	}
	if r := e.Call(t, other, "login", "login", map[string]any{"mobile": phone, "password": "my first password"}); r.Code() != "0" {
		t.Fatalf("login with the set password: %s", r.Raw)
	}
	u := testenv.NewClient("d3")
	e.Register(t, u, "no_mobile", "a good password")
	if r := e.Call(t, u, "reset", "setPwd", map[string]any{"password": "another password", "code": "123456"}); r.Code() != "uni-id-mobile-not-bound" {
		t.Fatalf("setPwd without a mobile: %s", r.Raw)
	}
}

// TestEmailOfSeveralRefused: an address that names several mailboxes, or
// hides one behind a display name, is refused before anything is sent, so
// no code for one mailbox reaches another and none is stored confirmed.
func TestEmailOfSeveralRefused(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["email"] = map[string]any{"from": "no-reply@example.com"}
	})
	c := testenv.NewClient("d1")
	for _, addr := range []string{"victim@example.com,eve@example.net", "Eve<eve@example.net>", "victim@example.com@example.net"} {
		r := e.Call(t, c, "send-email-code", "sendEmailCode", map[string]any{"email": addr, "scene": "register", "captcha": "abcd"})
		if r.Code() != "uni-id-invalid-email" || r.Status != 400 {
			t.Errorf("sendEmailCode to %q: %s", addr, r.Raw)
		}
		r = e.Call(t, c, "register", "registerUserByEmail", map[string]any{"email": addr, "password": "a good password", "code": "123456"})
		if r.Code() != "uni-id-invalid-email" {
			t.Errorf("registerUserByEmail %q: %s", addr, r.Raw)
		}
	}
	if n := len(e.Sent.Emails()); n != 0 {
		t.Errorf("%d emails sent, want 0", n)
	}
}
