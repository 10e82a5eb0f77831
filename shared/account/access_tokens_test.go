package account_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv"
)

// TestPersonalAccessTokens: a user creates a token (the secret shown once,
// stored only as a digest), calls getAccountInfo with it within its scope
// and nothing outside it, disables, enables and deletes it; tokens expire,
// cannot make or manage tokens, bind or act on a session, and a password
// change ends them.
func TestPersonalAccessTokens(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "the right password")
	create := func(params map[string]any) testenv.Resp {
		t.Helper()
		return e.Call(t, c, "account", "createAccessToken", params)
	}
	for name, bad := range map[string]map[string]any{
		"name":         {"scopes": []string{"account"}},
		"scopes":       {"name": "ci", "scopes": []string{"bind"}},
		"expireInDays": {"name": "ci", "scopes": []string{"account"}, "expireInDays": 100},
	} {
		if r := create(bad); r.Code() != "uni-id-invalid-param" || !strings.Contains(r.Raw, name) {
			t.Errorf("createAccessToken without a good %s: %s", name, r.Raw)
		}
	}
	r := create(map[string]any{"name": "ci", "scopes": []string{"account"}, "expireInDays": 30})
	secret, _ := r.Body["token"].(string)
	id, _ := r.Body["id"].(string)
	if r.Code() != "0" || !strings.HasPrefix(secret, "idco_pat_") || len(secret) < 50 || id == "" {
		t.Fatalf("createAccessToken: %s", r.Raw)
	}
	if raw := fmt.Sprint(e.Scan(t, e.Names.Users)); strings.Contains(raw, secret) || !strings.Contains(raw, "digest") {
		t.Errorf("the stored user holds the secret, or no digest")
	}
	if keys := fmt.Sprint(e.Scan(t, e.Names.Keys)); !strings.Contains(keys, "pat:") {
		t.Errorf("no unique key for the token: %s", keys)
	}
	pat := testenv.NewClient("ci-runner")
	pat.Token = secret
	if r := info(t, e, pat); r.Code() != "0" || r.Body["isUsernameSet"] != true || r.Token() != "" {
		t.Fatalf("getAccountInfo with the token: %s", r.Raw)
	}
	for _, call := range [][2]string{{"bind", "unbindWeixin"}, {"account", "createAccessToken"}, {"account", "closeAccount"}, {"account", "logout"}, {"account", "setPushCid"}, {"account", "endSession"}} {
		if r := e.Call(t, pat, call[0], call[1], map[string]any{"name": "x", "scopes": []string{"account"}, "pushClientId": "cid", "id": "0123456789abcdef"}); r.Code() == "0" {
			t.Errorf("%s with an access token: %s", call[1], r.Raw)
		}
	}
	if r := e.Call(t, pat, "account", "disableAccessToken", map[string]any{"id": id}); r.Code() != "uni-id-permission-error" {
		t.Errorf("an access token managing tokens: %s", r.Raw)
	}
	list := e.Call(t, c, "account", "listAccessTokens", nil)
	if list.Code() != "0" || !strings.Contains(list.Raw, id) || strings.Contains(list.Raw, secret) {
		t.Fatalf("listAccessTokens: %s", list.Raw)
	}
	step := func(method, want string) {
		t.Helper()
		if r := e.Call(t, c, "account", method, map[string]any{"id": id}); r.Code() != "0" {
			t.Fatalf("%s: %s", method, r.Raw)
		}
		if r := info(t, e, pat); r.Code() != want {
			t.Fatalf("getAccountInfo after %s: %s, want %s", method, r.Raw, want)
		}
	}
	step("disableAccessToken", "uni-id-check-token-failed")
	step("enableAccessToken", "0")
	step("deleteAccessToken", "uni-id-check-token-failed")
	if keys := fmt.Sprint(e.Scan(t, e.Names.Keys)); strings.Contains(keys, "pat:") {
		t.Errorf("a deleted token's key stays: %s", keys)
	}
	// Expiry, and a password change ends the tokens.
	r = create(map[string]any{"name": "short", "scopes": []string{"account"}, "expireInDays": 1})
	pat.Token, _ = r.Body["token"].(string)
	e.Clock.Advance(25 * time.Hour)
	if r := info(t, e, pat); r.Code() != "uni-id-token-expired" {
		t.Errorf("a day-long token after 25 hours: %s", r.Raw)
	}
	if r := login(t, e, c, map[string]any{"username": "alice_1", "password": "the right password"}); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	r = create(map[string]any{"name": "forever", "scopes": []string{"account"}})
	pat.Token, _ = r.Body["token"].(string)
	if r := info(t, e, pat); r.Code() != "0" {
		t.Fatalf("a token without expiry: %s", r.Raw)
	}
	if r := e.Call(t, c, "reset", "updatePwd", map[string]any{"oldPassword": "the right password", "newPassword": "another good password"}); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	if r := info(t, e, pat); r.Code() != "uni-id-check-token-failed" {
		t.Errorf("an access token after a password change: %s", r.Raw)
	}
}
