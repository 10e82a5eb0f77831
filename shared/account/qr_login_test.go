package account_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"image/png"
	"maps"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	goqr "github.com/piglig/go-qr"

	"github.com/idco-dev/idco/shared/testenv"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

const (
	qrMpApp  = "wx-qr-mp"
	qrSecret = "wx-qr-secret"
	qrPage   = "pages/qr/confirm"
)

// qrEnv is idco with a registered app, its mini program at the fake
// WeChat, and short long polls.
type qrEnv struct {
	*testenv.Env
	f      *fakeprov.Fake
	client string // the registered app's client_id
	secret string // and its secret
	phones int
	uids   map[*testenv.Client]string
}

// newQR starts a qrEnv; with page, tickets come as mini-program codes of
// it, else as drawn URL QR codes. edit changes idco.qrLogin.
func newQR(t *testing.T, page string, edit func(q map[string]any)) *qrEnv {
	t.Helper()
	f := fakeprov.New(t)
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["mp-weixin"] = map[string]any{"oauth": map[string]any{"weixin": map[string]any{"appid": qrMpApp, "appsecret": qrSecret}}}
		q := map[string]any{"envVersion": "trial"}
		if page != "" {
			q["page"] = page
		}
		if edit != nil {
			edit(q)
		}
		cfg["idco"].(map[string]any)["qrLogin"] = q
	})
	f.Now = e.Clock.Now
	f.WeixinApp(qrMpApp, qrSecret)
	f.WeixinPage(qrMpApp, qrPage)
	e.UseProviders(f.Env())
	e.Svc.QRPollWait, e.Svc.QRPollInterval = time.Second, 10*time.Millisecond
	admin := testenv.NewClient("admin-laptop")
	if r := e.RegisterAdmin(t, admin, "root", "Admin-pass-1"); r.Code() != "0" {
		t.Fatalf("registerAdmin: %s", r.Raw)
	}
	r := e.Call(t, admin, "admin", "addOAuthClient", map[string]any{"name": "Demo Shop", "logo": "https://shop.example.com/logo.png",
		"website": "https://shop.example.com", "redirectUris": []string{"https://shop.example.com/cb"}, "scopes": []string{"openid", "profile", "email"}})
	if r.Code() != "0" {
		t.Fatalf("addOAuthClient: %s", r.Raw)
	}
	secret, _ := r.Body["clientSecret"].(string)
	return &qrEnv{Env: e, f: f, client: r.Body["clientId"].(string), secret: secret}
}

// phone logs a new user in on the mini program with WeChat; uids holds
// each phone's user.
func (q *qrEnv) phone(t *testing.T) *testenv.Client {
	t.Helper()
	q.phones++
	c := &testenv.Client{AppID: "__UNI__TEST", Platform: "mp-weixin", DeviceID: fmt.Sprint("phone-", q.phones), Locale: "en"}
	code := fmt.Sprint("wx-code-", q.phones)
	q.f.WeixinCode(code, fakeprov.WeixinUser{AppID: qrMpApp})
	r := q.Call(t, c, "login", "loginByWeixin", map[string]any{"code": code})
	if r.Code() != "0" {
		t.Fatalf("loginByWeixin: %s", r.Raw)
	}
	if q.uids == nil {
		q.uids = map[*testenv.Client]string{}
	}
	q.uids[c] = r.Body["uid"].(string)
	return c
}

// signedInAs checks that web's token works (getAccountInfo) and names the
// phone's user (checkToken).
func (q *qrEnv) signedInAs(t *testing.T, web, phone *testenv.Client) {
	t.Helper()
	if me := q.Call(t, web, "account", "getAccountInfo", nil); me.Code() != "0" {
		t.Fatalf("getAccountInfo with the page's token: %s", me.Raw)
	}
	r := q.Call(t, web, "account", "checkToken", map[string]any{"token": web.Token})
	if r.Code() != "0" || r.Body["uid"] != q.uids[phone] {
		t.Fatalf("the page's token: %s, want uid %s", r.Raw, q.uids[phone])
	}
}

// qrTicket is createQrLogin's answer.
type qrTicket struct{ ticket, secret, picture string }

// scanned makes a ticket for a web page ("laptop") that a mini-program
// user (the phone) has scanned.
func (q *qrEnv) scanned(t *testing.T) (phone, web *testenv.Client, tk qrTicket) {
	t.Helper()
	phone, web = q.phone(t), testenv.NewClient("laptop")
	tk = q.create(t, web, nil)
	wantState(t, "getQrLoginInfo", q.scan(t, phone, "getQrLoginInfo", tk.ticket), "scanned")
	return phone, web, tk
}

func (q *qrEnv) create(t *testing.T, web *testenv.Client, params map[string]any) qrTicket {
	t.Helper()
	p := map[string]any{"clientId": q.client, "scope": "openid profile"}
	maps.Copy(p, params)
	r := q.Call(t, web, "oauth", "createQrLogin", p)
	if r.Code() != "0" || r.Body["expiresIn"] != 180.0 {
		t.Fatalf("createQrLogin: %s", r.Raw)
	}
	return qrTicket{r.Body["ticket"].(string), r.Body["pollSecret"].(string), r.Body["qrcode"].(string)}
}

func (q *qrEnv) poll(t *testing.T, web *testenv.Client, tk qrTicket) testenv.Resp {
	t.Helper()
	return q.Call(t, web, "oauth", "pollQrLogin", map[string]any{"ticket": tk.ticket, "pollSecret": tk.secret})
}

func (q *qrEnv) scan(t *testing.T, phone *testenv.Client, method, ticket string) testenv.Resp {
	t.Helper()
	return q.Call(t, phone, "oauth", method, map[string]any{"ticket": ticket})
}

// readQR decodes a data:image/png URL's QR code as a phone's camera would.
func readQR(t *testing.T, dataURL string) string {
	t.Helper()
	b64, ok := strings.CutPrefix(dataURL, "data:image/png;base64,")
	if !ok {
		t.Fatalf("qrcode is not a PNG data URL: %.40s", dataURL)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	text, err := goqr.Decode(img)
	if err != nil {
		t.Fatalf("the QR code does not read: %v", err)
	}
	return text
}

func wantState(t *testing.T, what string, r testenv.Resp, state string) {
	t.Helper()
	if r.Code() != "0" || r.Body["state"] != state {
		t.Fatalf("%s: %s, want state %s", what, r.Raw, state)
	}
}

func wantCode(t *testing.T, what string, r testenv.Resp, code string) {
	t.Helper()
	if r.Code() != code {
		t.Fatalf("%s: %s, want %s", what, r.Raw, code)
	}
}

// TestQRLoginFlow: the web page shows the mini-program code; the phone
// reads the ticket from it, sees the app and the scopes (the page's poll
// answers scanned), confirms (the next poll signs the page in with a new
// session of its own device); the page reads the account with that token,
// and the ticket is used up.
func TestQRLoginFlow(t *testing.T) {
	q := newQR(t, qrPage, nil)
	phone := q.phone(t)
	web := testenv.NewClient("laptop")
	tk := q.create(t, web, nil)

	scanned, _ := url.Parse(readQR(t, tk.picture))
	if want := fakeprov.WeixinCodeURL(qrMpApp, qrPage, tk.ticket, "trial"); scanned.String() != want {
		t.Fatalf("the code opens %s, want %s", scanned, want)
	}
	ticket := scanned.Query().Get("scene")

	wantState(t, "poll before the scan", q.poll(t, web, tk), "pending")
	polled := make(chan testenv.Resp)
	go func() { polled <- q.poll(t, web, tk) }()
	time.Sleep(50 * time.Millisecond)
	info := q.scan(t, phone, "getQrLoginInfo", ticket)
	wantState(t, "getQrLoginInfo", info, "scanned")
	if info.Body["name"] != "Demo Shop" || info.Body["logo"] != "https://shop.example.com/logo.png" ||
		info.Body["website"] != "https://shop.example.com" || info.Body["platform"] != "web" || info.Body["ip"] != "127.0.0.1" {
		t.Errorf("getQrLoginInfo: %s", info.Raw)
	}
	if got := fmt.Sprint(info.Body["scopes"]); got != "[map[scope:openid text:Confirm who you are] map[scope:profile text:Read your nickname, username and avatar]]" {
		t.Errorf("scopes = %s", got)
	}
	wantState(t, "the waiting poll", <-polled, "scanned")
	wantState(t, "getQrLoginInfo again by the same user", q.scan(t, phone, "getQrLoginInfo", ticket), "scanned")

	go func() { polled <- q.poll(t, web, tk) }()
	time.Sleep(50 * time.Millisecond)
	confirmed := q.scan(t, phone, "confirmQrLogin", ticket)
	wantState(t, "confirmQrLogin", confirmed, "confirmed")
	if strings.Contains(confirmed.Raw, "newToken") {
		t.Errorf("the mini program got a token: %s", confirmed.Raw)
	}
	signedIn := <-polled
	wantState(t, "the poll after the confirmation", signedIn, "confirmed")
	if signedIn.Token() == "" || web.Token == "" || signedIn.Body["code"] != nil {
		t.Fatalf("the page was not signed in: %s", signedIn.Raw)
	}
	q.signedInAs(t, web, phone)
	if signedIn.Body["uid"] != q.uids[phone] || signedIn.Body["type"] != "login" {
		t.Errorf("the poll's answer: %s", signedIn.Raw)
	}
	u, err := q.Svc.Users.Get(t.Context(), signedIn.Body["uid"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var web1 int
	for _, ss := range u.Sessions {
		if ss.DeviceID == "laptop" && ss.Platform == "web" && ss.AppID == "__UNI__TEST" {
			web1++
		}
	}
	if web1 != 1 || len(u.Sessions) != 2 {
		t.Errorf("sessions = %+v, want the phone's and one of the laptop", u.Sessions)
	}

	wantState(t, "a poll after the sign-in", q.poll(t, web, tk), "expired")
	wantCode(t, "confirmQrLogin after the sign-in", q.scan(t, phone, "confirmQrLogin", ticket), "uni-id-qr-ticket-invalid")
}

// TestQRLoginURLPicture: without a page, the picture is a QR code of
// <issuer>/qr?t=<ticket>, or of idco.qrLogin.url with t added, and the
// ticket read from it works.
func TestQRLoginURLPicture(t *testing.T) {
	q := newQR(t, "", nil)
	web := testenv.NewClient("laptop")
	tk := q.create(t, web, nil)
	if got, want := readQR(t, tk.picture), q.Svc.Issuer+"/qr?t="+tk.ticket; got != want {
		t.Fatalf("the QR code reads %q, want %q", got, want)
	}
	u, _ := url.Parse(readQR(t, tk.picture))
	wantState(t, "getQrLoginInfo", q.scan(t, q.phone(t), "getQrLoginInfo", u.Query().Get("t")), "scanned")

	q = newQR(t, "", func(c map[string]any) { c["url"] = "https://id.example.com/scan?from=web" })
	tk = q.create(t, web, nil)
	if got, want := readQR(t, tk.picture), "https://id.example.com/scan?from=web&t="+tk.ticket; got != want {
		t.Fatalf("the QR code reads %q, want %q", got, want)
	}
}

// TestQRLoginCancel: the user who scanned cancels; the page's poll
// answers cancelled, and the ticket can no longer be confirmed.
func TestQRLoginCancel(t *testing.T) {
	q := newQR(t, qrPage, nil)
	phone, web, tk := q.scanned(t)
	wantState(t, "cancelQrLogin", q.scan(t, phone, "cancelQrLogin", tk.ticket), "cancelled")
	wantState(t, "poll", q.poll(t, web, tk), "cancelled")
	wantCode(t, "confirm after cancel", q.scan(t, phone, "confirmQrLogin", tk.ticket), "uni-id-qr-ticket-done")
	wantCode(t, "getQrLoginInfo after cancel", q.scan(t, phone, "getQrLoginInfo", tk.ticket), "uni-id-qr-ticket-done")
	wantState(t, "poll again", q.poll(t, web, tk), "cancelled")
	if web.Token != "" {
		t.Fatal("a cancelled ticket signed the page in")
	}
}

// TestQRLoginExpiry: a ticket lives 3 minutes: then the page's poll
// answers expired (also one waiting when the time passes), and the mini
// program can neither read nor confirm it.
func TestQRLoginExpiry(t *testing.T) {
	q := newQR(t, qrPage, nil)
	phone, web, tk := q.scanned(t)
	q.Clock.Advance(179 * time.Second)
	polled := make(chan testenv.Resp)
	go func() { polled <- q.poll(t, web, tk) }()
	time.Sleep(50 * time.Millisecond)
	q.Clock.Advance(time.Second)
	wantState(t, "the poll waiting as the ticket expires", <-polled, "expired")
	wantCode(t, "confirmQrLogin", q.scan(t, phone, "confirmQrLogin", tk.ticket), "uni-id-qr-ticket-invalid")
	wantCode(t, "getQrLoginInfo", q.scan(t, phone, "getQrLoginInfo", tk.ticket), "uni-id-qr-ticket-invalid")
	wantState(t, "poll", q.poll(t, web, tk), "expired")

	tk = q.create(t, web, nil)
	q.Clock.Advance(3 * time.Minute)
	wantCode(t, "getQrLoginInfo of an unscanned expired ticket", q.scan(t, phone, "getQrLoginInfo", tk.ticket), "uni-id-qr-ticket-invalid")
}

// TestQRLoginReplay: a ticket is confirmed once, and of two polls racing
// after the confirmation exactly one signs the page in.
func TestQRLoginReplay(t *testing.T) {
	q := newQR(t, qrPage, nil)
	phone, web, tk := q.scanned(t)
	wantState(t, "confirmQrLogin", q.scan(t, phone, "confirmQrLogin", tk.ticket), "confirmed")
	wantCode(t, "confirmQrLogin again", q.scan(t, phone, "confirmQrLogin", tk.ticket), "uni-id-qr-ticket-done")
	wantCode(t, "cancelQrLogin after the confirmation", q.scan(t, phone, "cancelQrLogin", tk.ticket), "uni-id-qr-ticket-done")

	var wg sync.WaitGroup
	answers := make([]testenv.Resp, 4)
	for i := range answers {
		wg.Go(func() {
			answers[i] = q.poll(t, &testenv.Client{AppID: "__UNI__TEST", Platform: "web", DeviceID: "laptop"}, tk)
		})
	}
	wg.Wait()
	tokens := 0
	for _, r := range answers {
		switch {
		case r.Body["state"] == "confirmed" && r.Token() != "":
			tokens++
		case r.Body["state"] != "expired":
			t.Fatalf("a racing poll: %s", r.Raw)
		}
	}
	if tokens != 1 {
		t.Fatalf("%d racing polls signed the page in, want 1", tokens)
	}
	wantState(t, "a poll after the sign-in", q.poll(t, web, tk), "expired")
}

// TestQRLoginOtherUser: once one mini-program user has scanned a ticket,
// another can neither read, confirm nor cancel it; nobody confirms a
// ticket not scanned; a user without the app's WeChat identity or of
// another app cannot scan.
func TestQRLoginOtherUser(t *testing.T) {
	q := newQR(t, qrPage, nil)
	alice, mallory := q.phone(t), q.phone(t)
	web := testenv.NewClient("laptop")
	tk := q.create(t, web, nil)
	wantCode(t, "confirm before any scan", q.scan(t, alice, "confirmQrLogin", tk.ticket), "uni-id-qr-ticket-not-scanned")
	wantState(t, "alice scans", q.scan(t, alice, "getQrLoginInfo", tk.ticket), "scanned")
	for _, m := range []string{"getQrLoginInfo", "confirmQrLogin", "cancelQrLogin"} {
		wantCode(t, "mallory's "+m, q.scan(t, mallory, m, tk.ticket), "uni-id-qr-ticket-taken")
	}

	bob := &testenv.Client{AppID: "__UNI__TEST", Platform: "mp-weixin", DeviceID: "bob-phone"}
	q.Register(t, bob, "bob_the_builder", "Bob-pass-1234")
	wantCode(t, "a user without WeChat", q.scan(t, bob, "getQrLoginInfo", tk.ticket), "uni-id-permission-error")
	other := &testenv.Client{AppID: "__UNI__OTHER", Platform: "mp-weixin", DeviceID: "other-phone", Token: alice.Token}
	wantCode(t, "the same user from another app", q.scan(t, other, "confirmQrLogin", tk.ticket), "uni-id-account-not-exists-in-current-app")
	wantCode(t, "a ticket never issued", q.scan(t, alice, "getQrLoginInfo", strings.Repeat("A", 32)), "uni-id-qr-ticket-invalid")
	wantCode(t, "no ticket", q.scan(t, alice, "getQrLoginInfo", ""), "uni-id-param-required")

	wantState(t, "alice confirms", q.scan(t, alice, "confirmQrLogin", tk.ticket), "confirmed")
	wantState(t, "poll", q.poll(t, web, tk), "confirmed")
	q.signedInAs(t, web, alice)
}

// TestQRLoginPollDenied: only the page that created a ticket may wait on
// it: a wrong pollSecret, another device or another platform is refused,
// writing nothing, and a confirmation still signs in only the right page.
func TestQRLoginPollDenied(t *testing.T) {
	q := newQR(t, qrPage, nil)
	phone, web, tk := q.scanned(t)
	wantState(t, "confirmQrLogin", q.scan(t, phone, "confirmQrLogin", tk.ticket), "confirmed")
	before := q.ItemCount(t)
	wrong := tk.secret[:len(tk.secret)-1] + "A"
	if wrong == tk.secret {
		wrong = tk.secret[:len(tk.secret)-1] + "B"
	}
	for name, tc := range map[string]struct {
		c      *testenv.Client
		secret string
	}{
		"a wrong pollSecret":   {testenv.NewClient("laptop"), wrong},
		"another device":       {testenv.NewClient("attacker"), tk.secret},
		"another platform":     {&testenv.Client{AppID: "__UNI__TEST", Platform: "app", DeviceID: "laptop"}, tk.secret},
		"the ticket as secret": {testenv.NewClient("laptop"), tk.ticket},
		"the secret's digest":  {testenv.NewClient("laptop"), fmt.Sprintf("%x", sha256.Sum256([]byte(tk.secret)))},
		"another app's page":   {&testenv.Client{AppID: "__UNI__OTHER", Platform: "web", DeviceID: "laptop"}, tk.secret},
	} {
		r := q.Call(t, tc.c, "oauth", "pollQrLogin", map[string]any{"ticket": tk.ticket, "pollSecret": tc.secret})
		if r.Code() != "uni-id-qr-poll-denied" || r.Status != 403 || tc.c.Token != "" {
			t.Errorf("%s: %s", name, r.Raw)
		}
		if r.Body["errMsg"] != "此页面无权查询该二维码" {
			t.Errorf("%s: errMsg %v", name, r.Body["errMsg"])
		}
	}
	wantCode(t, "no pollSecret", q.Call(t, web, "oauth", "pollQrLogin", map[string]any{"ticket": tk.ticket}), "uni-id-param-required")
	if after := q.ItemCount(t); !maps.Equal(after, before) {
		t.Errorf("refused polls wrote: %v, then %v", before, after)
	}
	wantState(t, "the right page", q.poll(t, web, tk), "confirmed")
}

// TestQRLoginCreateRefused: bad requests answer a clear error and store
// nothing: no client, an unknown one, another app's page, a scope the
// app may not ask for, no device, code params without a redirect URI or
// with an unregistered one, a page WeChat does not know.
func TestQRLoginCreateRefused(t *testing.T) {
	q := newQR(t, qrPage, nil)
	web := testenv.NewClient("laptop")
	before := q.ItemCount(t)
	for _, tc := range []struct {
		name   string
		c      *testenv.Client
		params map[string]any
		want   string
	}{
		{"no client", web, map[string]any{"scope": "openid"}, "uni-id-param-required"},
		{"an unknown client", web, map[string]any{"clientId": "oc_nope", "scope": "openid"}, "uni-id-oauth-client-not-found"},
		{"another app's page", &testenv.Client{AppID: "__UNI__OTHER", Platform: "web", DeviceID: "laptop"},
			map[string]any{"clientId": q.client, "scope": "openid"}, "uni-id-permission-error"},
		{"no scope", web, map[string]any{"clientId": q.client}, "uni-id-param-required"},
		{"a scope not allowed", web, map[string]any{"clientId": q.client, "scope": "openid role"}, "uni-id-oauth-invalid-scope"},
		{"no device", &testenv.Client{AppID: "__UNI__TEST", Platform: "web"}, map[string]any{"clientId": q.client, "scope": "openid"}, "uni-id-param-required"},
		{"a nonce without redirectUri", web, map[string]any{"clientId": q.client, "scope": "openid", "nonce": "n"}, "uni-id-param-required"},
		{"an unregistered redirectUri", web, map[string]any{"clientId": q.client, "scope": "openid",
			"redirectUri": "https://shop.example.com/cb/../evil"}, "uni-id-oauth-invalid-redirect-uri"},
	} {
		r := q.Call(t, tc.c, "oauth", "createQrLogin", tc.params)
		if r.Code() != tc.want || r.Body["errMsg"] == "" {
			t.Errorf("%s: %s, want %s", tc.name, r.Raw, tc.want)
		}
	}
	if after := q.ItemCount(t); !maps.Equal(after, before) {
		t.Errorf("refused requests wrote: %v, then %v", before, after)
	}

	q = newQR(t, "pages/not/released", nil)
	r := q.Call(t, web, "oauth", "createQrLogin", map[string]any{"clientId": q.client, "scope": "openid"})
	if r.Code() != "uni-id-config-field-invalid" || !strings.Contains(r.Raw, "idco.qrLogin.page") {
		t.Fatalf("a page WeChat refuses: %s", r.Raw)
	}
	for _, item := range q.Scan(t, q.Names.Ephemeral) {
		if strings.HasPrefix(fmt.Sprint(item["pk"]), "cache:qr-login:") {
			t.Fatalf("a ticket was stored without its picture: %v", item["pk"])
		}
	}
}

// TestQRLoginRateLimit: tickets are counted per device and per source
// address; past either limit createQrLogin answers uni-id-rate-limited,
// until the hour has passed.
func TestQRLoginRateLimit(t *testing.T) {
	q := newQR(t, "", func(c map[string]any) { c["perDevicePerHour"], c["perIpPerHour"] = 3, 5 })
	web := testenv.NewClient("laptop")
	for range 3 {
		q.create(t, web, nil)
	}
	r := q.Call(t, web, "oauth", "createQrLogin", map[string]any{"clientId": q.client, "scope": "openid"})
	if r.Code() != "uni-id-rate-limited" || r.Status != 429 || r.Body["retryAfter"] == nil {
		t.Fatalf("a 4th ticket for one device: %s", r.Raw)
	}
	// The refused 4th counts against the address too: attempts are what a
	// flood is made of.
	q.create(t, testenv.NewClient("desktop"), nil)
	wantCode(t, "a 6th attempt from one address", q.Call(t, testenv.NewClient("kiosk"), "oauth", "createQrLogin",
		map[string]any{"clientId": q.client, "scope": "openid"}), "uni-id-rate-limited")
	other := &testenv.Client{AppID: "__UNI__TEST", Platform: "web", DeviceID: "elsewhere", From: "127.0.0.2"}
	q.create(t, other, nil)
	q.Clock.Advance(time.Hour + 6*time.Minute)
	q.create(t, web, nil)
}

// TestQRLoginCode: a page that asks for an authorisation code too gets
// one with the session; the app exchanges it (PKCE) for tokens, and the
// user's authorisations list the app.
func TestQRLoginCode(t *testing.T) {
	q := newQR(t, qrPage, nil)
	phone := q.phone(t)
	web := testenv.NewClient("laptop")
	verifier := strings.Repeat("v", 50)
	sum := sha256.Sum256([]byte(verifier))
	tk := q.create(t, web, map[string]any{"scope": "openid email", "redirectUri": "https://shop.example.com/cb",
		"codeChallenge": base64.RawURLEncoding.EncodeToString(sum[:]), "codeChallengeMethod": "S256", "nonce": "n-1"})
	wantState(t, "getQrLoginInfo", q.scan(t, phone, "getQrLoginInfo", tk.ticket), "scanned")
	wantState(t, "confirmQrLogin", q.scan(t, phone, "confirmQrLogin", tk.ticket), "confirmed")
	r := q.poll(t, web, tk)
	code, _ := r.Body["code"].(string)
	if r.Body["state"] != "confirmed" || code == "" || r.Token() == "" || r.Body["codeExpiresIn"] != 60.0 {
		t.Fatalf("poll: %s", r.Raw)
	}
	app := testenv.NewClient("shop-server")
	x := q.Call(t, app, "oauth", "exchangeAuthorizationCode", map[string]any{"clientId": q.client, "code": code,
		"redirectUri": "https://shop.example.com/cb", "codeVerifier": verifier, "clientSecret": "wrong"})
	wantCode(t, "exchange with a wrong secret", x, "uni-id-oauth-invalid-client")
	x = q.Call(t, app, "oauth", "exchangeAuthorizationCode", map[string]any{"clientId": q.client, "code": code,
		"redirectUri": "https://shop.example.com/cb", "codeVerifier": verifier, "clientSecret": q.secret})
	if x.Code() != "0" || x.Body["id_token"] == nil || x.Body["access_token"] == nil || x.Body["scope"] != "email openid" {
		t.Fatalf("exchangeAuthorizationCode: %s", x.Raw)
	}
	auths := q.Call(t, web, "oauth", "getAuthorizations", nil)
	if !strings.Contains(auths.Raw, q.client) || !strings.Contains(auths.Raw, `"email"`) {
		t.Fatalf("getAuthorizations: %s", auths.Raw)
	}
}
