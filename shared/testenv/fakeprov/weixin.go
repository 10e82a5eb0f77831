package fakeprov

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"
)

// WeixinUser is who a WeChat code stands for. Empty OpenID and SessionKey
// are filled with random values at registration (a session key is the
// base64 of 16 bytes, as WeChat's, so WeixinEncrypt can use it). Phone is
// informational only: numbers come from WeixinPhoneCode or WeixinEncrypt.
type WeixinUser struct {
	OpenID, UnionID, SessionKey, Nickname, HeadImgURL, Phone string
	// AppID is the WeChat app the code was issued to; exchanging it with
	// another appid fails 40029. Empty accepts any app registered with
	// WeixinApp.
	AppID string
	// Scope is what /sns/oauth2/access_token reports, default
	// "snsapi_userinfo"; with "snsapi_base" /sns/userinfo answers 48001.
	Scope string
}

// tokenTTL is the life of every access token the fake issues, WeChat's
// 7200 s.
const tokenTTL = 7200 * time.Second

type weixinState struct {
	apps       map[string]string // appid -> secret
	codes      map[string]*wxCode
	phoneCodes map[string]*wxPhoneCode
	appTokens  map[string]wxAppToken  // stable_token -> app
	current    map[string]string      // appid -> its current stable_token
	userTokens map[string]wxUserToken // OAuth access_token -> user
	next       *WeixinUser            // who the website login page signs in
	pages      map[string]bool        // "<appid>/<page>" released (WeixinPage)
}

type wxCode struct {
	user WeixinUser
	used bool
}

type wxPhoneCode struct {
	pure, cc, appID string
	used            bool
}

type wxAppToken struct {
	appID string
	exp   time.Time
}

type wxUserToken struct {
	user  WeixinUser
	appID string
	exp   time.Time
}

func (s *weixinState) init() {
	s.apps = map[string]string{}
	s.codes = map[string]*wxCode{}
	s.phoneCodes = map[string]*wxPhoneCode{}
	s.appTokens = map[string]wxAppToken{}
	s.current = map[string]string{}
	s.userTokens = map[string]wxUserToken{}
}

// WeixinApp registers valid WeChat app credentials. Every call naming
// another appid answers 40013 (invalid appid), another secret 40125
// (invalid appsecret).
func (f *Fake) WeixinApp(appID, secret string) {
	f.t.Helper()
	if appID == "" || secret == "" {
		f.t.Fatal("fakeprov: WeixinApp: empty appID or secret")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wx.apps[appID] = secret
}

// WeixinCode registers a single-use code for u, exchangeable once on
// /sns/jscode2session (mini program) or /sns/oauth2/access_token (app, h5,
// web), which issues an access token usable on /sns/userinfo. It returns
// u as registered, with any generated OpenID and SessionKey.
func (f *Fake) WeixinCode(code string, u WeixinUser) WeixinUser {
	f.t.Helper()
	if code == "" {
		f.t.Fatal("fakeprov: WeixinCode: empty code")
	}
	if u.OpenID == "" {
		u.OpenID = "o" + randAlnum(27)
	}
	if u.SessionKey == "" {
		u.SessionKey = randB64(16)
	}
	if u.Scope == "" {
		u.Scope = "snsapi_userinfo"
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wx.codes[code] = &wxCode{user: u}
	return u
}

// WeixinPhoneCode registers a single-use getPhoneNumber code of mini
// program appID ("" = any app) for phone: 11 mainland digits, or
// "+<country code> <number>" (a space or "-" after the country code) for
// other regions.
func (f *Fake) WeixinPhoneCode(code, phone, appID string) {
	f.t.Helper()
	if code == "" {
		f.t.Fatal("fakeprov: WeixinPhoneCode: empty code")
	}
	pure, cc, ok := splitPhone(phone)
	if !ok {
		f.t.Fatalf("fakeprov: WeixinPhoneCode: phone %q is neither 11 digits nor \"+<cc> <number>\"", phone)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wx.phoneCodes[code] = &wxPhoneCode{pure: pure, cc: cc, appID: appID}
}

// WeixinRevokeTokens invalidates appID's mini-program access tokens, as a
// force_refresh elsewhere would: calls with them answer 40001, and the
// next /cgi-bin/stable_token issues a new one.
func (f *Fake) WeixinRevokeTokens(appID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for tok, a := range f.wx.appTokens {
		if a.appID == appID {
			delete(f.wx.appTokens, tok)
		}
	}
	delete(f.wx.current, appID)
}

// WeixinEncrypt encrypts payload for a mini program the way WeChat's open
// data is (AES-128-CBC, PKCS#7, key = base64-decoded session key, random
// IV), adding watermark {appid, timestamp}. For the legacy getPhoneNumber
// button pass {"phoneNumber", "purePhoneNumber", "countryCode"}.
func (f *Fake) WeixinEncrypt(sessionKey, appID string, payload map[string]any) (encryptedData, iv string) {
	f.t.Helper()
	key, err := base64.StdEncoding.DecodeString(sessionKey)
	if err != nil || len(key) != aes.BlockSize {
		f.t.Fatalf("fakeprov: WeixinEncrypt: session key is not base64 of 16 bytes")
	}
	p := maps.Clone(payload)
	if p == nil {
		p = map[string]any{}
	}
	p["watermark"] = map[string]any{"appid": appID, "timestamp": f.now().Unix()}
	pt, err := json.Marshal(p)
	if err != nil {
		f.t.Fatalf("fakeprov: WeixinEncrypt: %v", err)
	}
	n := aes.BlockSize - len(pt)%aes.BlockSize
	for range n {
		pt = append(pt, byte(n))
	}
	ivb := randBytes(aes.BlockSize)
	block, _ := aes.NewCipher(key)
	ct := make([]byte, len(pt))
	cipher.NewCBCEncrypter(block, ivb).CryptBlocks(ct, pt)
	return base64.StdEncoding.EncodeToString(ct), base64.StdEncoding.EncodeToString(ivb)
}

// splitPhone reads "13800138000" or "+852 61234567".
func splitPhone(s string) (pure, cc string, ok bool) {
	if rest, found := strings.CutPrefix(s, "+"); found {
		i := strings.IndexAny(rest, " -")
		if i <= 0 || !digits(rest[:i]) || !digits(rest[i+1:]) {
			return "", "", false
		}
		return rest[i+1:], rest[:i], true
	}
	if len(s) != 11 || !digits(s) {
		return "", "", false
	}
	return s, "86", true
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (f *Fake) serveWeixin(w http.ResponseWriter, r *http.Request, mode FailMode) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	switch mode {
	case Busy:
		f.wxError(w, -1, "system error")
		return
	case RateLimited:
		f.wxError(w, 45011, "api minute-quota reach limit  mustslower  retry next minute")
		return
	}
	switch r.URL.Path {
	case "/sns/jscode2session":
		f.wxCode2Session(w, r)
	case "/sns/oauth2/access_token":
		f.wxOAuthToken(w, r)
	case "/sns/userinfo":
		f.wxUserInfo(w, r)
	case "/cgi-bin/stable_token":
		f.wxStableToken(w, r)
	case "/wxa/business/getuserphonenumber":
		f.wxPhoneNumber(w, r)
	case "/connect/qrconnect":
		f.wxQRConnect(w, r)
	case "/wxa/getwxacodeunlimit":
		f.wxUnlimitedCode(w, r)
	default:
		w.Header().Del("Content-Type")
		http.NotFound(w, r)
	}
}

// wxError writes WeChat's error answer, errmsg ending in a request id as
// WeChat's do.
func (f *Fake) wxError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, map[string]any{"errcode": code, "errmsg": msg + ", rid: " + f.rid()})
}

func (f *Fake) rid() string {
	b := randBytes(8)
	return fmt.Sprintf("%08x-%x-%x", f.now().Unix(), b[:4], b[4:])
}

// wxMethod answers 43001/43002 when the method is wrong.
func (f *Fake) wxMethod(w http.ResponseWriter, r *http.Request, want string) bool {
	if r.Method == want {
		return true
	}
	if want == http.MethodGet {
		f.wxError(w, 43001, "require GET method")
	} else {
		f.wxError(w, 43002, "require POST method")
	}
	return false
}

// wxApp checks appid and secret; the caller holds f.mu.
func (f *Fake) wxApp(w http.ResponseWriter, appID, secret string) bool {
	switch {
	case appID == "":
		f.wxError(w, 41002, "appid missing")
	case secret == "":
		f.wxError(w, 41004, "appsecret missing")
	case f.wx.apps[appID] == "":
		f.wxError(w, 40013, "invalid appid")
	case f.wx.apps[appID] != secret:
		f.wxError(w, 40125, "invalid appsecret")
	default:
		return true
	}
	return false
}

// wxTakeCode consumes a login code; the caller holds f.mu.
func (f *Fake) wxTakeCode(w http.ResponseWriter, code, appID string) (WeixinUser, bool) {
	c := f.wx.codes[code]
	switch {
	case code == "":
		f.wxError(w, 41008, "missing code")
	case c == nil || (c.user.AppID != "" && c.user.AppID != appID):
		f.wxError(w, 40029, "invalid code")
	case c.used:
		f.wxError(w, 40163, "code been used")
	default:
		c.used = true
		return c.user, true
	}
	return WeixinUser{}, false
}

// wxCode2Session is GET /sns/jscode2session.
func (f *Fake) wxCode2Session(w http.ResponseWriter, r *http.Request) {
	if !f.wxMethod(w, r, http.MethodGet) {
		return
	}
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.wxApp(w, q.Get("appid"), q.Get("secret")) {
		return
	}
	if q.Get("grant_type") != "authorization_code" {
		f.wxError(w, 40002, "invalid grant_type")
		return
	}
	u, ok := f.wxTakeCode(w, q.Get("js_code"), q.Get("appid"))
	if !ok {
		return
	}
	a := map[string]any{"session_key": u.SessionKey, "openid": u.OpenID}
	if u.UnionID != "" {
		a["unionid"] = u.UnionID
	}
	writeJSON(w, a)
}

// wxOAuthToken is GET /sns/oauth2/access_token.
func (f *Fake) wxOAuthToken(w http.ResponseWriter, r *http.Request) {
	if !f.wxMethod(w, r, http.MethodGet) {
		return
	}
	q := r.URL.Query()
	appID := q.Get("appid")
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.wxApp(w, appID, q.Get("secret")) {
		return
	}
	if q.Get("grant_type") != "authorization_code" {
		f.wxError(w, 40002, "invalid grant_type")
		return
	}
	u, ok := f.wxTakeCode(w, q.Get("code"), appID)
	if !ok {
		return
	}
	tok := randAlnum(32) + "_" + randAlnum(32)
	f.wx.userTokens[tok] = wxUserToken{user: u, appID: appID, exp: now.Add(tokenTTL)}
	a := map[string]any{
		"access_token":  tok,
		"expires_in":    int(tokenTTL / time.Second),
		"refresh_token": randAlnum(32) + "_" + randAlnum(32),
		"openid":        u.OpenID,
		"scope":         u.Scope,
	}
	if u.UnionID != "" {
		a["unionid"] = u.UnionID
	}
	writeJSON(w, a)
}

// wxUserInfo is GET /sns/userinfo.
func (f *Fake) wxUserInfo(w http.ResponseWriter, r *http.Request) {
	if !f.wxMethod(w, r, http.MethodGet) {
		return
	}
	q := r.URL.Query()
	tok, openID := q.Get("access_token"), q.Get("openid")
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.wx.userTokens[tok]
	switch {
	case tok == "":
		f.wxError(w, 41001, "access_token missing")
	case openID == "":
		f.wxError(w, 41009, "missing openid")
	case !ok:
		f.wxError(w, 40001, "invalid credential, access_token is invalid or not latest")
	case !now.Before(t.exp):
		f.wxError(w, 42001, "access_token expired")
	case openID != t.user.OpenID:
		f.wxError(w, 40003, "invalid openid")
	case !strings.Contains(t.user.Scope, "snsapi_userinfo") && !strings.Contains(t.user.Scope, "snsapi_login"):
		f.wxError(w, 48001, "api unauthorized")
	default:
		a := map[string]any{
			"openid":     t.user.OpenID,
			"nickname":   t.user.Nickname,
			"sex":        0,
			"language":   "",
			"city":       "",
			"province":   "",
			"country":    "",
			"headimgurl": t.user.HeadImgURL,
			"privilege":  []string{},
		}
		if t.user.UnionID != "" {
			a["unionid"] = t.user.UnionID
		}
		writeJSON(w, a)
	}
}

// wxStableToken is POST /cgi-bin/stable_token. In normal mode it returns
// the app's current token with its remaining life; force_refresh issues a
// new one and invalidates the old.
func (f *Fake) wxStableToken(w http.ResponseWriter, r *http.Request) {
	if !f.wxMethod(w, r, http.MethodPost) {
		return
	}
	var in struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if json.NewDecoder(r.Body).Decode(&in) != nil {
		f.wxError(w, 47001, "data format error")
		return
	}
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.GrantType != "client_credential" {
		f.wxError(w, 40002, "invalid grant_type")
		return
	}
	if !f.wxApp(w, in.AppID, in.Secret) {
		return
	}
	tok := f.wx.current[in.AppID]
	cur, ok := f.wx.appTokens[tok]
	if in.ForceRefresh || !ok || !now.Before(cur.exp) {
		delete(f.wx.appTokens, tok)
		tok = randAlnum(40) + "_" + randAlnum(40)
		cur = wxAppToken{appID: in.AppID, exp: now.Add(tokenTTL)}
		f.wx.appTokens[tok] = cur
		f.wx.current[in.AppID] = tok
	}
	writeJSON(w, map[string]any{"access_token": tok, "expires_in": int(cur.exp.Sub(now) / time.Second)})
}

// wxPhoneNumber is POST /wxa/business/getuserphonenumber?access_token=.
func (f *Fake) wxPhoneNumber(w http.ResponseWriter, r *http.Request) {
	if !f.wxMethod(w, r, http.MethodPost) {
		return
	}
	tok := r.URL.Query().Get("access_token")
	var in struct {
		Code string `json:"code"`
	}
	bodyErr := json.NewDecoder(r.Body).Decode(&in)
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.wx.appTokens[tok]
	switch {
	case tok == "":
		f.wxError(w, 41001, "access_token missing")
		return
	case !ok:
		f.wxError(w, 40001, "invalid credential, access_token is invalid or not latest")
		return
	case !now.Before(t.exp):
		f.wxError(w, 42001, "access_token expired")
		return
	case bodyErr != nil:
		f.wxError(w, 47001, "data format error")
		return
	}
	c := f.wx.phoneCodes[in.Code]
	switch {
	case in.Code == "":
		f.wxError(w, 41008, "missing code")
	case c == nil || (c.appID != "" && c.appID != t.appID):
		f.wxError(w, 40029, "invalid code")
	case c.used:
		f.wxError(w, 40163, "code been used")
	default:
		c.used = true
		full := c.pure
		if c.cc != "86" {
			full = "+" + c.cc + c.pure
		}
		writeJSON(w, map[string]any{
			"errcode": 0,
			"errmsg":  "ok",
			"phone_info": map[string]any{
				"phoneNumber":     full,
				"purePhoneNumber": c.pure,
				"countryCode":     c.cc,
				"watermark":       map[string]any{"timestamp": now.Unix(), "appid": t.appID},
			},
		})
	}
}

// writeJSON writes v as the 200 answer.
func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = w.Write(b)
}
