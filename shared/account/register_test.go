package account_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/idco-dev/idco/shared/testenv"
)

func TestRegisterUserBadInput(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("dev-bad")
	e.Register(t, c, "taken_name", "a good password")
	cases := []struct {
		name   string
		params map[string]any
		want   string
	}{
		{"no username", map[string]any{"password": "a good password", "captcha": "x"}, "uni-id-param-required"},
		{"blank username", map[string]any{"username": "  ", "password": "a good password", "captcha": "x"}, "uni-id-param-required"},
		{"no password", map[string]any{"username": "bob_1", "captcha": "x"}, "uni-id-param-required"},
		{"no captcha", map[string]any{"username": "bob_1", "password": "a good password"}, "uni-id-param-required"},
		{"digits only", map[string]any{"username": "12345", "password": "a good password", "captcha": "x"}, "uni-id-invalid-username"},
		{"bad char", map[string]any{"username": "bob!", "password": "a good password", "captcha": "x"}, "uni-id-invalid-username"},
		{"2 chars", map[string]any{"username": "bo", "password": "a good password", "captcha": "x"}, "uni-id-invalid-username"},
		{"33 chars", map[string]any{"username": strings.Repeat("b", 33), "password": "a good password", "captcha": "x"}, "uni-id-invalid-username"},
		{"7-char password", map[string]any{"username": "bob_1", "password": "1234567", "captcha": "x"}, "uni-id-invalid-password"},
		{"129-char password", map[string]any{"username": "bob_1", "password": strings.Repeat("p", 129), "captcha": "x"}, "uni-id-invalid-password"},
		{"nickname with @", map[string]any{"username": "bob_1", "password": "a good password", "captcha": "x", "nickname": "a@b"}, "uni-id-invalid-nickname"},
		{"nickname digits", map[string]any{"username": "bob_1", "password": "a good password", "captcha": "x", "nickname": "123"}, "uni-id-invalid-nickname"},
		{"invite code shape", map[string]any{"username": "bob_1", "password": "a good password", "captcha": "x", "inviteCode": "no spaces"}, "uni-id-invalid-invite-code"},
		{"invite code type", map[string]any{"username": "bob_1", "password": "a good password", "captcha": "x", "inviteCode": 12}, "uni-id-invalid-param"},
		{"password type", map[string]any{"username": "bob_1", "password": 12345678, "captcha": "x"}, "uni-id-invalid-param"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.Captcha(t, c, "register")
			before := e.ItemCount(t)
			r := e.Call(t, c, "register", "registerUser", tc.params)
			if r.Code() != tc.want || r.Status != 400 {
				t.Fatalf("got %d %s, want 400 %s", r.Status, r.Raw, tc.want)
			}
			if after := e.ItemCount(t); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("items changed: %v -> %v", before, after)
			}
		})
	}
	// Unknown params are ignored as uni-id-co ignores them: they can
	// neither grant a role nor stand in for a known field in another case.
	t.Run("unknown params ignored", func(t *testing.T) {
		r := e.Call(t, c, "register", "registerUser", map[string]any{"username": "bob_1", "password": "a good password",
			"captcha": e.Captcha(t, c, "register"), "role": []string{"admin"}, "USERNAME": "mallory", "password2": 5})
		if r.Code() != "0" {
			t.Fatalf("got %s", r.Raw)
		}
		claims := strings.Split(r.Token(), ".")[1]
		payload, _ := base64.RawURLEncoding.DecodeString(claims)
		if !strings.Contains(string(payload), `"role":[]`) && !strings.Contains(string(payload), `"role":["user"]`) {
			t.Errorf("token role after an unknown role param: %s", payload)
		}
		if login := e.Call(t, c, "login", "login", map[string]any{"username": "mallory", "password": "a good password"}); login.Code() == "0" {
			t.Errorf("USERNAME was taken as username: %s", login.Raw)
		}
	})
	t.Run("wrong captcha", func(t *testing.T) {
		e.Captcha(t, c, "register")
		r := e.Call(t, c, "register", "registerUser", map[string]any{"username": "bob_1", "password": "a good password", "captcha": "zzzz"})
		if r.Code() != "uni-captcha-verify-fail" {
			t.Fatalf("got %s", r.Raw)
		}
	})
	t.Run("taken, any case", func(t *testing.T) {
		r := e.Call(t, c, "register", "registerUser", map[string]any{"username": "TAKEN_name", "password": "a good password", "captcha": e.Captcha(t, c, "register")})
		if r.Code() != "uni-id-account-exists" || r.Status != 409 {
			t.Fatalf("got %d %s", r.Status, r.Raw)
		}
	})
}

func TestRegisterPolicy(t *testing.T) {
	t.Run("registration disabled", func(t *testing.T) {
		e := testenv.New(t, func(cfg map[string]any) { cfg["idco"].(map[string]any)["registration"] = "disabled" })
		c := testenv.NewClient("d1")
		for m, p := range map[string]map[string]any{
			"registerUser":  {"username": "bob_1", "password": "a good password", "captcha": "abcd"},
			"registerAdmin": {"username": "bob_1", "password": "a good password"},
		} {
			r := e.Call(t, c, "register", m, p)
			if r.Code() != "uni-id-registration-disabled" || r.Status != 403 {
				t.Errorf("%s: %d %s", m, r.Status, r.Raw)
			}
		}
	})
	t.Run("uni-id passwordStrength", func(t *testing.T) {
		e := testenv.New(t, func(cfg map[string]any) { cfg["passwordStrength"] = "medium" })
		c := testenv.NewClient("d1")
		c.Locale = "en"
		r := e.Call(t, c, "register", "registerUser", map[string]any{"username": "bob_1", "password": "onlyletters", "captcha": "abcd"})
		if r.Code() != "uni-id-invalid-password-medium" || !strings.HasPrefix(r.Body["errMsg"].(string), "Passwords must have 8-16") {
			t.Fatalf("got %s", r.Raw)
		}
	})
}

// TestRegisterRace: 50 concurrent registrations of one username make
// exactly one account and leave no orphan unique-key items.
func TestRegisterRace(t *testing.T) {
	e := testenv.New(t, nil)
	const n = 50
	clients := make([]*testenv.Client, n)
	answers := make([]string, n)
	for i := range clients {
		clients[i] = testenv.NewClient(fmt.Sprintf("race-%d", i))
		answers[i] = e.Captcha(t, clients[i], "register")
	}
	codes := make([]string, n)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			r := e.Call(t, clients[i], "register", "registerUser", map[string]any{
				"username": "same_name", "password": "a good password", "captcha": answers[i]})
			codes[i] = r.Code()
		})
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case "0":
			ok++
		case "uni-id-account-exists":
		default:
			t.Errorf("unexpected answer %s", c)
		}
	}
	if ok != 1 {
		t.Fatalf("%d registrations succeeded, want 1", ok)
	}
	users, keys := e.Scan(t, e.Names.Users), e.Scan(t, e.Names.Keys)
	if len(users) != 1 || len(keys) != 1 {
		t.Fatalf("%d users and %d keys, want 1 and 1", len(users), len(keys))
	}
	if keys[0]["uid"] != users[0]["uid"] || keys[0]["key"] != "username:same_name" {
		t.Errorf("key %v does not point at user %v", keys[0], users[0]["uid"])
	}
}

func TestRegisterAdmin(t *testing.T) {
	e := testenv.New(t, nil)
	const n = 10
	codes := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := testenv.NewClient(fmt.Sprintf("admin-%d", i))
			codes[i] = e.RegisterAdmin(t, c, fmt.Sprintf("admin_%d", i), "admin password").Code()
		})
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		if c == "0" {
			ok++
		} else if c != "uni-id-admin-exists" {
			t.Errorf("unexpected %s", c)
		}
	}
	if ok != 1 {
		t.Fatalf("%d admins registered, want 1", ok)
	}
	users := e.Scan(t, e.Names.Users)
	if len(users) != 1 || fmt.Sprint(users[0]["role"]) != "[admin]" {
		t.Fatalf("users = %v", users)
	}
	other := testenv.NewClient("x")
	other.AppID = "__UNI__OTHER"
	r := e.Call(t, other, "register", "registerAdmin", map[string]any{"username": "late_admin", "password": "admin password"})
	if r.Code() != "uni-id-admin-exists" || r.Body["errMsg"] != "超级管理员已在其他控制台注册" {
		t.Errorf("admin of another app: %s", r.Raw)
	}
}
