package account_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/testenv"
)

// Regression tests for races and gaps a review found: a save retried after
// a concurrent change must not re-apply what the first read decided.

// hookUsers runs hook once, just before the next Save goes to the store.
type hookUsers struct {
	account.Users
	hook atomic.Pointer[func()]
}

func (h *hookUsers) Save(ctx context.Context, u *account.User, add, drop []string) error {
	if f := h.hook.Swap(nil); f != nil {
		(*f)()
	}
	return h.Users.Save(ctx, u, add, drop)
}

// login verifies the password on one read of the account and opens
// the session in update(), which on a version conflict reloads the record
// and re-applies the session write without checking that the password is
// still the one verified. A login with the old password that races the
// owner's updatePwd (or a reset) gets a live session after the change.
func TestLoginRacingPasswordChange(t *testing.T) {
	e := testenv.New(t, nil)
	owner := testenv.NewClient("d1")
	e.Register(t, owner, "alice_1", "the old password")
	h := &hookUsers{Users: e.Svc.Users}
	e.Svc.Users = h
	f := func() {
		r := e.Call(t, owner, "reset", "updatePwd", map[string]any{"oldPassword": "the old password", "newPassword": "the new password"})
		if r.Code() != "0" {
			t.Errorf("updatePwd: %s", r.Raw)
		}
	}
	h.hook.Store(&f) // fires inside the attacker's login, after its password check
	attacker := testenv.NewClient("evil")
	r := login(t, e, attacker, map[string]any{"username": "alice_1", "password": "the old password"})
	t.Logf("attacker login with the old password: %s", r.Code())
	if r.Code() == "0" {
		if ri := info(t, e, attacker); ri.Code() == "0" {
			t.Errorf("attacker holds a live session after the owner changed the password")
		}
	}
}

// with a legacy hash, the racing login also writes the argon2id
// rehash of the OLD password over the new one: the reset is undone.
func TestLegacyRehashRacingReset(t *testing.T) {
	e := testenv.New(t, nil)
	plant(t, e, &account.User{UID: "0000000000000000000000a1", Username: "legacy_u",
		Password: "03caebb36670995fc261a275d212cad65e4bbebd", PasswordSecretVersion: 1}, "username:legacy_u") // "123456"
	inner := e.Svc.Users
	h := &hookUsers{Users: inner}
	e.Svc.Users = h
	f := func() { // the owner's reset lands while the attacker's login is in flight
		u, _ := inner.Get(context.Background(), "0000000000000000000000a1")
		u.Password, u.PasswordSecretVersion, u.Sessions = "03caebb36670995fc261a275d212cad65e4bbebe", 1, nil
		if err := inner.Save(context.Background(), u, nil, nil); err != nil {
			t.Error(err)
		}
	}
	h.hook.Store(&f)
	if r := login(t, e, testenv.NewClient("evil"), map[string]any{"username": "legacy_u", "password": "123456"}); r.Code() != "uni-id-password-error" {
		t.Fatalf("a login with the password the reset replaced: %s", r.Raw)
	}
	u, _ := inner.Get(context.Background(), "0000000000000000000000a1")
	t.Logf("stored password after the race: %.30s", u.Password)
	if u.Password != "03caebb36670995fc261a275d212cad65e4bbebe" {
		t.Errorf("the reset's hash was overwritten by the old password's rehash")
	}
}

// the same pattern re-attaches an identity the owner just unbound: a
// WeChat login found the account by openid, the owner unbinds WeChat before
// the login's save lands, and the reload re-attaches the identity.
func TestThirdLoginRacingUnbind(t *testing.T) {
	e, ids := thirdEnv(t, nil)
	owner := testenv.NewClient("d1")
	owner.Platform = "mp-weixin"
	ids.add("c1", account.Identity{OpenID: "o-1"})
	if r := wx(t, e, owner, "loginByWeixin", "c1"); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	// give the owner a second login method so unbinding is allowed
	code := e.SendSMS(t, owner, "13800138000", "bind-mobile-by-sms")
	if r := e.Call(t, owner, "bind", "bindMobileBySms", map[string]any{"mobile": "13800138000", "code": code}); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	h := &hookUsers{Users: e.Svc.Users}
	e.Svc.Users = h
	f := func() {
		if r := e.Call(t, owner, "bind", "unbindWeixin", nil); r.Code() != "0" {
			t.Errorf("unbind: %s", r.Raw)
		}
	}
	h.hook.Store(&f)
	thief := testenv.NewClient("evil")
	thief.Platform = "mp-weixin"
	ids.add("c2", account.Identity{OpenID: "o-1"})
	r := wx(t, e, thief, "loginByWeixin", "c2")
	t.Logf("racing WeChat login: %s", r.Code())
	if r.Code() == "0" {
		ri := e.Call(t, owner, "account", "getAccountInfo", nil)
		t.Logf("owner's account after unbinding: isWeixinBound=%v", ri.Body["isWeixinBound"])
		if ri.Body["isWeixinBound"] == true {
			t.Errorf("the unbound WeChat identity was re-attached by a racing login")
		}
	}
}

// a thief who uses a copied token near expiry gets it rotated by the
// automatic newToken; the owner's now-stale token on an ordinary call is
// only refused, not treated as a replay, so the thief keeps the session.
// uni-id clients never call refreshToken themselves, so the replay check
// in refreshToken never fires for them.
func TestStaleTokenOnOrdinaryCallRevokes(t *testing.T) {
	e := testenv.New(t, nil)
	owner := testenv.NewClient("d1")
	e.Register(t, owner, "alice_1", "a good password")
	thief := copyClient(owner)
	e.Clock.Advance(2*time.Hour - 10*time.Minute) // within tokenExpiresThreshold (1200 s)
	if r := info(t, e, thief); r.Code() != "0" || r.Token() == "" {
		t.Fatalf("thief call: %s", r.Raw)
	}
	e.Clock.Advance(11 * time.Second)
	if r := info(t, e, owner); r.Code() != "uni-id-check-token-failed" {
		t.Fatalf("owner stale: %s", r.Raw)
	}
	e.Clock.Advance(9 * time.Minute)
	if r := info(t, e, thief); r.Code() == "0" {
		t.Errorf("the thief's session survived the owner's replayed token: %s", r.Raw[:60])
	}
}

// a bind ticket is bound only to the appId, not to the device (or
// anything else) that proved the identity: whoever redeems it binds the
// ticket's identity to their account. An attacker who gets a victim to
// log in with the attacker's ticket (a link that pre-fills bindTicket, the
// web redirect flow) then logs in to the victim's account with WeChat.
func TestBindTicketBoundToDevice(t *testing.T) {
	e, ids := thirdEnv(t, func(cfg map[string]any) { cfg["idco"].(map[string]any)["thirdPartyRegistration"] = "bind-first" })
	victim := testenv.NewClient("victim-phone")
	reg := e.Register(t, victim, "victim_1", "a good password")
	evil := testenv.NewClient("evil-laptop")
	evil.Platform = "mp-weixin"
	ids.add("c-evil", account.Identity{OpenID: "o-evil"})
	r := wx(t, e, evil, "loginByWeixin", "c-evil")
	ticket, _ := r.Body["bindTicket"].(string)
	if ticket == "" {
		t.Fatalf("no ticket: %s", r.Raw)
	}
	// The victim, on their own device, logs in with the attacker's ticket:
	// refused, since the ticket belongs to the attacker's device.
	if r := login(t, e, testenv.NewClient("victim-phone-2"), map[string]any{"username": "victim_1", "password": "a good password", "bindTicket": ticket}); r.Code() != "uni-id-bind-ticket-invalid" {
		t.Fatalf("a ticket redeemed on another device: %s", r.Raw)
	}
	ids.add("c-evil-2", account.Identity{OpenID: "o-evil"})
	r = wx(t, e, evil, "loginByWeixin", "c-evil-2")
	if r.Code() == "0" && r.Body["uid"] == reg.Body["uid"] {
		t.Errorf("the attacker's WeChat now logs in to the victim's account")
	}
}

// uni-id-pages' register.vue sends its whole formData, password2
// included (register-admin.vue also sends captcha); strict decoding refuses
// the unknown key, so stock uni-id-pages cannot register.
func TestUniIdPagesPayloads(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	r := e.Call(t, c, "register", "registerUser", map[string]any{
		"username": "alice_1", "nickname": "", "password": "a good password", "password2": "a good password",
		"captcha": e.Captcha(t, c, "register")})
	if r.Code() != "0" {
		t.Errorf("uni-id-pages registerUser payload: %s", r.Raw)
	}
	// uni-id-pages' register-admin page sends the same, and an empty
	// captcha; the operator adds the setup secret and a real captcha.
	r = e.Call(t, c, "register", "registerAdmin", map[string]any{
		"username": "admin_1", "nickname": "", "password": "a good password", "password2": "a good password",
		"captcha": e.Captcha(t, c, "register"), "setupSecret": testenv.SetupSecret})
	if r.Code() != "0" {
		t.Errorf("uni-id-pages registerAdmin payload: %s", r.Raw)
	}
}

// two concurrent first logins of one new WeChat identity (a mini
// program calling loginByWeixin from onLaunch and a page) : one registers,
// the other is answered uni-id-bind-conflict instead of logging in.
func TestConcurrentFirstThirdPartyLogin(t *testing.T) {
	e, ids := thirdEnv(t, nil)
	var wg sync.WaitGroup
	res := make([]testenv.Resp, 2)
	for i := range 2 {
		code := []string{"ca", "cb"}[i]
		ids.add(code, account.Identity{OpenID: "o-new", UnionID: "u-new"})
		wg.Go(func() {
			c := testenv.NewClient("phone")
			c.Platform = "mp-weixin"
			res[i] = wx(t, e, c, "loginByWeixin", code)
		})
	}
	wg.Wait()
	for _, r := range res {
		t.Logf("%s", r.Raw[:min(len(r.Raw), 120)])
		if r.Code() != "0" {
			t.Errorf("a concurrent first login of the same identity failed: %s", r.Code())
		}
	}
}

// the log line's cause carries TakenError's key, an unmasked email or
// phone number.
func TestTakenKeyNotLogged(t *testing.T) {
	e := testenv.New(t, noCaptchaGate)
	a := testenv.NewClient("d1")
	code := e.SendSMS(t, a, "13800138000", "login-by-sms")
	if r := loginBySms(t, e, a, code); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	b := testenv.NewClient("d2")
	e.Register(t, b, "bob_1", "a good password")
	e.Clock.Advance(61e9)
	code = e.SendSMS(t, b, "13800138000", "bind-mobile-by-sms")
	r := e.Call(t, b, "bind", "bindMobileBySms", map[string]any{"mobile": "13800138000", "code": code})
	if r.Code() != "uni-id-bind-conflict" {
		t.Fatal(r.Raw)
	}
	if strings.Contains(e.Log.String(), "13800138000") {
		for _, l := range strings.Split(e.Log.String(), "\n") {
			if strings.Contains(l, "13800138000") {
				t.Errorf("unmasked phone in log: %s", l)
			}
		}
	}
}

// updatePwd verifies oldPassword with no failure counter: a stolen
// access token gives an unlimited password-guessing oracle.
func TestUpdatePwdGuessesLimited(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "the right password")
	for i := range 6 {
		r := e.Call(t, c, "reset", "updatePwd", map[string]any{"oldPassword": "guess number " + string(rune('a'+i)), "newPassword": "attacker password 1"})
		if r.Code() != "uni-id-password-error" {
			t.Fatalf("try %d: %s", i, r.Raw)
		}
	}
	r := e.Call(t, c, "reset", "updatePwd", map[string]any{"oldPassword": "the right password", "newPassword": "attacker password 1"})
	if r.Code() != "uni-id-password-error-exceed-limit" {
		t.Errorf("the 7th try, with the right password, after 6 wrong ones: %s", r.Raw)
	}
}

// loginByEmailCode asks for a captcha of scene login-by-email after 3
// failures; createCaptcha must offer that scene, or the owner is stuck.
func TestEmailCodeLoginCaptcha(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	code := e.SendEmail(t, c, "bob@example.com", "login-by-email")
	for range 3 {
		r := e.Call(t, c, "login", "loginByEmailCode", map[string]any{"email": "bob@example.com", "code": "000000"})
		if r.Code() != "uni-id-email-verify-code-error" {
			t.Fatalf("wrong code: %s", r.Raw)
		}
	}
	r := e.Call(t, c, "login", "loginByEmailCode", map[string]any{"email": "bob@example.com", "code": code})
	t.Logf("right code after 3 failures: %s", r.Raw)
	cr := e.Call(t, c, "captcha", "createCaptcha", map[string]any{"scene": "login-by-email"})
	t.Logf("createCaptcha login-by-email: %s", cr.Raw)
	if r.Code() != "uni-id-captcha-required" || cr.Code() != "0" {
		t.Fatalf("right code after 3 failures: %s; createCaptcha: %s", r.Code(), cr.Code())
	}
	answer, _ := e.Outbox.Last("captcha", "d1")
	r = e.Call(t, c, "login", "loginByEmailCode", map[string]any{"email": "bob@example.com", "code": code, "captcha": answer.Code})
	if r.Code() != "0" {
		t.Fatalf("with the captcha: %s", r.Raw)
	}
}

// resetPwd stores valid_token_date in ms, tokens carry iat in seconds:
// a login within the same second as the reset gets a dead token.
func TestResetThenLoginSameSecond(t *testing.T) {
	e := testenv.New(t, noCaptchaGate)
	c := testenv.NewClient("d1")
	code := e.SendSMS(t, c, "13800138000", "login-by-sms")
	if r := loginBySms(t, e, c, code); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	e.Clock.Advance(61*time.Second + 500*time.Millisecond)
	code = e.SendSMS(t, c, "13800138000", "reset-pwd-by-sms")
	r := e.Call(t, c, "reset", "resetPwdBySms", map[string]any{"mobile": "13800138000", "code": code, "password": "a new password 1"})
	if r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	d := testenv.NewClient("d2")
	if r := login(t, e, d, map[string]any{"mobile": "13800138000", "password": "a new password 1"}); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	if r := info(t, e, d); r.Code() != "0" {
		t.Errorf("fresh login token refused right after a reset: %s", r.Raw)
	}
}
