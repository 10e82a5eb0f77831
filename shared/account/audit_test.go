package account_test

import (
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv"
)

// auditLog reads uid's events as the administrator, newest first.
func auditLog(t *testing.T, e *testenv.Env, admin *testenv.Client, uid string) []map[string]any {
	t.Helper()
	var out []map[string]any
	cursor := ""
	for range 20 {
		r := e.Call(t, admin, "admin", "getAuditLog", map[string]any{"uid": uid, "limit": 2, "cursor": cursor})
		if r.Code() != "0" {
			t.Fatalf("getAuditLog: %s", r.Raw)
		}
		if page := r.Body["events"].([]any); len(page) > 2 {
			t.Fatalf("a page of limit 2 holds %d events", len(page))
		}
		for _, ev := range r.Body["events"].([]any) {
			out = append(out, ev.(map[string]any))
		}
		if cursor = r.Body["cursor"].(string); cursor == "" {
			break
		}
	}
	return out
}

func methods(events []map[string]any) string {
	var m []string
	for _, ev := range events {
		m = append(m, ev["method"].(string)+":"+ev["outcome"].(string))
	}
	return strings.Join(m, " ")
}

// TestAuditLog: registration, logins (a wrong password included), a
// password change, logout and an administrator's action are recorded
// under the account, newest first, with type, outcome, IP, user agent, app
// and time, and the administrator as actor; no secret is in the log; a
// code sent to a number no account holds is an anonymous event;
// retentionDays 0 records nothing.
func TestAuditLog(t *testing.T) {
	e, admin, user := adminEnv(t, nil)
	tick := func() { e.Clock.Advance(time.Second) } // events of one millisecond have no order
	tick()
	uid := loginAs(t, e, testenv.NewClient("other"), "alice_1", "wrong password 1").Body["uid"]
	if uid != nil {
		t.Fatal("a wrong password logged in")
	}
	tick()
	uid = loginAs(t, e, user, "alice_1", "a good password").Body["uid"]
	tick()
	e.Call(t, user, "reset", "updatePwd", map[string]any{"oldPassword": "a good password", "newPassword": "another good password"})
	tick()
	e.Call(t, user, "account", "logout", nil)
	tick()
	e.Call(t, admin, "admin", "banUser", map[string]any{"uid": uid})
	events := auditLog(t, e, admin, uid.(string))
	want := "banUser:0 logout:0 updatePwd:0 login:0 login:uni-id-password-error registerUser:0"
	if got := methods(events); got != want {
		t.Fatalf("audit log: %s, want %s", got, want)
	}
	for _, ev := range events {
		if ev["ip"] != "127.0.0.1" || ev["appId"] != "__UNI__TEST" || ev["at"].(float64) <= 0 || ev["type"] == "" {
			t.Errorf("event %v lacks its fields", ev)
		}
	}
	if events[0]["type"] != "admin" || events[0]["actor"] == nil || events[0]["actor"] == uid {
		t.Errorf("the ban's event: %v", events[0])
	}
	e.Call(t, admin, "admin", "exportUsers", map[string]any{"limit": 1})
	adminUID := loginAs(t, e, testenv.NewClient("adm2"), "root_1", "a good password").Body["uid"].(string)
	if got := methods(auditLog(t, e, admin, adminUID)); !strings.Contains(got, "exportUsers:0") {
		t.Errorf("an administrator's export is not in their log: %s", got)
	}
	if events[1]["actor"] != nil {
		t.Errorf("the account's own logout has an actor: %v", events[1])
	}
	raw := e.Call(t, admin, "admin", "getAuditLog", map[string]any{"uid": uid}).Raw
	for _, secret := range []string{"a good password", "another good password", "wrong password", user.Token, "argon2"} {
		if secret != "" && strings.Contains(raw, secret) {
			t.Errorf("the audit log holds a secret %q", secret)
		}
	}
	c := testenv.NewClient("sender")
	e.Call(t, c, "send-sms-code", "sendSmsCode", map[string]any{"mobile": "13900139000", "scene": "login-by-sms",
		"captcha": e.Captcha(t, c, "send-sms-code")})
	if got := methods(auditLog(t, e, admin, "-")); !strings.Contains(got, "sendSmsCode:0") {
		t.Errorf("anonymous events: %s", got)
	}
	reader := testenv.NewClient("reader")
	e.Register(t, reader, "reader_1", "a good password")
	if r := e.Call(t, reader, "admin", "getAuditLog", map[string]any{"uid": uid}); r.Code() != "uni-id-permission-error" {
		t.Errorf("a user reads the audit log: %s", r.Raw)
	}

	off, offAdmin, offUser := adminEnv(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["audit"] = map[string]any{"retentionDays": 0}
	})
	offUID := loginAs(t, off, offUser, "alice_1", "a good password").Body["uid"].(string)
	if got := auditLog(t, off, offAdmin, offUID); len(got) != 0 {
		t.Errorf("retentionDays 0 recorded %d events", len(got))
	}
}
