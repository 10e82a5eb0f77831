package fakeprov

import (
	"encoding/json"
	"net/http"
	"net/url"
)

// QQWebCode registers a single-use QQ Connect PC web login code of u for
// GET graph.qq.com/oauth2.0/token, issued to u.AppID (required) for
// redirectURI ("" accepts any); the token it gives works on /oauth2.0/me
// and /user/get_user_info. It returns u as registered.
func (f *Fake) QQWebCode(code string, u QQUser, redirectURI string) QQUser {
	f.t.Helper()
	if code == "" || u.AppID == "" {
		f.t.Fatal("fakeprov: QQWebCode: empty code or AppID")
	}
	u = f.qqDefaults(u)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.qq.webCodes[code] = &qqWebCode{user: u, redirect: redirectURI}
	return u
}

// QQNext makes the PC login page (GET graph.qq.com/oauth2.0/authorize)
// sign u in, with a code for the client_id it is opened with; without one
// it signs in a new random user each time.
func (f *Fake) QQNext(u QQUser) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.qq.next = &u
}

// qqAuthorize is the PC login page, answering at once as the consenting
// user: a code for the client_id and redirect_uri, sent back with state.
func (f *Fake) qqAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	if q.Get("response_type") != "code" || q.Get("client_id") == "" || err != nil || !back.IsAbs() {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	u := QQUser{}
	if f.qq.next != nil {
		u = *f.qq.next
	}
	f.mu.Unlock()
	u.AppID = q.Get("client_id")
	code := randHexUpper(16)
	f.QQWebCode(code, u, q.Get("redirect_uri"))
	bq := back.Query()
	bq.Set("code", code)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// qqWebToken is GET /oauth2.0/token: {"access_token", "expires_in",
// "refresh_token"} with fmt=json, else the query-string form; errors
// {"error", "error_description"} (JSONP without fmt=json): 100009 a wrong
// secret, 100010 another redirect URI, 100019 an unknown code, 100020 a
// used one.
func (f *Fake) qqWebToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	appID, secret, code := q.Get("client_id"), q.Get("client_secret"), q.Get("code")
	f.mu.Lock()
	want, registered := f.qq.apps[appID]
	c := f.qq.webCodes[code]
	var fail *qqGraphError
	switch {
	case q.Get("grant_type") != "authorization_code":
		fail = &qqGraphError{100003, "param grant_type is wrong or lost "}
	case appID == "":
		fail = &qqGraphError{100001, "param client_id is wrong or lost "}
	case secret == "" || (registered && secret != want):
		fail = &qqGraphError{100009, "client secret is illegal"}
	case c == nil || c.user.AppID != appID:
		fail = &qqGraphError{100019, "code to access token error"}
	case c.used:
		fail = &qqGraphError{100020, "code is reused error"}
	case c.redirect != "" && c.redirect != q.Get("redirect_uri"):
		fail = &qqGraphError{100010, "redirect uri is illegal"}
	}
	tok := randHexUpper(16)
	if fail == nil {
		c.used = true
		f.qq.tokens[tok] = c.user
	}
	f.mu.Unlock()
	asJSON := q.Get("fmt") == "json"
	switch {
	case fail != nil && asJSON:
		writeJSON(w, fail)
	case fail != nil:
		b, _ := json.Marshal(fail)
		_, _ = w.Write([]byte("callback( " + string(b) + " );\n"))
	case asJSON:
		writeJSON(w, map[string]string{"access_token": tok, "expires_in": "7776000", "refresh_token": randHexUpper(16)})
	default:
		_, _ = w.Write([]byte(url.Values{"access_token": {tok}, "expires_in": {"7776000"}, "refresh_token": {randHexUpper(16)}}.Encode()))
	}
}
