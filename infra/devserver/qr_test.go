package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goqr "github.com/piglig/go-qr"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// TestDevServerQRLogin: against `make run` with the fake WeChat, a web page
// signs in by QR code with a simulated mini program: the page shows the
// mini-program code and waits; the phone logs in with loginByWeixin, reads
// the ticket out of the code, reads the app and confirms; the page's long
// poll returns signed in, and its token reads the account.
func TestDevServerQRLogin(t *testing.T) {
	f := fakeprov.New(t)
	f.WeixinApp("wx-mp", "wx-secret")
	f.WeixinPage("wx-mp", "pages/qr/confirm")
	dir := t.TempDir()
	const setup = "dev-setup-secret-0123456789abcdef0123"
	cfg := map[string]any{
		"tokenSecret": "0123456789abcdef0123456789abcdef",
		"mp-weixin":   map[string]any{"oauth": map[string]any{"weixin": map[string]any{"appid": "wx-mp", "appsecret": "wx-secret"}}},
		"idco": map[string]any{"admin": map[string]any{"setupSecret": setup},
			"qrLogin": map[string]any{"page": "pages/qr/confirm"}},
	}
	data, _ := json.Marshal(cfg)
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	env := f.Env()
	env["IDCO_CONFIG_FILE"] = path
	url0, stop := startEnv(t, filepath.Join(dir, "data"), func(k string) string { return env[k] })
	defer stop()
	outbox := filepath.Join(dir, "data", "outbox.jsonl")

	// The operator registers the app whose page signs in.
	admin := &tokenClient{devClient: newDevClient(t, url0, outbox, "127.0.0.1", "admin-laptop")}
	if r := admin.call("/register/registerAdmin", map[string]any{"username": "root", "password": "a long admin password",
		"setupSecret": setup, "captcha": admin.captcha("register")}); r["errCode"] != 0.0 {
		t.Fatalf("registerAdmin: %v", r)
	}
	admin.token = admin.lastToken
	r := admin.call("/admin/addOAuthClient", map[string]any{"name": "Demo Shop", "website": "https://shop.example.com",
		"redirectUris": []string{"https://shop.example.com/cb"}})
	clientID, _ := r["clientId"].(string)
	if clientID == "" {
		t.Fatalf("addOAuthClient: %v", r)
	}

	// The web page asks for a ticket and starts waiting.
	web := &tokenClient{devClient: newDevClient(t, url0, outbox, "127.0.0.1", "web-laptop")}
	created := web.call("/oauth/createQrLogin", map[string]any{"clientId": clientID, "scope": "openid profile"})
	ticket, _ := created["ticket"].(string)
	if ticket == "" {
		t.Fatalf("createQrLogin: %v", created)
	}
	polled := make(chan map[string]any, 1)
	go func() {
		polled <- web.call("/oauth/pollQrLogin", map[string]any{"ticket": ticket, "pollSecret": created["pollSecret"]})
	}()

	// The mini program: a WeChat login, the scene read from the code.
	phone := &tokenClient{devClient: newDevClient(t, url0, outbox, "127.0.0.2", "phone")}
	phone.ci["uniPlatform"], phone.ci["locale"] = "mp-weixin", "en"
	f.WeixinCode("wx-code", fakeprov.WeixinUser{AppID: "wx-mp"})
	login := phone.call("/login/loginByWeixin", map[string]any{"code": "wx-code"})
	if login["errCode"] != 0.0 {
		t.Fatalf("loginByWeixin: %v", login)
	}
	phone.token = phone.lastToken
	scene := sceneOf(t, created["qrcode"].(string))
	info := phone.call("/oauth/getQrLoginInfo", map[string]any{"ticket": scene})
	if info["state"] != "scanned" || info["name"] != "Demo Shop" || info["website"] != "https://shop.example.com" {
		t.Fatalf("getQrLoginInfo: %v", info)
	}
	if p := <-polled; p["state"] != "scanned" {
		t.Fatalf("the page's poll: %v", p)
	}
	go func() {
		polled <- web.call("/oauth/pollQrLogin", map[string]any{"ticket": ticket, "pollSecret": created["pollSecret"]})
	}()
	if c := phone.call("/oauth/confirmQrLogin", map[string]any{"ticket": scene}); c["state"] != "confirmed" || c["newToken"] != nil {
		t.Fatalf("confirmQrLogin: %v", c)
	}
	signedIn := <-polled
	if signedIn["state"] != "confirmed" || signedIn["uid"] != login["uid"] || web.lastToken == "" {
		t.Fatalf("the page's poll after the confirmation: %v", signedIn)
	}
	web.token = web.lastToken
	if me := web.call("/account/getAccountInfo", nil); me["errCode"] != 0.0 || me["isWeixinBound"] != true {
		t.Fatalf("getAccountInfo with the page's token: %v", me)
	}
	if again := web.call("/oauth/pollQrLogin", map[string]any{"ticket": ticket, "pollSecret": created["pollSecret"]}); again["state"] != "expired" {
		t.Fatalf("a poll after the sign-in: %v", again)
	}
}

// tokenClient is a devClient that sends a token and keeps the last
// newToken it was given.
type tokenClient struct {
	*devClient
	token, lastToken string
}

func (c *tokenClient) call(path string, params map[string]any) map[string]any {
	c.t.Helper()
	body, _ := json.Marshal(map[string]any{"clientInfo": c.ci, "params": params, "uniIdToken": c.token})
	res, err := c.http.Post(c.url+path, "application/json", bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		c.t.Fatal(err)
	}
	if nt, ok := out["newToken"].(map[string]any); ok {
		c.lastToken, _ = nt["token"].(string)
	}
	return out
}

// sceneOf reads a mini-program code's picture as WeChat's scanner would and
// returns the scene it opens the page with.
func sceneOf(t *testing.T, dataURL string) string {
	t.Helper()
	b64, ok := strings.CutPrefix(dataURL, "data:image/png;base64,")
	if !ok {
		t.Fatalf("qrcode: %.40s", dataURL)
	}
	raw, _ := base64.StdEncoding.DecodeString(b64)
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	text, err := goqr.Decode(img)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(text)
	if err != nil || u.Host != "wx-mp" || u.Path != "/pages/qr/confirm" {
		t.Fatalf("the code opens %q", text)
	}
	return u.Query().Get("scene")
}
