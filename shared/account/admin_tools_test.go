package account_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/testenv"
)

// TestOperatorTools: an administrator finds accounts by each identifier,
// pages through all of them, bans (the sessions end at once) and unbans,
// ends the sessions, sets the roles, closes and deletes an account (its
// username, mobile and email free again); no secret is shown, and an
// administrator cannot lock themself out.
func TestOperatorTools(t *testing.T) {
	e, admin, user := adminEnv(t, nil)
	uid := loginAs(t, e, user, "alice_1", "a good password").Body["uid"].(string)
	if r := e.Call(t, admin, "admin", "updateUser", map[string]any{"uid": uid, "username": "alice_1",
		"mobile": "13800138000", "email": "alice@example.com"}); r.Code() != "0" {
		t.Fatalf("updateUser: %s", r.Raw)
	}
	for _, by := range []map[string]any{{"uid": uid}, {"username": "ALICE_1"}, {"mobile": "+8613800138000"}, {"email": "Alice@Example.com"}} {
		r := e.Call(t, admin, "admin", "getUser", by)
		u, _ := r.Body["user"].(map[string]any)
		if r.Code() != "0" || u["uid"] != uid || u["passwordSet"] != true {
			t.Errorf("getUser %v: %s", by, r.Raw)
		}
		if strings.Contains(r.Raw, "argon2") || strings.Contains(r.Raw, "\"password\"") || strings.Contains(r.Raw, "gen") {
			t.Errorf("getUser shows a secret: %s", r.Raw)
		}
	}
	for _, bad := range []map[string]any{{}, {"uid": uid, "username": "alice_1"}} {
		if r := e.Call(t, admin, "admin", "getUser", bad); r.Code() != "uni-id-invalid-param" {
			t.Errorf("getUser %v: %s", bad, r.Raw)
		}
	}
	if r := e.Call(t, admin, "admin", "getUser", map[string]any{"username": "nobody_1"}); r.Code() != "uni-id-account-not-exists" {
		t.Errorf("getUser of nobody: %s", r.Raw)
	}
	for i := range 5 {
		e.Register(t, testenv.NewClient(fmt.Sprint("dev", i)), fmt.Sprint("user_", i), "a good password")
	}
	seen, cursor := map[string]bool{}, ""
	for range 10 {
		r := e.Call(t, admin, "admin", "listUsers", map[string]any{"limit": 3, "cursor": cursor})
		users, _ := r.Body["users"].([]any)
		if r.Code() != "0" || len(users) > 3 {
			t.Fatalf("listUsers: %s", r.Raw)
		}
		for _, u := range users {
			seen[u.(map[string]any)["uid"].(string)] = true
		}
		if cursor = r.Body["cursor"].(string); cursor == "" {
			break
		}
	}
	if len(seen) != 7 {
		t.Errorf("listUsers saw %d accounts, want 7", len(seen))
	}
	if r := e.Call(t, admin, "admin", "listUsers", map[string]any{"limit": 101}); r.Code() != "uni-id-invalid-param" {
		t.Errorf("listUsers limit 101: %s", r.Raw)
	}
	step := func(method string, want string) {
		t.Helper()
		if r := e.Call(t, admin, "admin", method, map[string]any{"uid": uid}); r.Code() != want {
			t.Fatalf("%s: %s, want %s", method, r.Raw, want)
		}
	}
	step("banUser", "0")
	if r := e.Call(t, user, "account", "getAccountInfo", nil); r.Code() == "0" {
		t.Errorf("a banned account's session: %s", r.Raw)
	}
	step("unbanUser", "0")
	step("unbanUser", "uni-id-invalid-param")
	if r := loginAs(t, e, user, "alice_1", "a good password"); r.Code() != "0" {
		t.Fatalf("login after unban: %s", r.Raw)
	}
	step("endUserSessions", "0")
	if r := e.Call(t, user, "account", "getAccountInfo", nil); r.Status != 401 {
		t.Errorf("after endUserSessions: %s", r.Raw)
	}
	if r := e.Call(t, admin, "admin", "setUserRoles", map[string]any{"uid": uid, "role": []string{"admin"}}); r.Code() != "0" {
		t.Fatalf("setUserRoles: %s", r.Raw)
	}
	if r := e.Call(t, admin, "admin", "getUser", map[string]any{"uid": uid}); !strings.Contains(r.Raw, `"role":["admin"]`) {
		t.Errorf("roles after setUserRoles: %s", r.Raw)
	}
	adminUID := loginAs(t, e, testenv.NewClient("a2"), "root_1", "a good password").Body["uid"].(string)
	for _, m := range []string{"banUser", "closeUser", "deleteUser"} {
		if r := e.Call(t, admin, "admin", m, map[string]any{"uid": adminUID}); r.Code() != "uni-id-invalid-param" {
			t.Errorf("%s of oneself: %s", m, r.Raw)
		}
	}
	if r := e.Call(t, admin, "admin", "setUserRoles", map[string]any{"uid": adminUID, "role": []string{}}); r.Code() != "uni-id-invalid-param" {
		t.Errorf("an administrator drops their own admin role: %s", r.Raw)
	}
	step("closeUser", "0")
	if r := loginAs(t, e, testenv.NewClient("c"), "alice_1", "a good password"); r.Code() == "0" {
		t.Errorf("a closed account logs in: %s", r.Raw)
	}
	before := e.ItemCount(t)
	step("deleteUser", "0")
	step("deleteUser", "uni-id-account-not-exists")
	after := e.ItemCount(t)
	if after[e.Names.Users] != before[e.Names.Users]-1 || after[e.Names.Keys] != before[e.Names.Keys]-3 {
		t.Errorf("deleteUser left items: %v -> %v (want one user and its three keys gone)", before, after)
	}
	bob := testenv.NewClient("bob")
	e.Register(t, bob, "alice_1", "a good password")
	if r := e.Call(t, bob, "bind", "bindMobileBySms", map[string]any{"mobile": "13800138000", "code": "123456"}); strings.Contains(r.Raw, "bind-conflict") {
		t.Errorf("the deleted account's mobile is still held: %s", r.Raw)
	}
}
