package qq

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Values the fake QQ knows; secrets are distinctive so tests can assert
// they never show up in an error.
const (
	appID      = "1109502100"
	appSecret  = "APPSECRET-9d2e71"
	openID     = "E442B1D98B8A0E012A59EF35C1B3611A"
	unionID    = "UID_7C3D9A02B1F34E56"
	sessionKey = "SESSIONKEY-qq"
	goodToken  = "QQTOKEN-427934383126190A"
	avatar40   = "http://thirdqq.qlogo.cn/g?b=oidb&k=Ap98ZcpsaL17FCkmfY0ZEw&s=40"
	avatar100  = "http://thirdqq.qlogo.cn/g?b=oidb&k=Ap98ZcpsaL17FCkmfY0ZEw&s=100"
)

// meAnswers are /oauth2.0/me bodies keyed by access token: the fmt=json
// form, the JSONP form (QQ Connect's documented default), and error forms
// copied from the "获取用户OpenID/UnionID" page, trailing comma included.
var meAnswers = map[string]string{
	goodToken:       `{"client_id":"` + appID + `","openid":"` + openID + `","unionid":"` + unionID + `"}`,
	"jsonp":         "callback( {\"client_id\":\"" + appID + "\",\"openid\":\"" + openID + "\",\"unionid\":\"" + unionID + "\"} );\n",
	"numeric-id":    `{"client_id":` + appID + `,"openid":"` + openID + `"}`,
	"foreign":       `{"client_id":"101814107","openid":"` + openID + `","unionid":"` + unionID + `"}`,
	"foreign-jsonp": `callback( {"client_id":"101814107","openid":"` + openID + `"} );`,
	"expired":       `{"error":100016,"error_description":"access token check failed"}`,
	"expired-jsonp": "callback( { \"error\":100016, \"error_description\":\"access token check failed\", } );\n",
	"no-openid":     `{"client_id":"` + appID + `"}`,
}

// userInfoAnswers are /user/get_user_info bodies keyed by access token.
var userInfoAnswers = map[string]string{
	goodToken: `{"ret":0,"msg":"","is_lost":0,"nickname":"qzuser","gender":"男","figureurl":"http://qzapp.qlogo.cn/qzapp/1109502100/E442/30",` +
		`"figureurl_qq_1":"` + avatar40 + `","figureurl_qq_2":"` + avatar100 + `"}`,
	"no-qq2":      `{"ret":0,"msg":"","nickname":"qzuser","figureurl_qq_1":"` + avatar40 + `","figureurl_qq_2":""}`,
	"expired":     `{"ret":100014,"msg":"access token expired"}`,
	"bad-openid":  `{"ret":-1,"msg":"client request's parameters are invalid, invalid openid"}`,
	"no-grant":    `{"ret":100030,"msg":"user has not authorized this api"}`,
	"not-profile": `{"ret":0,"msg":""}`,
}

// miniErrors are code2session error bodies keyed by js_code: the codes on
// QQ's code2Session page, and a WeChat-style "used" answer.
var miniErrors = map[string]string{
	"invalid": `{"errcode":40029,"errmsg":"invalid code"}`,
	"used":    `{"errcode":40163,"errmsg":"code been used"}`,
	"busy":    `{"errcode":-1,"errmsg":"system error"}`,
	"limited": `{"errcode":45011,"errmsg":"api minute-quota reach limit"}`,
	"odd":     `{"errcode":-1009,"errmsg":"","openid":"","session_key":"","uin":"","unionid":""}`,
	"empty":   `{"errcode":0,"errmsg":"ok"}`,
}

// fakeQQ serves both hosts' paths; tests point MiniBaseURL and
// GraphBaseURL at the same server.
type fakeQQ struct{ t *testing.T }

func newFake(t *testing.T) *Client {
	t.Helper()
	srv := httptest.NewServer(&fakeQQ{t: t})
	t.Cleanup(srv.Close)
	return &Client{MiniBaseURL: srv.URL, GraphBaseURL: srv.URL, HTTP: srv.Client(), Timeout: 200 * time.Millisecond}
}

func (f *fakeQQ) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method != http.MethodGet {
		f.t.Errorf("fake QQ: %s %s, want GET", r.Method, r.URL.Path)
	}
	switch r.URL.Path {
	case "/sns/jscode2session":
		f.check(q.Get("appid") == appID && q.Get("secret") == appSecret && q.Get("grant_type") == "authorization_code")
		f.reply(w, r, q.Get("js_code"), miniErrors,
			`{"errcode":0,"errmsg":"","openid":"`+openID+`","session_key":"`+sessionKey+`","unionid":"`+unionID+`"}`)
	case "/oauth2.0/me":
		f.check(q.Get("unionid") == "1" && q.Get("fmt") == "json")
		f.reply(w, r, q.Get("access_token"), meAnswers, "")
	case "/user/get_user_info":
		f.check(q.Get("oauth_consumer_key") == appID && q.Get("openid") == openID)
		f.reply(w, r, q.Get("access_token"), userInfoAnswers, "")
	default:
		http.NotFound(w, r)
	}
}

// reply answers from table by key, or breaks the transport for "http500",
// "http403", "html" and "slow", or echoes the query ("echo") to test
// masking. QQ Connect answers with Content-Type text/html even for JSON.
func (f *fakeQQ) reply(w http.ResponseWriter, r *http.Request, key string, table map[string]string, success string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if body, ok := table[key]; ok {
		fmt.Fprint(w, body)
		return
	}
	switch key {
	case "http500":
		http.Error(w, "bad gateway", http.StatusInternalServerError)
	case "http403":
		http.Error(w, "forbidden", http.StatusForbidden)
	case "html":
		fmt.Fprint(w, "<html><body>502 Bad Gateway</body></html>")
	case "slow":
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	case "echo":
		q := strings.ReplaceAll(r.URL.RawQuery, `"`, "")
		fmt.Fprintf(w, `{"errcode":40029,"errmsg":"bad %s","error":100013,"error_description":"bad %s","ret":100013,"msg":"bad %s"}`, q, q, q)
	default:
		if success == "" {
			f.t.Errorf("fake QQ: no answer for %s", r.URL.Path)
		}
		fmt.Fprint(w, success)
	}
}

func (f *fakeQQ) check(ok bool) {
	if !ok {
		f.t.Error("fake QQ: request lacks a required parameter")
	}
}
