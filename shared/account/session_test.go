package account_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/testenv"
)

func info(t *testing.T, e *testenv.Env, c *testenv.Client) testenv.Resp {
	t.Helper()
	return e.Call(t, c, "account", "getAccountInfo", nil)
}

func copyClient(c *testenv.Client) *testenv.Client { d := *c; return &d }

// TestRefreshRace: two concurrent refreshes of one token both succeed and
// leave the session alive.
func TestRefreshRace(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "a good password")
	a, b := copyClient(c), copyClient(c)
	var wg sync.WaitGroup
	var ra, rb testenv.Resp
	wg.Go(func() { ra = e.Call(t, a, "account", "refreshToken", nil) })
	wg.Go(func() { rb = e.Call(t, b, "account", "refreshToken", nil) })
	wg.Wait()
	if ra.Code() != "0" || rb.Code() != "0" {
		t.Fatalf("concurrent refreshes: %s / %s", ra.Raw, rb.Raw)
	}
	for _, x := range []*testenv.Client{a, b} {
		if r := info(t, e, x); r.Code() != "0" {
			t.Errorf("token from a concurrent refresh: %s", r.Raw)
		}
	}
}

// TestRefreshReplay: a token rotated away that comes back after the grace
// window revokes the session, so the thief and the owner are both out.
func TestRefreshReplay(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "a good password")
	stolen := copyClient(c)
	if r := e.Call(t, c, "account", "refreshToken", nil); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	// Within the grace window the old token still works (a request in flight).
	if r := info(t, e, copyClient(stolen)); r.Code() != "0" {
		t.Fatalf("old token within grace: %s", r.Raw)
	}
	e.Clock.Advance(11 * time.Second)
	if r := info(t, e, copyClient(stolen)); r.Code() != "uni-id-check-token-failed" {
		t.Fatalf("old token after grace: %s", r.Raw)
	}
	if r := e.Call(t, stolen, "account", "refreshToken", nil); r.Code() != "uni-id-check-token-failed" {
		t.Fatalf("replayed refresh: %s", r.Raw)
	}
	if r := info(t, e, c); r.Code() != "uni-id-check-token-failed" {
		t.Fatalf("session after a replay: %s, want revoked", r.Raw)
	}
}

func TestTokenLifetime(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "a good password")
	first := c.Token
	// Within tokenExpiresThreshold (1200 s of 7200 s) a call gets newToken.
	e.Clock.Advance(6100 * time.Second)
	r := info(t, e, c)
	if r.Code() != "0" || r.Token() == "" || c.Token == first {
		t.Fatalf("near expiry: %s, want a newToken", r.Raw)
	}
	if exp, _ := r.Body["newToken"].(map[string]any)["tokenExpired"].(float64); int64(exp) != e.Clock.Now().Add(2*time.Hour).UnixMilli() {
		t.Errorf("tokenExpired = %v, want now+7200 s in ms", exp)
	}
	if r := info(t, e, c); r.Token() != "" {
		t.Errorf("a fresh token got another newToken: %s", r.Raw)
	}
	e.Clock.Advance(2*time.Hour + time.Second)
	if r := info(t, e, c); r.Code() != "uni-id-token-expired" || r.Status != 401 {
		t.Fatalf("after expiry: %d %s", r.Status, r.Raw)
	}
	if r := e.Call(t, c, "account", "refreshToken", nil); r.Code() != "uni-id-token-expired" {
		t.Fatalf("refresh after expiry: %s", r.Raw)
	}
}

func TestMaxSessions(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) { cfg["maxTokenLength"] = 3 })
	c := testenv.NewClient("d0")
	e.Register(t, c, "alice_1", "a good password")
	devices := []*testenv.Client{c}
	for i := 1; i <= 3; i++ {
		e.Clock.Advance(time.Second)
		d := testenv.NewClient("d" + string(rune('0'+i)))
		if r := login(t, e, d, map[string]any{"username": "alice_1", "password": "a good password"}); r.Code() != "0" {
			t.Fatal(r.Raw)
		}
		devices = append(devices, d)
	}
	if r := info(t, e, devices[0]); r.Code() != "uni-id-check-token-failed" {
		t.Errorf("oldest session: %s, want dropped", r.Raw)
	}
	for _, d := range devices[1:] {
		if r := info(t, e, d); r.Code() != "0" {
			t.Errorf("session %s: %s", d.DeviceID, r.Raw)
		}
	}
}

func TestStatusActsAtOnce(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	uid := e.Register(t, c, "alice_1", "a good password").Body["uid"].(string)
	ctx := context.Background()
	u, err := e.Svc.Users.Get(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	u.Status = account.StatusBanned
	if err := e.Svc.Users.Save(ctx, u, nil, nil); err != nil {
		t.Fatal(err)
	}
	if r := info(t, e, c); r.Code() != "uni-id-account-banned" || r.Status != 403 {
		t.Fatalf("banned: %d %s", r.Status, r.Raw)
	}
}

func TestBadTokens(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["dcloudAppid"] = "__UNI__TEST"
		cfg["isDefaultConfig"] = true
	})
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "a good password")
	forged := copyClient(c)
	forged.Token = c.Token[:len(c.Token)-2] + "xx"
	if r := info(t, e, forged); r.Code() != "uni-id-check-token-failed" {
		t.Errorf("tampered token: %s", r.Raw)
	}
	none := copyClient(c)
	none.Token = ""
	if r := info(t, e, none); r.Code() != "uni-id-check-token-failed" || r.Status != 401 {
		t.Errorf("no token: %d %s", r.Status, r.Raw)
	}
}

// TestOldTokenAfterUpdatePwd: the token updatePwd replaced, used in the
// same second, is refused without ending the session it was replaced in;
// the new token keeps working. (It used to count as a replay of a rotated
// token and revoke the session.)
func TestOldTokenAfterUpdatePwd(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "a good password")
	e.Clock.Advance(300 * time.Millisecond)
	old := copyClient(c)
	if r := e.Call(t, c, "reset", "updatePwd", map[string]any{"oldPassword": "a good password", "newPassword": "another good password"}); r.Code() != "0" || r.Token() == "" {
		t.Fatalf("updatePwd: %s", r.Raw)
	}
	for _, call := range []func() testenv.Resp{
		func() testenv.Resp { return info(t, e, copyClient(old)) },
		func() testenv.Resp { return e.Call(t, copyClient(old), "account", "refreshToken", nil) },
	} {
		if r := call(); r.Code() != "uni-id-check-token-failed" {
			t.Errorf("token from before updatePwd: %s, want uni-id-check-token-failed", r.Raw)
		}
	}
	if r := info(t, e, c); r.Code() != "0" {
		t.Fatalf("token from updatePwd after the old one came back: %s", r.Raw)
	}
	e.Clock.Advance(time.Second)
	if r := info(t, e, c); r.Code() != "0" {
		t.Fatalf("token from updatePwd a second later: %s", r.Raw)
	}
}

// TestLoginInTheSecondOfARevocation: a login in the same second as an
// administrator ended every session gets a token that works (the floor
// used to be in milliseconds, above the login's whole-second iat).
func TestLoginInTheSecondOfARevocation(t *testing.T) {
	e, admin, user := adminEnv(t, nil)
	uid := loginAs(t, e, user, "alice_1", "a good password").Body["uid"].(string)
	e.Clock.Advance(500 * time.Millisecond)
	old := copyClient(user)
	if r := e.Call(t, admin, "admin", "endUserSessions", map[string]any{"uid": uid}); r.Code() != "0" {
		t.Fatalf("endUserSessions: %s", r.Raw)
	}
	if r := info(t, e, old); r.Code() != "uni-id-check-token-failed" {
		t.Errorf("token from before endUserSessions: %s", r.Raw)
	}
	if r := loginAs(t, e, user, "alice_1", "a good password"); r.Code() != "0" {
		t.Fatalf("login: %s", r.Raw)
	}
	if r := info(t, e, user); r.Code() != "0" {
		t.Errorf("token from a login in the same second: %s", r.Raw)
	}
}
