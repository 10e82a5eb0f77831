package account_test

import (
	"fmt"
	"testing"

	"github.com/idco-dev/idco/shared/testenv"
)

func inviteEnv(t *testing.T, force bool) *testenv.Env {
	return testenv.New(t, func(cfg map[string]any) {
		cfg["autoSetInviteCode"] = true
		cfg["forceInviteCode"] = force
		cfg["idco"].(map[string]any)["admin"] = map[string]any{"setupSecret": testenv.SetupSecret}
	})
}

// register signs up username with invite (may be "") and returns the
// answer.
func registerInvited(t *testing.T, e *testenv.Env, c *testenv.Client, username, invite string) testenv.Resp {
	t.Helper()
	p := map[string]any{"username": username, "password": "a good password", "captcha": e.Captcha(t, c, "register")}
	if invite != "" {
		p["inviteCode"] = invite
	}
	return e.Call(t, c, "register", "registerUser", p)
}

func myCode(t *testing.T, e *testenv.Env, c *testenv.Client) string {
	t.Helper()
	r := e.Call(t, c, "account", "getProfile", nil)
	info, _ := r.Body["userInfo"].(map[string]any)
	code, _ := info["my_invite_code"].(string)
	if len(code) != 6 {
		t.Fatalf("my_invite_code: %s", r.Raw)
	}
	return code
}

func invited(t *testing.T, e *testenv.Env, c *testenv.Client, level int) string {
	t.Helper()
	r := e.Call(t, c, "account", "getInvitedUser", map[string]any{"level": level, "needTotal": true})
	if r.Code() != "0" {
		t.Fatalf("getInvitedUser: %s", r.Raw)
	}
	var names []string
	for _, u := range r.Body["invitedUser"].([]any) {
		names = append(names, u.(map[string]any)["username"].(string))
	}
	return fmt.Sprint(names, " total ", r.Body["total"])
}

// TestInvites: with autoSetInviteCode every account gets a code; an
// invite code at registration makes the chain uni-id keeps, listed by
// level for each inviter; acceptInvite takes an inviter once, refuses
// loops, and extends the chains of the accounts below; a deleted invitee
// leaves the lists.
func TestInvites(t *testing.T) {
	e := inviteEnv(t, false)
	alice, bob, carol, dave, erin := testenv.NewClient("a"), testenv.NewClient("b"), testenv.NewClient("c"), testenv.NewClient("d"), testenv.NewClient("e")
	registerInvited(t, e, alice, "alice_1", "")
	if r := registerInvited(t, e, bob, "bob_1", myCode(t, e, alice)); r.Code() != "0" {
		t.Fatalf("register with alice's code: %s", r.Raw)
	}
	e.Clock.Advance(1e9)
	registerInvited(t, e, carol, "carol_1", myCode(t, e, bob))
	if r := registerInvited(t, e, testenv.NewClient("x"), "xavier_1", "ZZZZZZ"); r.Code() != "uni-id-invalid-invite-code" {
		t.Errorf("an unknown code: %s", r.Raw)
	}
	if got := invited(t, e, alice, 1); got != "[bob_1] total 1" {
		t.Errorf("alice's level 1: %s", got)
	}
	if got := invited(t, e, alice, 2); got != "[carol_1] total 1" {
		t.Errorf("alice's level 2: %s", got)
	}
	if got := invited(t, e, bob, 1); got != "[carol_1] total 1" {
		t.Errorf("bob's level 1: %s", got)
	}
	// dave signs up alone, invites erin, then accepts alice's invite.
	registerInvited(t, e, dave, "dave_1", "")
	e.Clock.Advance(1e9)
	registerInvited(t, e, erin, "erin_1", myCode(t, e, dave))
	if r := e.Call(t, dave, "account", "acceptInvite", map[string]any{"inviteCode": myCode(t, e, alice)}); r.Code() != "0" {
		t.Fatalf("acceptInvite: %s", r.Raw)
	}
	if r := e.Call(t, dave, "account", "acceptInvite", map[string]any{"inviteCode": myCode(t, e, bob)}); r.Code() != "uni-id-change-inviter-forbidden" {
		t.Errorf("a second inviter: %s", r.Raw)
	}
	if r := e.Call(t, alice, "account", "acceptInvite", map[string]any{"inviteCode": myCode(t, e, carol)}); r.Code() != "uni-id-invalid-invite-code" {
		t.Errorf("a loop (alice invited by her own invitee): %s", r.Raw)
	}
	if got := invited(t, e, alice, 1); got != "[dave_1 bob_1] total 2" {
		t.Errorf("alice's level 1 after dave accepted: %s", got)
	}
	if got := invited(t, e, alice, 2); got != "[erin_1 carol_1] total 2" {
		t.Errorf("alice's level 2 (erin's chain extended): %s", got)
	}
	// An administrator deletes carol: she leaves the lists.
	admin := testenv.NewClient("adm")
	e.RegisterAdmin(t, admin, "root_1", "a good password")
	carolUID := e.Call(t, carol, "account", "getProfile", nil).Body["userInfo"].(map[string]any)["_id"]
	if r := e.Call(t, admin, "admin", "deleteUser", map[string]any{"uid": carolUID}); r.Code() != "0" {
		t.Fatalf("deleteUser: %s", r.Raw)
	}
	if got := invited(t, e, bob, 1); got != "[] total 0" {
		t.Errorf("bob's level 1 after carol was deleted: %s", got)
	}
	for _, bad := range []map[string]any{{"level": 0}, {"level": 1, "limit": 0}, {"level": 1, "offset": -1}} {
		if r := e.Call(t, alice, "account", "getInvitedUser", bad); r.Code() != "uni-id-invalid-param" {
			t.Errorf("getInvitedUser %v: %s", bad, r.Raw)
		}
	}
}

// TestForceInviteCode: with forceInviteCode a registration needs a valid
// code, but the first administrator does not.
func TestForceInviteCode(t *testing.T) {
	e := inviteEnv(t, true)
	admin := testenv.NewClient("adm")
	if r := e.RegisterAdmin(t, admin, "root_1", "a good password"); r.Code() != "0" {
		t.Fatalf("registerAdmin under forceInviteCode: %s", r.Raw)
	}
	if r := registerInvited(t, e, testenv.NewClient("b"), "bob_1", ""); r.Code() != "uni-id-invalid-invite-code" {
		t.Errorf("register without a code: %s", r.Raw)
	}
	if r := registerInvited(t, e, testenv.NewClient("b"), "bob_1", myCode(t, e, admin)); r.Code() != "0" {
		t.Errorf("register with the admin's code: %s", r.Raw)
	}
	c := testenv.NewClient("sms")
	r := e.Call(t, c, "login", "loginBySms", map[string]any{"mobile": "13800138000", "code": "123456"})
	if r.Code() != "uni-id-invalid-invite-code" && r.Code() != "uni-id-mobile-verify-code-error" {
		t.Errorf("a registering SMS login without a code: %s", r.Raw)
	}
}
