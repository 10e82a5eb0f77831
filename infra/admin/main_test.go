package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/signing"
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

// TestMigrationCLI: import reports by line what it could not import and
// shows progress; a dry run writes nothing; export writes every account as
// a JSON line; import-roles creates permissions, then roles, once.
func TestMigrationCLI(t *testing.T) {
	e := testenv.New(t, nil)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	users := write("users.jsonl", `{"_id":"64f000000000000000000001","username":"legacy_a","password":"03caebb36670995fc261a275d212cad65e4bbebd","password_secret_version":1}

{"_id":"64f000000000000000000002","username":"LEGACY_A"}
{"_id":"64f000000000000000000003","username":"legacy_c","role":["editor"]}
`)
	flags := []string{"-endpoint", e.URL, "-app", "__UNI__TEST"}
	var out bytes.Buffer
	err := run(t.Context(), append(flags, "import", "-file", users, "-dry-run"), nil, nil, &out)
	// Each line is checked against the store alone, so the two lines with
	// one username both pass the dry run.
	if err != nil || !strings.Contains(out.String(), "dry run") || e.ItemCount(t)[e.Names.Users] != 0 {
		t.Errorf("dry run: %v\n%s", err, out.String())
	}
	out.Reset()
	err = run(t.Context(), append(flags, "import", "-file", users, "-batch", "2"), nil, nil, &out)
	if err == nil || !strings.Contains(out.String(), "line 3: 64f000000000000000000002 conflicts on username") ||
		!strings.Contains(out.String(), "created 2") || !strings.Contains(out.String(), "3/3 users") {
		t.Errorf("import: %v\n%s", err, out.String())
	}
	if r := e.Call(t, testenv.NewClient("a"), "login", "login", map[string]any{"username": "legacy_a", "password": "123456"}); r.Code() != "0" {
		t.Errorf("an imported user logs in: %s", r.Raw)
	}
	out.Reset()
	exported := filepath.Join(dir, "out.jsonl")
	if err := run(t.Context(), append(flags, "export", "-file", exported), nil, nil, &out); err != nil {
		t.Fatalf("export: %v", err)
	}
	data, _ := os.ReadFile(exported)
	if n := strings.Count(string(data), "\n"); n != 2 || !strings.Contains(string(data), `"_id":"64f000000000000000000003"`) {
		t.Errorf("export wrote %d lines:\n%s", n, data)
	}
	perms := write("perms.jsonl", `{"permission_id":"posts.edit","permission_name":"Edit posts"}`+"\n")
	roles := write("roles.jsonl", `{"role_id":"editor","role_name":"Editor","permission":["posts.edit"]}`+"\n")
	for range 2 {
		out.Reset()
		if err := run(t.Context(), append(flags, "import-roles", "-permissions", perms, "-roles", roles), nil, nil, &out); err != nil {
			t.Fatalf("import-roles: %v %s", err, out.String())
		}
	}
	if !strings.Contains(out.String(), "0 created, 1 already there") {
		t.Errorf("import-roles again: %s", out.String())
	}
}

// TestRotateKeys: rotate-keys creates the dev key set, then moves it a
// step: next keys become active, active ones retire, and the set the dev
// server reads parses after each step; no -app is needed.
func TestRotateKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oidc-keys.json")
	var out bytes.Buffer
	step := func() *signing.Set {
		t.Helper()
		out.Reset()
		if err := run(t.Context(), []string{"rotate-keys", "-file", path}, func(string) string { return "" }, strings.NewReader(""), &out); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		set, err := signing.Parse(data)
		if err != nil {
			t.Fatalf("the key set does not parse: %v", err)
		}
		if strings.Contains(out.String(), "PRIVATE") {
			t.Fatalf("rotate-keys printed a private key: %s", out.String())
		}
		return set
	}
	first := step()
	if !strings.Contains(out.String(), "created") || len(first.Keys) != 4 {
		t.Fatalf("first run: %s, %d keys", out.String(), len(first.Keys))
	}
	states := func(s *signing.Set) map[string]string {
		m := map[string]string{}
		for _, k := range s.Keys {
			m[k.ID] = k.State
		}
		return m
	}
	before := states(first)
	second := step()
	after := states(second)
	for id, st := range before {
		want := map[string]string{signing.Active: signing.Retired, signing.Next: signing.Active}[st]
		if after[id] != want {
			t.Errorf("key %s was %s, is %s after a rotation, want %s", id, st, after[id], want)
		}
	}
	if !strings.Contains(out.String(), "rotated") || len(second.Keys) != 6 {
		t.Errorf("second run: %s, %d keys", out.String(), len(second.Keys))
	}
	if err := run(t.Context(), []string{"rotate-keys"}, func(string) string { return "" }, strings.NewReader(""), &out); err == nil {
		t.Error("rotate-keys without -file or -parameter ran")
	}
}
