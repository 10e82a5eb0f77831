package fakeprov

import (
	"encoding/json"
	"net/http"
)

// QQUser is who a QQ code or access token stands for. Empty OpenID and
// SessionKey are filled with random values at registration, an empty
// Avatar with a qlogo.cn URL.
type QQUser struct {
	OpenID, UnionID, SessionKey, Nickname, Avatar string
	// AppID is the QQ app the code or token was issued to. A mini-program
	// code exchanged with another appid fails 40029 (empty: any app); a
	// token's AppID is the client_id /oauth2.0/me reports, so it must be
	// set for QQToken.
	AppID string
}

type qqState struct {
	apps     map[string]string // appid -> secret, optional
	codes    map[string]*qqCode
	tokens   map[string]QQUser
	webCodes map[string]*qqWebCode // PC web login codes
	next     *QQUser               // who the PC login page signs in
}

type qqWebCode struct {
	user     QQUser
	redirect string
	used     bool
}

type qqCode struct {
	user QQUser
	used bool
}

func (s *qqState) init() {
	s.apps = map[string]string{}
	s.codes = map[string]*qqCode{}
	s.tokens = map[string]QQUser{}
	s.webCodes = map[string]*qqWebCode{}
}

// QQApp registers a QQ mini program's credentials: jscode2session then
// answers 40125 for another secret. Appids never registered accept any
// secret, since QQ publishes no error for them.
func (f *Fake) QQApp(appID, secret string) {
	f.t.Helper()
	if appID == "" || secret == "" {
		f.t.Fatal("fakeprov: QQApp: empty appID or secret")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.qq.apps[appID] = secret
}

// QQCode registers a single-use mini-program code for
// GET api.q.qq.com/sns/jscode2session, and returns u as registered.
func (f *Fake) QQCode(code string, u QQUser) QQUser {
	f.t.Helper()
	if code == "" {
		f.t.Fatal("fakeprov: QQCode: empty code")
	}
	u = f.qqDefaults(u)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.qq.codes[code] = &qqCode{user: u}
	return u
}

// QQToken registers a QQ app (QQ Connect) access token of u for
// graph.qq.com's /oauth2.0/me and /user/get_user_info, and returns u as
// registered. Tokens do not expire; an unknown one answers 100016.
func (f *Fake) QQToken(token string, u QQUser) QQUser {
	f.t.Helper()
	if token == "" || u.AppID == "" {
		f.t.Fatal("fakeprov: QQToken: empty token or AppID")
	}
	u = f.qqDefaults(u)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.qq.tokens[token] = u
	return u
}

func (f *Fake) qqDefaults(u QQUser) QQUser {
	if u.OpenID == "" {
		u.OpenID = randHexUpper(16)
	}
	if u.SessionKey == "" {
		u.SessionKey = randB64(16)
	}
	if u.Avatar == "" {
		u.Avatar = "http://thirdqq.qlogo.cn/g?b=oidb&k=" + randAlnum(22) + "&s=100"
	}
	return u
}

func randHexUpper(n int) string {
	b := []byte(randHex(n))
	for i, c := range b {
		if c >= 'a' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// serveQQMini is api.q.qq.com: WeChat's API shape, errcode/errmsg.
func (f *Fake) serveQQMini(w http.ResponseWriter, r *http.Request, mode FailMode) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	switch mode {
	case Busy:
		qqError(w, -1, "system error")
		return
	case RateLimited:
		qqError(w, 45011, "api minute-quota reach limit")
		return
	}
	if r.URL.Path != "/sns/jscode2session" {
		w.Header().Del("Content-Type")
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		qqError(w, 43001, "require GET method")
		return
	}
	q := r.URL.Query()
	appID, secret, code := q.Get("appid"), q.Get("secret"), q.Get("js_code")
	f.mu.Lock()
	defer f.mu.Unlock()
	want, registered := f.qq.apps[appID]
	c := f.qq.codes[code]
	switch {
	case appID == "":
		qqError(w, 41002, "appid missing")
	case secret == "":
		qqError(w, 41004, "appsecret missing")
	case registered && secret != want:
		qqError(w, 40125, "invalid appsecret")
	case q.Get("grant_type") != "authorization_code":
		qqError(w, 40002, "invalid grant_type")
	case code == "":
		qqError(w, 41008, "missing code")
	// QQ documents 40029 ("code 无效") alone, for used codes too.
	case c == nil || c.used || (c.user.AppID != "" && c.user.AppID != appID):
		qqError(w, 40029, "invalid code")
	default:
		c.used = true
		writeJSON(w, struct {
			ErrCode    int    `json:"errcode"`
			ErrMsg     string `json:"errmsg"`
			OpenID     string `json:"openid"`
			SessionKey string `json:"session_key"`
			UnionID    string `json:"unionid"`
		}{0, "", c.user.OpenID, c.user.SessionKey, c.user.UnionID})
	}
}

func qqError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}{code, msg})
}

// serveQQGraph is graph.qq.com (QQ Connect), which answers with
// Content-Type text/html whatever the body.
func (f *Fake) serveQQGraph(w http.ResponseWriter, r *http.Request, mode FailMode) {
	switch mode {
	case Busy:
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	case RateLimited:
		http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	switch r.URL.Path {
	case "/oauth2.0/me":
		f.qqMe(w, r)
	case "/user/get_user_info":
		f.qqUserInfo(w, r)
	case "/oauth2.0/authorize":
		f.qqAuthorize(w, r)
	case "/oauth2.0/token":
		f.qqWebToken(w, r)
	default:
		w.Header().Del("Content-Type")
		http.NotFound(w, r)
	}
}

// qqMe is GET /oauth2.0/me: JSONP ("callback( {...} );") unless fmt=json,
// unionid only when unionid=1 was asked for. QQ Connect's error codes:
// 100007 no access token, 100016 token check failed.
func (f *Fake) qqMe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok := q.Get("access_token")
	f.mu.Lock()
	u, ok := f.qq.tokens[tok]
	f.mu.Unlock()
	var v any
	switch {
	case tok == "":
		v = qqGraphError{100007, "param access token is wrong or lost "}
	case !ok:
		v = qqGraphError{100016, "access token check failed"}
	default:
		me := struct {
			ClientID string `json:"client_id"`
			OpenID   string `json:"openid"`
			UnionID  string `json:"unionid,omitempty"`
		}{ClientID: u.AppID, OpenID: u.OpenID}
		if q.Get("unionid") == "1" {
			me.UnionID = u.UnionID
		}
		v = me
	}
	b, _ := json.Marshal(v)
	if q.Get("fmt") == "json" {
		_, _ = w.Write(b)
		return
	}
	_, _ = w.Write([]byte("callback( " + string(b) + " );\n"))
}

type qqGraphError struct {
	Error            int    `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// qqUserInfo is GET /user/get_user_info: ret/msg, ret -1 for bad
// parameters.
func (f *Fake) qqUserInfo(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key, tok, openID := q.Get("oauth_consumer_key"), q.Get("access_token"), q.Get("openid")
	f.mu.Lock()
	u, ok := f.qq.tokens[tok]
	f.mu.Unlock()
	type ret struct {
		Ret int    `json:"ret"`
		Msg string `json:"msg"`
	}
	switch {
	case tok == "":
		writeJSON(w, ret{100007, "param access token is wrong or lost "})
	case key == "":
		writeJSON(w, ret{-1, "client request's parameters are invalid, invalid oauth_consumer_key"})
	case openID == "":
		writeJSON(w, ret{-1, "client request's parameters are invalid, invalid openid"})
	case !ok:
		writeJSON(w, ret{100016, "access token check failed"})
	case key != u.AppID:
		writeJSON(w, ret{-1, "client request's parameters are invalid, invalid oauth_consumer_key"})
	case openID != u.OpenID:
		writeJSON(w, ret{-1, "client request's parameters are invalid, invalid openid"})
	default:
		writeJSON(w, map[string]any{
			"ret":                0,
			"msg":                "",
			"is_lost":            0,
			"nickname":           u.Nickname,
			"gender":             "",
			"gender_type":        0,
			"province":           "",
			"city":               "",
			"year":               "",
			"figureurl":          u.Avatar,
			"figureurl_1":        u.Avatar,
			"figureurl_2":        u.Avatar,
			"figureurl_qq_1":     u.Avatar,
			"figureurl_qq_2":     u.Avatar,
			"figureurl_qq":       u.Avatar,
			"is_yellow_vip":      "0",
			"vip":                "0",
			"yellow_vip_level":   "0",
			"level":              "0",
			"is_yellow_year_vip": "0",
		})
	}
}
