package account_test

import (
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/testenv"
)

// TestJourney walks the first complete user journey: captcha, register, log
// in, read the account, change the password, refresh, log out, close.
func TestJourney(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("device-1")

	r := e.Register(t, c, "Alice_1", "correct horse battery")
	uid, _ := r.Body["uid"].(string)
	if len(uid) != 24 {
		t.Fatalf("uid = %q, want 24 hex chars", uid)
	}
	if got := r.Body["passwordConfirmed"]; got != true {
		t.Errorf("passwordConfirmed = %v, want true", got)
	}

	info := e.Call(t, c, "account", "getAccountInfo", nil)
	if info.Code() != "0" || info.Body["isUsernameSet"] != true || info.Body["isPasswordSet"] != true {
		t.Fatalf("getAccountInfo: %s", info.Raw)
	}

	other := testenv.NewClient("device-2")
	login := e.Call(t, other, "login", "login", map[string]any{"username": "alice_1", "password": "correct horse battery"})
	if login.Code() != "0" || login.Body["uid"] != uid || other.Token == "" {
		t.Fatalf("login: %s", login.Raw)
	}

	upd := e.Call(t, c, "reset", "updatePwd", map[string]any{"oldPassword": "correct horse battery", "newPassword": "new secret words"})
	if upd.Code() != "0" || upd.Token() == "" {
		t.Fatalf("updatePwd: %s", upd.Raw)
	}
	if r := e.Call(t, other, "account", "getAccountInfo", nil); r.Code() != "uni-id-check-token-failed" && r.Code() != "uni-id-token-expired" {
		t.Errorf("other device after updatePwd: %s, want its session ended", r.Raw)
	}
	if r := e.Call(t, other, "login", "login", map[string]any{"username": "alice_1", "password": "correct horse battery"}); r.Code() != "uni-id-password-error" {
		t.Errorf("old password after updatePwd: %s", r.Raw)
	}

	old := c.Token
	ref := e.Call(t, c, "account", "refreshToken", nil)
	if ref.Code() != "0" || c.Token == old {
		t.Fatalf("refreshToken: %s", ref.Raw)
	}
	if r := e.Call(t, c, "account", "getAccountInfo", nil); r.Code() != "0" {
		t.Fatalf("getAccountInfo with the refreshed token: %s", r.Raw)
	}

	if r := e.Call(t, c, "account", "logout", nil); r.Code() != "0" {
		t.Fatalf("logout: %s", r.Raw)
	}
	if r := e.Call(t, c, "account", "getAccountInfo", nil); r.Code() != "uni-id-check-token-failed" {
		t.Fatalf("after logout: %s", r.Raw)
	}

	c.Token = ""
	if r := e.Call(t, c, "login", "login", map[string]any{"username": "ALICE_1", "password": "new secret words"}); r.Code() != "0" {
		t.Fatalf("login with the new password: %s", r.Raw)
	}
	if r := e.Call(t, c, "account", "closeAccount", nil); r.Code() != "0" {
		t.Fatalf("closeAccount: %s", r.Raw)
	}
	if r := e.Call(t, c, "account", "getAccountInfo", nil); r.Code() != "uni-id-account-closed" {
		t.Fatalf("after closeAccount: %s", r.Raw)
	}
	if r := e.Call(t, c, "login", "login", map[string]any{"username": "alice_1", "password": "new secret words"}); r.Code() != "uni-id-account-closed" {
		t.Fatalf("login after closeAccount: %s", r.Raw)
	}
	for _, secret := range []string{"correct horse battery", "new secret words", old} {
		if strings.Contains(e.Log.String(), secret) {
			t.Errorf("the log contains a secret: %q", secret)
		}
	}
}
