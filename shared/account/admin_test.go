package account_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/testenv"
)

// adminEnv is idco with a logged-in administrator and a logged-in user.
func adminEnv(t *testing.T, edit func(map[string]any)) (e *testenv.Env, admin, user *testenv.Client) {
	t.Helper()
	e = testenv.New(t, edit)
	admin, user = testenv.NewClient("admin-dev"), testenv.NewClient("user-dev")
	if r := e.RegisterAdmin(t, admin, "root_1", "a good password"); r.Code() != "0" {
		t.Fatalf("registerAdmin: %s", r.Raw)
	}
	e.Register(t, user, "alice_1", "a good password")
	return e, admin, user
}

// claims decodes a token's payload.
func claims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

func loginAs(t *testing.T, e *testenv.Env, c *testenv.Client, username, pw string) testenv.Resp {
	t.Helper()
	return e.Call(t, c, "login", "login", map[string]any{"username": username, "password": pw})
}

// TestAdminAccess: every admin method answers an anonymous caller with a
// token error, a user without the admin role with uni-id-permission-error,
// and the administrator.
func TestAdminAccess(t *testing.T) {
	e, admin, user := adminEnv(t, nil)
	calls := map[string]map[string]any{
		"addUser":                {"username": "bob_1", "password": "a good password"},
		"updateUser":             {"uid": "000000000000000000000000", "username": "bob_1"},
		"authorizeAppLogin":      {"uid": "000000000000000000000000", "appId": "__UNI__X"},
		"removeAuthorizedApp":    {"uid": "000000000000000000000000", "appId": "__UNI__X"},
		"setAuthorizedApp":       {"uid": "000000000000000000000000", "appIdList": []string{}},
		"getRoles":               nil,
		"createRole":             {"role_id": "r1", "role_name": "R1"},
		"updateRole":             {"role_id": "nope"},
		"deleteRole":             {"role_id": "nope"},
		"createPermission":       {"permission_id": "p1", "permission_name": "P1"},
		"updatePermission":       {"permission_id": "nope"},
		"deletePermission":       {"permission_id": "nope"},
		"getUser":                {"username": "nobody_1"},
		"listUsers":              {"limit": 1},
		"banUser":                {"uid": "000000000000000000000000"},
		"unbanUser":              {"uid": "000000000000000000000000"},
		"closeUser":              {"uid": "000000000000000000000000"},
		"endUserSessions":        {"uid": "000000000000000000000000"},
		"setUserRoles":           {"uid": "000000000000000000000000", "role": []string{}},
		"deleteUser":             {"uid": "000000000000000000000000"},
		"getAuditLog":            {"uid": "000000000000000000000000"},
		"importUsers":            {"users": []map[string]any{{"line": 1, "doc": map[string]any{"username": "x"}}}, "dryRun": true},
		"exportUsers":            {"limit": 1},
		"addOAuthClient":         {"name": "App", "redirectUris": []string{"https://app.example.com/cb"}},
		"updateOAuthClient":      {"clientId": "oc_nope"},
		"resetOAuthClientSecret": {"clientId": "oc_nope"},
		"removeOAuthClient":      {"clientId": "oc_nope"},
		"listOAuthClients":       {},
	}
	for m := range calls {
		if f := cloudobj.FamilyOf(m); f != "admin" {
			t.Errorf("%s is served by %s", m, f)
		}
	}
	if n := len(cloudobj.Families["admin"]); n != len(calls) {
		t.Errorf("the test covers %d of the admin family's %d methods", len(calls), n)
	}
	for m, p := range calls {
		t.Run(m, func(t *testing.T) {
			if r := e.Call(t, testenv.NewClient("anon"), "admin", m, p); r.Status != 401 {
				t.Errorf("anonymous: %d %s", r.Status, r.Raw)
			}
			if r := e.Call(t, user, "admin", m, p); r.Code() != "uni-id-permission-error" || r.Status != 403 {
				t.Errorf("a user: %d %s", r.Status, r.Raw)
			}
			if r := e.Call(t, admin, "admin", m, p); r.Status == 401 || r.Status == 403 {
				t.Errorf("the administrator: %d %s", r.Status, r.Raw)
			}
		})
	}
}

// TestAddUser: the account is made in its authorized apps only, with its
// mobile and email confirmed; its identifiers stay unique, also when two
// administrators add the same username at once.
func TestAddUser(t *testing.T) {
	e, admin, _ := adminEnv(t, nil)
	r := e.Call(t, admin, "admin", "addUser", map[string]any{"username": "Bob_1", "password": "a good password",
		"nickname": "Bob", "authorizedApp": []string{"__UNI__TEST"}, "mobile": "13800138000", "email": "Bob@Example.com",
		"tags": []string{"vip"}, "status": 0})
	if r.Code() != "0" || r.Body["uid"] == "" {
		t.Fatalf("addUser: %s", r.Raw)
	}
	bob := testenv.NewClient("bob-dev")
	if r := e.Call(t, bob, "login", "login", map[string]any{"mobile": "13800138000", "password": "a good password"}); r.Code() != "0" {
		t.Fatalf("login by the added mobile (confirmed): %s", r.Raw)
	}
	if r := e.Call(t, bob, "account", "getAccountInfo", nil); r.Body["isEmailBound"] != true || r.Body["isMobileBound"] != true {
		t.Errorf("getAccountInfo: %s", r.Raw)
	}
	other := testenv.NewClient("bob-other")
	other.AppID = "__UNI__OTHER"
	// With enumeration protection (the default) an account of another app
	// answers as a wrong password does.
	if r := loginAs(t, e, other, "bob_1", "a good password"); r.Code() != "uni-id-password-error" {
		t.Errorf("login to an app not authorized: %s", r.Raw)
	}
	for _, dup := range []map[string]any{
		{"username": "BOB_1", "password": "a good password"},
		{"username": "carol_1", "password": "a good password", "mobile": "+8613800138000"},
		{"username": "carol_1", "password": "a good password", "email": "bob@example.com"},
	} {
		if r := e.Call(t, admin, "admin", "addUser", dup); r.Code() != "uni-id-account-exists" {
			t.Errorf("addUser %v: %s", dup, r.Raw)
		}
	}
	for _, bad := range []map[string]any{
		{"username": "x", "password": "a good password"},
		{"username": "dave_1", "password": "short"},
		{"username": "dave_1", "password": "a good password", "authorizedApp": []string{"*"}},
		{"username": "dave_1", "password": "a good password", "status": 9},
		{"username": "dave_1", "password": "a good password", "role": []string{"no-such-role"}},
	} {
		if r := e.Call(t, admin, "admin", "addUser", bad); r.Status != 400 && r.Status != 404 {
			t.Errorf("addUser %v: %d %s", bad, r.Status, r.Raw)
		}
	}
	codes := make([]string, 8)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			c := *admin
			codes[i] = e.Call(t, &c, "admin", "addUser", map[string]any{"username": "erin_1", "password": "a good password"}).Code()
		})
	}
	wg.Wait()
	if n := strings.Count(strings.Join(codes, ","), "uni-id-account-exists"); n != len(codes)-1 {
		t.Errorf("concurrent addUser of one username: %v", codes)
	}
}

// TestUpdateUser: only the fields given change; a username another
// account holds is refused; a new password ends the account's sessions; a
// ban ends them at once; apps are granted and taken away.
func TestUpdateUser(t *testing.T) {
	e, admin, user := adminEnv(t, nil)
	uid := loginAs(t, e, user, "alice_1", "a good password").Body["uid"].(string)
	e.Register(t, testenv.NewClient("bob-dev"), "bob_1", "a good password")
	if r := e.Call(t, admin, "admin", "updateUser", map[string]any{"uid": uid, "username": "bob_1"}); r.Code() != "uni-id-account-exists" {
		t.Errorf("taking another account's username: %s", r.Raw)
	}
	if r := e.Call(t, admin, "admin", "updateUser", map[string]any{"uid": "0123456789abcdef01234567", "username": "zed_1"}); r.Code() != "uni-id-account-not-exists" {
		t.Errorf("an unknown uid: %s", r.Raw)
	}
	if r := e.Call(t, admin, "admin", "updateUser", map[string]any{"uid": uid, "username": "alice_2", "nickname": "Al"}); r.Code() != "0" {
		t.Fatalf("rename: %s", r.Raw)
	}
	if r := e.Call(t, user, "account", "getAccountInfo", nil); r.Code() != "0" {
		t.Errorf("a rename keeps the sessions: %s", r.Raw)
	}
	if r := loginAs(t, e, testenv.NewClient("x"), "alice_2", "a good password"); r.Code() != "0" {
		t.Errorf("login by the new username: %s", r.Raw)
	}
	if r := e.Call(t, admin, "admin", "updateUser", map[string]any{"uid": uid, "username": "alice_2", "password": "another good password"}); r.Code() != "0" {
		t.Fatalf("new password: %s", r.Raw)
	}
	if r := e.Call(t, user, "account", "getAccountInfo", nil); r.Status != 401 {
		t.Errorf("after a new password the old session: %s", r.Raw)
	}
	again := testenv.NewClient("user-dev-2")
	if r := loginAs(t, e, again, "alice_2", "another good password"); r.Code() != "0" {
		t.Fatalf("login with the new password: %s", r.Raw)
	}
	if r := e.Call(t, admin, "admin", "updateUser", map[string]any{"uid": uid, "username": "alice_2", "status": 1}); r.Code() != "0" {
		t.Fatalf("ban: %s", r.Raw)
	}
	if r := e.Call(t, again, "account", "getAccountInfo", nil); r.Status != 401 && r.Code() != "uni-id-account-banned" {
		t.Errorf("a banned account's token: %s", r.Raw)
	}
	if r := loginAs(t, e, testenv.NewClient("y"), "alice_2", "another good password"); r.Code() != "uni-id-account-banned" {
		t.Errorf("a banned account logs in: %s", r.Raw)
	}
	e.Call(t, admin, "admin", "updateUser", map[string]any{"uid": uid, "username": "alice_2", "status": 0})
	other := testenv.NewClient("other-app")
	other.AppID = "__UNI__OTHER"
	steps := []struct {
		method string
		params map[string]any
		test   bool // may log in to __UNI__TEST afterwards
		other  bool // may log in to __UNI__OTHER afterwards
	}{
		{"authorizeAppLogin", map[string]any{"uid": uid, "appId": "__UNI__OTHER"}, true, true},
		{"removeAuthorizedApp", map[string]any{"uid": uid, "appId": "__UNI__TEST"}, false, true},
		{"setAuthorizedApp", map[string]any{"uid": uid, "appIdList": []string{"__UNI__TEST"}}, true, false},
		{"setAuthorizedApp", map[string]any{"uid": uid, "appIdList": []string{}}, false, false},
	}
	for i, s := range steps {
		if r := e.Call(t, admin, "admin", s.method, s.params); r.Code() != "0" {
			t.Fatalf("%s: %s", s.method, r.Raw)
		}
		for _, c := range []struct {
			client *testenv.Client
			want   bool
		}{{testenv.NewClient(fmt.Sprint("t", i)), s.test}, {other, s.other}} {
			if got := loginAs(t, e, c.client, "alice_2", "another good password").Code() == "0"; got != c.want {
				t.Errorf("step %d %s: login to %s = %v, want %v", i, s.method, c.client.AppID, got, c.want)
			}
		}
	}
}

// TestRolesAndPermissions: a role's permissions show in its users' next
// token; a method idco.access opens to a permission serves its holders; a
// role taken from a user ends its power at once, before any refresh; a
// permission deleted leaves every role; idco.access may open an admin
// method to another role.
func TestRolesAndPermissions(t *testing.T) {
	e, admin, user := adminEnv(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["access"] = map[string]any{
			"addUser":          map[string]any{"role": []string{"operator"}},
			"listDevices":      map[string]any{"permission": []string{"devices.read"}},
			"getAccountInfo":   map[string]any{"auth": true},
			"setAuthorizedApp": map[string]any{"permission": []string{"apps.write"}},
		}
	})
	for _, call := range []struct {
		method string
		params map[string]any
	}{
		{"createPermission", map[string]any{"permission_id": "apps.write", "permission_name": "Apps"}},
		{"createPermission", map[string]any{"permission_id": "users.read", "permission_name": "Read users"}},
		{"createRole", map[string]any{"role_id": "operator", "role_name": "Operator", "permission": []string{"apps.write", "users.read"}}},
		{"createRole", map[string]any{"role_id": "viewer", "role_name": "Viewer", "permission": []string{"users.read"}}},
	} {
		if r := e.Call(t, admin, "admin", call.method, call.params); r.Code() != "0" {
			t.Fatalf("%s: %s", call.method, r.Raw)
		}
	}
	if r := e.Call(t, admin, "admin", "createRole", map[string]any{"role_id": "bad", "role_name": "Bad", "permission": []string{"nope"}}); r.Code() != "uni-id-permission-not-found" {
		t.Errorf("a role with an unknown permission: %s", r.Raw)
	}
	if r := e.Call(t, admin, "admin", "createRole", map[string]any{"role_id": "operator", "role_name": "Again"}); r.Code() != "uni-id-role-exists" {
		t.Errorf("a role twice: %s", r.Raw)
	}
	r := e.Call(t, admin, "admin", "getRoles", nil)
	roles, _ := r.Body["roles"].([]any)
	if len(roles) != 2 || !strings.Contains(r.Raw, `"permission":["apps.write","users.read"]`) {
		t.Fatalf("getRoles: %s", r.Raw)
	}
	op := testenv.NewClient("op-dev")
	uid := e.Register(t, op, "olga_1", "a good password").Body["uid"].(string)
	if r := e.Call(t, admin, "admin", "updateUser", map[string]any{"uid": uid, "username": "olga_1", "role": []string{"operator"}}); r.Code() != "0" {
		t.Fatalf("give the role: %s", r.Raw)
	}
	tok := loginAs(t, e, op, "olga_1", "a good password").Token()
	if got := fmt.Sprint(claims(t, tok)["permission"]); got != "[apps.write users.read]" {
		t.Errorf("the operator's token claims %s", got)
	}
	if r := e.Call(t, op, "admin", "addUser", map[string]any{"username": "pat_1", "password": "a good password", "authorizedApp": []string{"__UNI__TEST"}}); r.Code() != "0" {
		t.Errorf("idco.access opens addUser to the operator role: %s", r.Raw)
	}
	if r := e.Call(t, op, "admin", "setAuthorizedApp", map[string]any{"uid": uid, "appIdList": []string{"__UNI__TEST"}}); r.Code() != "0" {
		t.Errorf("a permission rule: %s", r.Raw)
	}
	if r := e.Call(t, op, "admin", "updateUser", map[string]any{"uid": uid, "username": "olga_1"}); r.Code() != "uni-id-permission-error" {
		t.Errorf("a method idco.access leaves to admin: %s", r.Raw)
	}
	// The role taken away: its power ends before the token is refreshed.
	if r := e.Call(t, admin, "admin", "updateUser", map[string]any{"uid": uid, "username": "olga_1", "role": []string{"viewer"}}); r.Code() != "0" {
		t.Fatalf("change the role: %s", r.Raw)
	}
	if r := e.Call(t, op, "admin", "setAuthorizedApp", map[string]any{"uid": uid, "appIdList": []string{"__UNI__TEST"}}); r.Code() != "uni-id-permission-error" {
		t.Errorf("the old token's permission after the role was taken: %s", r.Raw)
	}
	if r := e.Call(t, op, "admin", "addUser", map[string]any{"username": "quin_1", "password": "a good password"}); r.Code() != "uni-id-permission-error" {
		t.Errorf("the old role after it was taken: %s", r.Raw)
	}
	if got := fmt.Sprint(claims(t, loginAs(t, e, op, "olga_1", "a good password").Token())["permission"]); got != "[users.read]" {
		t.Errorf("the viewer's next token claims %s", got)
	}
	if r := e.Call(t, admin, "admin", "deletePermission", map[string]any{"permission_id": "users.read"}); r.Code() != "0" {
		t.Fatalf("deletePermission: %s", r.Raw)
	}
	if r := e.Call(t, admin, "admin", "getRoles", nil); strings.Contains(r.Raw, "users.read") {
		t.Errorf("a deleted permission is still in a role: %s", r.Raw)
	}
	if got := fmt.Sprint(claims(t, loginAs(t, e, op, "olga_1", "a good password").Token())["permission"]); got != "[]" {
		t.Errorf("after the permission was deleted the next token claims %s", got)
	}
	if r := e.Call(t, user, "account", "listDevices", nil); r.Code() != "uni-id-permission-error" {
		t.Errorf("idco.access requires a permission the user lacks: %s", r.Raw)
	}
	if r := e.Call(t, admin, "account", "listDevices", nil); r.Code() != "0" {
		t.Errorf("the administrator passes every rule: %s", r.Raw)
	}
	if got := claims(t, admin.Token)["permission"]; fmt.Sprint(got) != "[]" {
		t.Errorf("the administrator's token claims %v, want [] as uni-id", got)
	}
}

// TestAccessConfigRefused: idco.access names real methods and says
// something; an empty list is refused as uni-id-co refuses it.
func TestAccessConfigRefused(t *testing.T) {
	for _, rule := range []map[string]any{
		{"noSuchMethod": map[string]any{"auth": true}},
		{"addUser": map[string]any{"role": []string{}}},
		{"addUser": map[string]any{}},
	} {
		doc := testenv.Config()
		doc["idco"].(map[string]any)["access"] = rule
		data, _ := json.Marshal(doc)
		if _, err := config.Parse(data); err == nil {
			t.Errorf("idco.access %v: accepted", rule)
		}
	}
}

// TestConcurrentRenames: two administrators renaming two accounts to one
// username at once leave it with one of them.
func TestConcurrentRenames(t *testing.T) {
	e, admin, _ := adminEnv(t, nil)
	var uids []string
	for i := range 2 {
		c := testenv.NewClient(fmt.Sprint("r", i))
		uids = append(uids, e.Register(t, c, fmt.Sprint("rename_", i), "a good password").Body["uid"].(string))
	}
	codes := make([]string, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			a := *admin
			codes[i] = e.Call(t, &a, "admin", "updateUser", map[string]any{"uid": uids[i], "username": "taken_1"}).Code()
		})
	}
	wg.Wait()
	if fmt.Sprint(codes) != "[0 uni-id-account-exists]" && fmt.Sprint(codes) != "[uni-id-account-exists 0]" {
		t.Errorf("concurrent renames: %v", codes)
	}
	owners := 0
	for _, u := range e.Scan(t, e.Names.Users) {
		if u["username"] == "taken_1" {
			owners++
		}
	}
	if owners != 1 {
		t.Errorf("%d accounts named taken_1", owners)
	}
}
