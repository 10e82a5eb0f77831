package account_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/password"
	"github.com/idco-dev/idco/shared/testenv"
)

// from returns a web client connecting from a loopback address.
func from(addr, device string) *testenv.Client {
	return &testenv.Client{AppID: "__UNI__TEST", Platform: "web", DeviceID: device, From: addr}
}

// TestPasswordSpraying: one address trying one password on many accounts
// is asked for a captcha after 5 failures and refused after 30 in the
// hour, while the accounts' owners elsewhere log in as usual, and each
// failure counts towards the deployment-wide signal.
func TestPasswordSpraying(t *testing.T) {
	e := testenv.New(t, nil)
	owner := testenv.NewClient("d1")
	for i := range 40 {
		plant(t, e, &account.User{UID: fmt.Sprintf("u%02d", i), Username: fmt.Sprintf("user_%02d", i)}, fmt.Sprintf("username:user_%02d", i))
	}
	e.Register(t, owner, "target_1", "the right password")
	x := from("127.0.0.9", "sprayer")
	guess := func(i int, captcha bool) testenv.Resp {
		p := map[string]any{"username": fmt.Sprintf("user_%02d", i), "password": "Summer2026!"}
		if captcha {
			p["captcha"] = e.Captcha(t, x, "login-by-pwd")
		}
		return login(t, e, x, p)
	}
	for i := range 5 {
		if r := guess(i, false); r.Code() != "uni-id-password-error" {
			t.Fatalf("guess %d: %s", i+1, r.Raw)
		}
	}
	if r := guess(5, false); r.Code() != "uni-id-captcha-required" {
		t.Fatalf("6th account from one address: %s, want a captcha asked for", r.Raw)
	}
	for i := 6; i <= 30; i++ {
		if r := guess(i, true); r.Code() != "uni-id-password-error" {
			t.Fatalf("guess %d with a captcha: %s", i+1, r.Raw)
		}
	}
	// 30 failures (the captcha-less try never compared).
	if r := guess(31, true); r.Code() != "uni-id-rate-limited" || r.Status != 429 || r.Body["retryAfter"] == nil {
		t.Fatalf("the guess after 30 failures in the hour: %d %s", r.Status, r.Raw)
	}
	if r := login(t, e, owner, map[string]any{"username": "target_1", "password": "the right password"}); r.Code() != "0" {
		t.Fatalf("the owner elsewhere: %s", r.Raw)
	}
	if n := strings.Count(e.Log.String(), `"PasswordFailures":1`); n != 30 {
		t.Errorf("%d log lines count a password failure, want 30 (the ones that compared)", n)
	}
	if !strings.Contains(e.Log.String(), `"CloudWatchMetrics":[{"Dimensions":[[]],"Metrics":[{"Name":"PasswordFailures","Unit":"Count"}],"Namespace":"idco"}]`) {
		t.Errorf("no embedded-metric declaration in the log")
	}
	// An hour later the address starts afresh.
	e.Clock.Advance(2 * time.Hour)
	if r := guess(33, false); r.Code() != "uni-id-password-error" {
		t.Fatalf("two hours later: %s", r.Raw)
	}
}

// TestSprayingTiers: IPv6 clients are counted by /64, and a /48 has its
// own ceiling, so hopping /64s does not multiply the limit; right
// passwords do not count.
func TestSprayingTiers(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["limits"] = map[string]any{"passwordSourceCaptchaAfter": 100, "passwordSourcePerHour": 2, "passwordNetworkPerHour": 5}
	})
	e.Register(t, testenv.NewClient("d0"), "alice_1", "the right password")
	call := func(ip, pw string) string {
		c := &cloudobj.Call{Method: "login", SourceIP: ip, Client: cloudobj.ClientInfo{AppID: "__UNI__TEST", Platform: "web", DeviceID: "d"}}
		_, err := e.Svc.Login(context.Background(), c, &account.LoginParams{Username: "alice_1", Password: pw})
		if err != nil {
			return err.(interface{ Error() string }).Error()
		}
		return "ok"
	}
	for i := range 10 {
		if got := call("2001:db8:0:1::1", "the right password"); got != "ok" {
			t.Fatalf("right password %d: %s", i, got)
		}
	}
	wrong := func(ip string) string { return call(ip, "wrong password") }
	if a, b, c := wrong("2001:db8:0:1::1"), wrong("2001:db8:0:1:ffff::2"), wrong("2001:db8:0:1::3"); !strings.Contains(c, "rate-limited") || strings.Contains(a+b, "rate-limited") {
		t.Fatalf("three wrong from one /64: %s / %s / %s", a, b, c)
	}
	for i := 2; i <= 4; i++ {
		wrong(fmt.Sprintf("2001:db8:0:%x::1", i))
	}
	// 2 + 3 failures from the /48: a fresh /64 in it is refused, one
	// outside it is not.
	if got := wrong("2001:db8:0:99::1"); !strings.Contains(got, "rate-limited") {
		t.Errorf("a new /64 in a spent /48: %s", got)
	}
	if got := wrong("2001:db8:1:1::1"); strings.Contains(got, "rate-limited") {
		t.Errorf("another /48: %s", got)
	}
}

// TestHashingAtCapacity: with every hashing slot taken, a login waits the
// gate's wait and answers retry-later with Retry-After, spending none of
// the limits, while a method that hashes nothing answers at once.
func TestHashingAtCapacity(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "the right password")
	gate := password.NewGate(1, 20*time.Millisecond)
	e.Svc.HashGate = gate
	leave, err := gate.Enter()
	if err != nil {
		t.Fatal(err)
	}
	for range 8 {
		r := login(t, e, c, map[string]any{"username": "alice_1", "password": "the right password"})
		if r.Code() != "uni-id-retry-later" || r.Status != 503 || r.Header.Get("Retry-After") != "1" || r.Body["retryAfter"] != 1.0 {
			t.Fatalf("login with hashing full: %d %v %s", r.Status, r.Header, r.Raw)
		}
	}
	if r := e.Call(t, c, "login-types", "getSupportedLoginType", nil); r.Code() != "0" {
		t.Fatalf("a method that hashes nothing: %s", r.Raw)
	}
	leave()
	// Eight refused tries spent nothing: no captcha, no lock.
	if r := login(t, e, c, map[string]any{"username": "alice_1", "password": "the right password"}); r.Code() != "0" {
		t.Fatalf("after the slot freed: %s", r.Raw)
	}
}

// TestStrangersCannotSpendOwnersSends: the per-destination caps count per
// address, so a stranger's sends leave the owner's; past
// destinationPerDay only the owner gets codes: with a token of the
// account holding the number, or from an address that proved it before.
func TestStrangersCannotSpendOwnersSends(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["limits"] = map[string]any{"destinationPerDay": 6}
	})
	owner := testenv.NewClient("d1")
	if r := loginBySms(t, e, owner, e.SendSMS(t, owner, phone, "login-by-sms")); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	x := from("127.0.0.2", "x")
	for i := 1; i <= 5; i++ {
		e.Clock.Advance(time.Minute)
		if r := sendSMS(t, e, x, phone, "login-by-sms"); r.Code() != "0" {
			t.Fatalf("stranger's send %d: %s", i, r.Raw)
		}
	}
	e.Clock.Advance(time.Minute)
	if r := sendSMS(t, e, x, phone, "login-by-sms"); r.Code() != "uni-id-rate-limited" {
		t.Fatalf("stranger's 6th send in the hour: %s", r.Raw)
	}
	// Six sends today: the destination's cap. A third address is refused,
	// the owner's address and the owner's token are not.
	third := from("127.0.0.3", "y")
	if r := sendSMS(t, e, third, phone, "login-by-sms"); r.Code() != "uni-id-rate-limited" {
		t.Fatalf("a third address past destinationPerDay: %s", r.Raw)
	}
	if r := sendSMS(t, e, owner, phone, "login-by-sms"); r.Code() != "0" {
		t.Fatalf("the owner's proved address past destinationPerDay: %s", r.Raw)
	}
	travelling := from("127.0.0.4", "d1")
	travelling.Token = owner.Token
	e.Clock.Advance(time.Minute)
	if r := sendSMS(t, e, travelling, phone, "login-by-sms"); r.Code() != "0" {
		t.Fatalf("the owner's token from a new address: %s", r.Raw)
	}
	travelling.Token = ""
	e.Clock.Advance(time.Minute)
	if r := sendSMS(t, e, travelling, phone, "login-by-sms"); r.Code() != "uni-id-rate-limited" {
		t.Fatalf("the new address without the token: %s", r.Raw)
	}
}

// TestBudgetGuards: numbers in one range share perPrefixPerDay, one
// address shares perIpPerDay, and every send reports the day's budget use
// for the alarm that fires before the budget stops sending.
func TestBudgetGuards(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["idco"].(map[string]any)["limits"] = map[string]any{"perPrefixPerDay": 3, "perIpPerDay": 5, "perIpPerHour": 100, "smsDailyBudget": 10}
	})
	c := testenv.NewClient("d1")
	for i := range 3 {
		if r := sendSMS(t, e, c, fmt.Sprintf("1380013800%d", i), "login-by-sms"); r.Code() != "0" {
			t.Fatalf("send %d in the range: %s", i, r.Raw)
		}
	}
	if !strings.Contains(e.Log.String(), `"SMSBudgetUsedPercent":30`) {
		t.Errorf("no budget use of 30%% after 3 of 10 sends in the log")
	}
	if r := sendSMS(t, e, c, "13800138009", "login-by-sms"); r.Code() != "uni-id-rate-limited" {
		t.Fatalf("4th number of a range: %s", r.Raw)
	}
	for i := range 2 {
		if r := sendSMS(t, e, c, fmt.Sprintf("1390013900%d", i), "login-by-sms"); r.Code() != "0" {
			t.Fatalf("another range %d: %s", i, r.Raw)
		}
	}
	if r := sendSMS(t, e, c, "13700137000", "login-by-sms"); r.Code() != "uni-id-rate-limited" {
		t.Fatalf("6th send from one address in a day: %s", r.Raw)
	}
	if r := sendSMS(t, e, from("127.0.0.2", "d2"), "13700137000", "login-by-sms"); r.Code() != "0" {
		t.Fatalf("another address: %s", r.Raw)
	}
}

// TestAppIDsTheClientCannotChoose: with several apps configured an
// unknown appId, "*" included, is refused and writes nothing; a token
// works only in its account's apps; with one config every appId is
// recorded as the configured one, so "*" is never stored and invented
// appIds cannot multiply a WeChat identity without a unionid.
func TestAppIDsTheClientCannotChoose(t *testing.T) {
	e := testenv.New(t, nil)
	for _, id := range []string{"*", "__UNI__INVENTED"} {
		c := testenv.NewClient("d-" + id)
		c.AppID = id
		before := e.ItemCount(t)
		r := e.Call(t, c, "captcha", "createCaptcha", map[string]any{"scene": "register"})
		if r.Code() != "uni-id-app-not-configured" || r.Status != 403 {
			t.Fatalf("appId %q: %d %s", id, r.Status, r.Raw)
		}
		if after := e.ItemCount(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("appId %q wrote: %v -> %v", id, before, after)
		}
	}
	a := testenv.NewClient("d1")
	e.Register(t, a, "alice_1", "the right password")
	b := testenv.NewClient("d1")
	b.AppID, b.Token = "__UNI__OTHER", a.Token
	if r := e.Call(t, b, "account", "getAccountInfo", nil); r.Code() != "uni-id-account-not-exists-in-current-app" {
		t.Fatalf("a token of __UNI__TEST used as __UNI__OTHER: %s", r.Raw)
	}

	one, ids := thirdEnv(t, func(cfg map[string]any) { cfg["dcloudAppid"] = "__UNI__ONE" })
	star := testenv.NewClient("s")
	star.AppID = "*"
	r := one.Register(t, star, "bob_1", "the right password")
	users := one.Scan(t, one.Names.Users)
	if len(users) != 1 || fmt.Sprint(users[0]["dcloud_appid"]) != "[__UNI__ONE]" {
		t.Fatalf("registered with appId *: %s, stored %v", r.Raw, users[0]["dcloud_appid"])
	}
	uids := map[any]bool{}
	for i, id := range []string{"__UNI__A1", "__UNI__A2", "__UNI__A3"} {
		c := testenv.NewClient(fmt.Sprint("w", i))
		c.Platform, c.AppID = "mp-weixin", id
		code := fmt.Sprint("code-", i)
		ids.add(code, account.Identity{OpenID: "o-same"})
		r := wx(t, one, c, "loginByWeixin", code)
		if r.Code() != "0" {
			t.Fatal(r.Raw)
		}
		uids[r.Body["uid"]] = true
	}
	if len(uids) != 1 {
		t.Errorf("one openid under three invented appIds made %d accounts", len(uids))
	}
}

// TestRecentLoginRequired: binding, unbinding and closing the account
// need a real login in the last idco.recentLoginSeconds (600); a token
// kept alive by refreshes is not one, and logging in again is.
func TestRecentLoginRequired(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "the right password")
	e.Clock.Advance(11 * time.Minute)
	bindEmail := func() testenv.Resp {
		return e.Call(t, c, "bind", "bindEmailByCode", map[string]any{"email": "alice@example.com", "code": e.SendEmail(t, c, "alice@example.com", "bind-email")})
	}
	for name, call := range map[string]func() testenv.Resp{
		"bindEmailByCode": bindEmail,
		"unbindWeixin":    func() testenv.Resp { return e.Call(t, c, "bind", "unbindWeixin", nil) },
		"closeAccount":    func() testenv.Resp { return e.Call(t, c, "account", "closeAccount", nil) },
	} {
		if r := call(); r.Code() != "uni-id-recent-login-required" || r.Status != 401 {
			t.Errorf("%s 11 minutes after the login: %d %s", name, r.Status, r.Raw)
		}
	}
	// A refresh (newToken near expiry) is no login.
	e.Clock.Advance(95 * time.Minute)
	if r := info(t, e, c); r.Code() != "0" || r.Token() == "" {
		t.Fatalf("getAccountInfo near expiry: %s", r.Raw)
	}
	if r := bindEmail(); r.Code() != "uni-id-recent-login-required" {
		t.Errorf("bindEmailByCode after a refresh: %s", r.Raw)
	}
	if r := login(t, e, c, map[string]any{"username": "alice_1", "password": "the right password"}); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	e.Clock.Advance(time.Minute) // the send cooldown
	if r := bindEmail(); r.Code() != "0" {
		t.Errorf("bindEmailByCode right after a login: %s", r.Raw)
	}
	if users := e.Scan(t, e.Names.Users); fmt.Sprint(users[0]["email"]) != "alice@example.com" {
		t.Errorf("stored email = %v", users[0]["email"])
	}
}

// TestOldChannelHearsOfChanges: replacing the mobile tells the old
// number, replacing the email tells the old address, and a new password
// tells both; a newly bound number cannot reset the password for a day.
func TestOldChannelHearsOfChanges(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("d1")
	if r := loginBySms(t, e, c, e.SendSMS(t, c, phone, "login-by-sms")); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	if r := e.Call(t, c, "bind", "bindEmailByCode", map[string]any{"email": "old@example.com", "code": e.SendEmail(t, c, "old@example.com", "bind-email")}); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	if r := e.Call(t, c, "reset", "setPwd", map[string]any{"password": "the first password", "code": e.SendSMS(t, c, phone, "set-pwd-by-sms")}); r.Code() != "0" {
		t.Fatalf("setPwd: %s", r.Raw)
	}
	notice := func(to, scene string) {
		t.Helper()
		if m, ok := e.Sent.LastEmail(to); strings.Contains(to, "@") && (!ok || m.Scene != scene || m.Code != "") {
			t.Errorf("email to %s: %+v, want the %s notice", to, m, scene)
		}
		if m, ok := e.Sent.LastSMS(to); !strings.Contains(to, "@") && (!ok || m.Scene != account.SMSNoticeScene || m.Change != scene || m.Code != "") {
			t.Errorf("SMS to %s: %+v, want the %s notice", to, m, scene)
		}
	}
	notice("+86"+phone, account.NoticePassword)
	notice("old@example.com", account.NoticePassword)
	const newPhone = "13900139000"
	e.Clock.Advance(time.Minute)
	if r := e.Call(t, c, "bind", "bindMobileBySms", map[string]any{"mobile": newPhone, "code": e.SendSMS(t, c, newPhone, "bind-mobile-by-sms")}); r.Code() != "0" {
		t.Fatalf("bindMobileBySms: %s", r.Raw)
	}
	notice("+86"+phone, account.NoticeMobile)
	if r := e.Call(t, c, "bind", "bindEmailByCode", map[string]any{"email": "new@example.com", "code": e.SendEmail(t, c, "new@example.com", "bind-email")}); r.Code() != "0" {
		t.Fatalf("bindEmailByCode: %s", r.Raw)
	}
	notice("old@example.com", account.NoticeEmail)
	other := from("127.0.0.2", "d2")
	reset := func() testenv.Resp {
		return e.Call(t, other, "reset", "resetPwdBySms", map[string]any{"mobile": newPhone, "password": "a thief's password", "code": e.SendSMS(t, other, newPhone, "reset-pwd-by-sms")})
	}
	if r := reset(); r.Code() != "uni-id-channel-too-new" || !strings.Contains(r.Body["errMsg"].(string), "24") {
		t.Fatalf("resetPwdBySms through a number bound a minute ago: %s", r.Raw)
	}
	e.Clock.Advance(24 * time.Hour)
	if r := reset(); r.Code() != "0" {
		t.Fatalf("resetPwdBySms a day later: %s", r.Raw)
	}
	notice("new@example.com", account.NoticePassword)
	// The reset is in the account's own audit log.
	uid := e.Scan(t, e.Names.Users)[0]["uid"]
	found := false
	for _, ev := range e.Scan(t, e.Names.Audit) {
		found = found || (ev["uid"] == uid && strings.Contains(fmt.Sprint(ev), "resetPwdBySms"))
	}
	if !found {
		t.Errorf("no resetPwdBySms event under the account %v", uid)
	}
}

// TestEndSession: a user lists their sessions and ends another device's,
// whose token stops at once; an unknown id changes nothing.
func TestEndSession(t *testing.T) {
	e := testenv.New(t, nil)
	phoneC, laptop := testenv.NewClient("phone"), testenv.NewClient("laptop")
	e.Register(t, phoneC, "alice_1", "the right password")
	if r := login(t, e, laptop, map[string]any{"username": "alice_1", "password": "the right password"}); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	r := e.Call(t, phoneC, "account", "listDevices", nil)
	devices, _ := r.Body["devices"].([]any)
	var laptopID string
	for _, d := range devices {
		d := d.(map[string]any)
		if d["device_id"] == "laptop" {
			laptopID, _ = d["id"].(string)
		}
	}
	if len(devices) != 2 || len(laptopID) != 16 {
		t.Fatalf("listDevices: %s", r.Raw)
	}
	if r := e.Call(t, phoneC, "account", "endSession", map[string]any{"id": "0123456789abcdef"}); r.Code() != "uni-id-invalid-param" {
		t.Fatalf("endSession of no session: %s", r.Raw)
	}
	if r := info(t, e, laptop); r.Code() != "0" {
		t.Fatalf("the laptop before: %s", r.Raw)
	}
	if r := e.Call(t, phoneC, "account", "endSession", map[string]any{"id": laptopID}); r.Code() != "0" {
		t.Fatalf("endSession: %s", r.Raw)
	}
	if r := info(t, e, laptop); r.Code() != "uni-id-check-token-failed" {
		t.Errorf("the laptop's token after endSession: %s", r.Raw)
	}
	if r := info(t, e, phoneC); r.Code() != "0" {
		t.Errorf("the phone's own session: %s", r.Raw)
	}
}
