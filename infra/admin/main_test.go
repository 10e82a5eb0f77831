package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/testenv"
)

// TestRegisterAdminFromTheCLI: the CLI creates the first administrator as
// a direct invocation, which needs no setup secret, then the admin logs
// in; a second register-admin fails with uni-id's admin-exists, and the
// generic call reaches any method.
func TestRegisterAdminFromTheCLI(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) { delete(cfg["idco"].(map[string]any), "admin") })
	env := func(k string) string {
		if k == "IDCO_ADMIN_PASSWORD" {
			return "a good password"
		}
		return ""
	}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-endpoint", e.URL, "-app", "__UNI__TEST", "register-admin", "-username", "root_1"}, env, strings.NewReader(""), &out); err != nil {
		t.Fatalf("register-admin: %v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "token") {
		t.Errorf("the CLI printed a token: %s", out.String())
	}
	if r := e.Call(t, testenv.NewClient("d1"), "login", "login", map[string]any{"username": "root_1", "password": "a good password"}); r.Code() != "0" {
		t.Fatalf("the admin logs in: %s", r.Raw)
	}
	out.Reset()
	err := run(t.Context(), []string{"-endpoint", e.URL, "-app", "__UNI__TEST", "register-admin", "-username", "root_2"}, func(string) string { return "" },
		strings.NewReader("another good password\n"), &out)
	if err == nil || !strings.Contains(err.Error(), "uni-id-admin-exists") {
		t.Errorf("second register-admin: %v", err)
	}
	out.Reset()
	if err := run(t.Context(), []string{"-endpoint", e.URL, "-app", "__UNI__TEST", "call", "hasAdmin"}, env, nil, &out); err != nil || !strings.Contains(out.String(), `"exists":true`) {
		t.Errorf("call hasAdmin: %v %s", err, out.String())
	}
	// The operator passes the administrator's rules without a token.
	out.Reset()
	if err := run(t.Context(), []string{"-endpoint", e.URL, "-app", "__UNI__TEST", "call", "addUser",
		`{"username":"bob_1","password":"a good password","authorizedApp":["__UNI__TEST"]}`}, env, nil, &out); err != nil {
		t.Fatalf("call addUser: %v %s", err, out.String())
	}
	if r := e.Call(t, testenv.NewClient("d2"), "login", "login", map[string]any{"username": "bob_1", "password": "a good password"}); r.Code() != "0" {
		t.Errorf("the added user logs in: %s", r.Raw)
	}
	// Methods of a logged-in user still need their token.
	if err := run(t.Context(), []string{"-endpoint", e.URL, "-app", "__UNI__TEST", "call", "getAccountInfo"}, env, nil, &out); err == nil {
		t.Error("call getAccountInfo without a token: no error")
	}
	if err := run(t.Context(), []string{"-endpoint", e.URL, "-app", "__UNI__TEST", "call", "noSuchMethod"}, env, nil, &out); err == nil {
		t.Error("call of an unknown method: no error")
	}
}
