package account_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/testenv"
)

// plant stores a user directly, as a migration from uni-id would.
func plant(t *testing.T, e *testenv.Env, u *account.User, keys ...string) {
	t.Helper()
	if err := e.Svc.Users.Create(context.Background(), u, keys); err != nil {
		t.Fatal(err)
	}
}

func login(t *testing.T, e *testenv.Env, c *testenv.Client, params map[string]any) testenv.Resp {
	t.Helper()
	return e.Call(t, c, "login", "login", params)
}

func TestLoginBadInput(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	cases := []struct {
		name   string
		params map[string]any
		want   string
	}{
		{"no identifier", map[string]any{"password": "x"}, "uni-id-invalid-username"},
		{"two identifiers", map[string]any{"username": "a", "email": "a@b.c", "password": "x"}, "uni-id-invalid-param"},
		{"no password", map[string]any{"username": "alice"}, "uni-id-param-required"},
		{"bad mobile", map[string]any{"mobile": "12345", "password": "x"}, "uni-id-invalid-mobile"},
		{"bad email", map[string]any{"email": "nope", "password": "x"}, "uni-id-invalid-email"},
		{"long username", map[string]any{"username": strings.Repeat("a", 65), "password": "x"}, "uni-id-invalid-username"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.ItemCount(t)
			if r := login(t, e, c, tc.params); r.Code() != tc.want {
				t.Errorf("%s: got %s, want %s", tc.name, r.Raw, tc.want)
			}
			if after := e.ItemCount(t); len(e.Scan(t, e.Names.Ephemeral)) != before[e.Names.Ephemeral] {
				t.Errorf("%s: items changed: %v -> %v", tc.name, before, after)
			}
		})
	}
}

// TestLoginEnumeration: with protection on, an unknown account answers
// exactly as a wrong password; with it off, as uni-id does.
func TestLoginEnumeration(t *testing.T) {
	for _, protect := range []bool{true, false} {
		e := testenv.New(t, func(cfg map[string]any) { cfg["idco"].(map[string]any)["enumerationProtection"] = protect })
		c := testenv.NewClient("d1")
		e.Register(t, c, "alice_1", "a good password")
		wrong := login(t, e, c, map[string]any{"username": "alice_1", "password": "not the password"})
		unknown := login(t, e, c, map[string]any{"username": "nobody_1", "password": "not the password"})
		if wrong.Code() != "uni-id-password-error" {
			t.Fatalf("wrong password: %s", wrong.Raw)
		}
		wantUnknown := "uni-id-password-error"
		if !protect {
			wantUnknown = "uni-id-account-not-exists"
		}
		if unknown.Code() != wantUnknown {
			t.Errorf("protect=%v unknown: %s, want %s", protect, unknown.Raw, wantUnknown)
		}
		if protect {
			strip := func(s string) string { return s[:strings.Index(s, `"requestId"`)] }
			if wrong.Status != unknown.Status || strip(wrong.Raw) != strip(unknown.Raw) {
				t.Errorf("answers differ: %d %s / %d %s", wrong.Status, wrong.Raw, unknown.Status, unknown.Raw)
			}
		}
	}
}

func TestLoginLockAndCaptcha(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) { cfg["passwordErrorLimit"] = 5 })
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "a good password")
	bad := map[string]any{"username": "alice_1", "password": "wrong password"}
	for i := 1; i <= 3; i++ {
		if r := login(t, e, c, bad); r.Code() != "uni-id-password-error" {
			t.Fatalf("try %d: %s", i, r.Raw)
		}
	}
	// After 3 attempts a captcha is required (scene login-by-pwd); an
	// attempt without one still counts.
	if r := login(t, e, c, bad); r.Code() != "uni-id-captcha-required" {
		t.Fatalf("4th try without captcha: %s", r.Raw)
	}
	p := map[string]any{"username": "alice_1", "password": "wrong password", "captcha": e.Captcha(t, c, "login-by-pwd")}
	if r := login(t, e, c, p); r.Code() != "uni-id-password-error" {
		t.Fatalf("5th try with captcha: %s", r.Raw)
	}
	// The 6th try is refused before the password is looked at, even when right.
	good := map[string]any{"username": "alice_1", "password": "a good password", "captcha": e.Captcha(t, c, "login-by-pwd")}
	if r := login(t, e, c, good); r.Code() != "uni-id-password-error-exceed-limit" || r.Status != 429 {
		t.Fatalf("locked: %d %s", r.Status, r.Raw)
	}
	// An unknown account locks the same way.
	for i := 0; i < 5; i++ {
		login(t, e, c, map[string]any{"email": "ghost@example.com", "password": "x", "captcha": e.Captcha(t, c, "login-by-pwd")})
	}
	if r := login(t, e, c, map[string]any{"email": "ghost@example.com", "password": "x"}); r.Code() != "uni-id-password-error-exceed-limit" {
		t.Errorf("unknown account not locked: %s", r.Raw)
	}
	// The lock slides: it holds for passwordErrorRetryTime (1 h) after the
	// tries, and is gone at most a twelfth of it later, captcha included.
	e.Clock.Advance(time.Hour)
	if r := login(t, e, c, good); r.Code() != "uni-id-password-error-exceed-limit" {
		t.Fatalf("an hour after the tries: %s", r.Raw)
	}
	e.Clock.Advance(time.Hour / account.WindowSlots)
	if r := login(t, e, c, map[string]any{"username": "alice_1", "password": "a good password"}); r.Code() != "0" {
		t.Fatalf("after the lock window: %s", r.Raw)
	}
	// A success clears the count: five more tries are allowed again.
	for i := 1; i <= 3; i++ {
		login(t, e, c, bad)
	}
	if r := login(t, e, c, map[string]any{"username": "alice_1", "password": "a good password", "captcha": e.Captcha(t, c, "login-by-pwd")}); r.Code() != "0" {
		t.Fatalf("after a success and 3 failures: %s", r.Raw)
	}
}

// TestParallelPasswordGuesses: the attempt is counted before the compare,
// atomically, so of 60 parallel wrong guesses exactly passwordErrorLimit
// reach it, and the right password afterwards is refused.
func TestParallelPasswordGuesses(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["loginCaptchaAfter"] = 1000
		cfg["idco"].(map[string]any)["limits"] = map[string]any{"passwordSourceCaptchaAfter": 1000}
	})
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "the right password")
	const n = 60
	codes := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p := map[string]any{"username": "alice_1", "password": fmt.Sprintf("wrong password %d", i)}
			codes[i] = login(t, e, testenv.NewClient("d1"), p).Code()
		})
	}
	wg.Wait()
	compared := 0
	for _, c := range codes {
		switch c {
		case "uni-id-password-error":
			compared++
		case "uni-id-password-error-exceed-limit":
		default:
			t.Fatalf("unexpected answer %s", c)
		}
	}
	if compared != 6 {
		t.Fatalf("%d wrong passwords reached the compare; passwordErrorLimit is 6", compared)
	}
	if r := login(t, e, c, map[string]any{"username": "alice_1", "password": "the right password"}); r.Code() != "uni-id-password-error-exceed-limit" {
		t.Fatalf("the right password after the limit was spent: %s", r.Raw)
	}
}

func TestLoginPasswordDisabled(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) { cfg["idco"].(map[string]any)["passwordLogin"] = false })
	c := testenv.NewClient("d1")
	if r := login(t, e, c, map[string]any{"username": "alice_1", "password": "x"}); r.Code() != "uni-id-login-type-disabled" || r.Status != 403 {
		t.Fatalf("got %d %s", r.Status, r.Raw)
	}
	types := e.Call(t, c, "login-types", "getSupportedLoginType", nil)
	if list, _ := types.Body["supportedLoginType"].([]any); fmt.Sprint(list) != "[mobile-code email-code]" {
		t.Errorf("supportedLoginType = %v, want the code logins only", list)
	}
}

func TestGetSupportedLoginType(t *testing.T) {
	e := testenv.New(t, nil)
	r := e.Call(t, testenv.NewClient("d1"), "login-types", "getSupportedLoginType", nil)
	got, _ := r.Body["supportedLoginType"].([]any)
	if want := "[username-password mobile-password email-password mobile-code email-code]"; r.Code() != "0" || fmt.Sprint(got) != want {
		t.Fatalf("got %s, want %s", r.Raw, want)
	}
}

// TestLegacyHashes: users imported from uni-id with its hash formats log in
// and are rehashed to argon2id.
func TestLegacyHashes(t *testing.T) {
	e := testenv.New(t, nil)
	cases := []struct {
		name, user, hash string
		version          int
	}{
		// python3 -c "import hmac,hashlib;print(hmac.new(b'passwordSecret-demo',b'123456',hashlib.sha1).hexdigest())"
		{"hmac-sha1", "legacy_sha1", "03caebb36670995fc261a275d212cad65e4bbebd", 1},
		// python3 -c "import hmac,hashlib;s='0123456789abcdef0123';print('\$UNI_ID_HMAC_SHA256\$20\$'+s+hmac.new(s.encode(),b'123456',hashlib.sha256).hexdigest())"
		{"hmac-sha256", "legacy_sha256", "$UNI_ID_HMAC_SHA256$20$0123456789abcdef0123" + sha256Vector, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plant(t, e, &account.User{UID: "0000000000000000000000" + tc.name[len(tc.name)-2:], Username: tc.user,
				Password: tc.hash, PasswordSecretVersion: tc.version}, "username:"+tc.user)
			c := testenv.NewClient("d-" + tc.name)
			if r := login(t, e, c, map[string]any{"username": tc.user, "password": "1234567"}); r.Code() != "uni-id-password-error" {
				t.Fatalf("wrong password: %s", r.Raw)
			}
			if r := login(t, e, c, map[string]any{"username": tc.user, "password": "123456"}); r.Code() != "0" {
				t.Fatalf("legacy login: %s", r.Raw)
			}
			var stored string
			for _, u := range e.Scan(t, e.Names.Users) {
				if u["username"] == tc.user {
					stored, _ = u["password"].(string)
				}
			}
			if !strings.HasPrefix(stored, "$argon2id$v=19$") {
				t.Fatalf("stored hash after login = %q, want argon2id", stored)
			}
			if r := login(t, e, c, map[string]any{"username": tc.user, "password": "123456"}); r.Code() != "0" {
				t.Fatalf("login after rehash: %s", r.Raw)
			}
		})
	}
}

func TestLoginByMobileAndEmail(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) { cfg["idco"].(map[string]any)["enumerationProtection"] = false })
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "a good password")
	hash := ""
	for _, u := range e.Scan(t, e.Names.Users) {
		hash, _ = u["password"].(string)
	}
	plant(t, e, &account.User{UID: "00000000000000000000000b", Mobile: "13800138000", MobileConfirmed: 1,
		Email: "Bob@Example.com", EmailConfirmed: 1, Password: hash}, "mobile:+8613800138000", "email:bob@example.com")
	plant(t, e, &account.User{UID: "00000000000000000000000c", Mobile: "13900139000", Password: hash})
	plant(t, e, &account.User{UID: "00000000000000000000000d", Username: "other_app", Password: hash,
		DcloudAppid: []string{"__UNI__OTHER"}}, "username:other_app")
	cases := []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"mobile": "13800138000", "password": "a good password"}, "0"},
		{map[string]any{"email": "bob@example.COM", "password": "a good password"}, "0"},
		{map[string]any{"mobile": "13900139000", "password": "a good password"}, "uni-id-account-not-exists"},
		{map[string]any{"username": "other_app", "password": "a good password"}, "uni-id-account-not-exists-in-current-app"},
	}
	for i, tc := range cases {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			if r := login(t, e, c, tc.params); r.Code() != tc.want {
				t.Errorf("%v: %s, want %s", tc.params, r.Raw, tc.want)
			}
		})
	}
	if strings.Contains(e.Log.String(), "13800138000") || strings.Contains(e.Log.String(), "Bob@") {
		t.Errorf("unmasked mobile or email in the log")
	}
	if !strings.Contains(e.Log.String(), "138****8000") {
		t.Errorf("masked mobile missing from the log")
	}
}

const sha256Vector = "da964fce0d7ec1c9296573651bf4d2a465af6691681291112fdde4224624e860"
