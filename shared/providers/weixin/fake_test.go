package weixin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Values the fake WeChat knows. Secrets are distinctive so that a test can
// assert they never show up in an error.
const (
	appID      = "wx4f4bc4dec97d474b"
	appSecret  = "APPSECRET-5f1c0e"
	goodToken  = "MP-TOKEN-93ab"
	userToken  = "USER-TOKEN-77cd"
	openID     = "oGZUI0egBJY1zhBYw2KhdUfwVJJE"
	unionID    = "ocMvos6NjeKLIBqg5Mr9QjxrP1FA"
	sessionKey = "SESSIONKEY-b64"
)

// WeChat error answers, as captured in developer-community threads
// (errmsg keeps the rid WeChat support asks for).
var wxErrors = map[string]string{
	"invalid":   `{"errcode":40029,"errmsg":"invalid code, rid: 652d44d0-1d0af18b-5b069232"}`,
	"used":      `{"errcode":40163,"errmsg":"code been used, rid: 6166f719-6cb5d09c-633ab469"}`,
	"blocked":   `{"errcode":40226,"errmsg":"code blocked, rid: 6166f719-6cb5d09c-633ab470"}`,
	"busy":      `{"errcode":-1,"errmsg":"system error, rid: 658c03c7-029c8f19-07211e00"}`,
	"limited":   `{"errcode":45011,"errmsg":"api minute-quota reach limit, must slower, retry next minute, rid: 658c03c7-029c8f19-07211e07"}`,
	"expired":   `{"errcode":42001,"errmsg":"access_token expired, rid: 64eed8de-4cdaca9b-1be8f193"}`,
	"badcred":   `{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest, rid: 64eed8de-4cdaca9b-1be8f194"}`,
	"badsecret": `{"errcode":40125,"errmsg":"invalid appsecret, rid: 64eed8de-4cdaca9b-1be8f195"}`,
}

// fakeWeixin answers the five endpoints the way api.weixin.qq.com does,
// always with HTTP 200 and errcode in the body. The code (or token) sent
// picks the scenario; "http500", "http403", "html" and "slow" break the
// transport.
type fakeWeixin struct{ t *testing.T }

func newFake(t *testing.T) *Client {
	t.Helper()
	srv := httptest.NewServer(&fakeWeixin{t: t})
	t.Cleanup(srv.Close)
	return &Client{BaseURL: srv.URL, HTTP: srv.Client(), Timeout: 200 * time.Millisecond}
}

func (f *fakeWeixin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch r.URL.Path {
	case "/sns/jscode2session":
		f.expect(r, http.MethodGet, q.Get("appid") == appID && q.Get("secret") == appSecret &&
			q.Get("grant_type") == "authorization_code")
		f.reply(w, r, q.Get("js_code"), fmt.Sprintf(`{"session_key":%q,"openid":%q,"unionid":%q}`, sessionKey, openID, unionID))
	case "/sns/oauth2/access_token":
		f.expect(r, http.MethodGet, q.Get("appid") == appID && q.Get("secret") == appSecret &&
			q.Get("grant_type") == "authorization_code")
		f.reply(w, r, q.Get("code"), fmt.Sprintf(`{"access_token":%q,"expires_in":7200,"refresh_token":"RT","openid":%q,"scope":"snsapi_userinfo","unionid":%q}`,
			userToken, openID, unionID))
	case "/sns/userinfo":
		f.expect(r, http.MethodGet, q.Get("lang") == "zh_CN")
		f.reply(w, r, q.Get("access_token"), fmt.Sprintf(`{"openid":%q,"nickname":"Band","sex":0,"province":"","city":"","country":"","headimgurl":"https://thirdwx.qlogo.cn/mmopen/x/132","privilege":[],"unionid":%q}`,
			q.Get("openid"), unionID))
	case "/cgi-bin/stable_token":
		f.stableToken(w, r)
	case "/wxa/business/getuserphonenumber":
		f.phoneNumber(w, r)
	case "/wxa/getwxacodeunlimit":
		f.unlimitedCode(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeWeixin) stableToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh *bool  `json:"force_refresh"`
	}
	err := json.NewDecoder(r.Body).Decode(&in)
	f.expect(r, http.MethodPost, err == nil && in.GrantType == "client_credential" && in.AppID == appID &&
		in.ForceRefresh != nil && !*in.ForceRefresh && r.Header.Get("Content-Type") == "application/json")
	f.reply(w, r, in.Secret, fmt.Sprintf(`{"access_token":%q,"expires_in":7200}`, goodToken))
}

func (f *fakeWeixin) phoneNumber(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Code string `json:"code"`
	}
	err := json.NewDecoder(r.Body).Decode(&in)
	f.expect(r, http.MethodPost, err == nil)
	if tok := r.URL.Query().Get("access_token"); tok != goodToken {
		f.reply(w, r, tok, "")
		return
	}
	wm := appID
	if in.Code == "foreign" {
		wm = "wx0000000000000000"
	}
	cc := `"86"`
	if in.Code == "numeric-cc" {
		cc = `86`
	}
	f.reply(w, r, in.Code, fmt.Sprintf(`{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"13800138000","purePhoneNumber":"13800138000","countryCode":%s,"watermark":{"timestamp":1637744274,"appid":%q}}}`,
		cc, wm))
}

// Pictures as WeChat's start: the PNG and JPEG signatures.
const (
	pngPicture  = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
	jpegPicture = "\xff\xd8\xff\xe0\x00\x10JFIF\x00"
)

// unlimitedCode answers the picture for scenes "png" and "jpeg" (other
// scenes pick reply's scenarios; "invalid-page" is 41030, "text" a plain
// text body), after checking the body's fields.
func (f *fakeWeixin) unlimitedCode(w http.ResponseWriter, r *http.Request) {
	var in CodeRequest
	err := json.NewDecoder(r.Body).Decode(&in)
	f.expect(r, http.MethodPost, err == nil && in.Page == "pages/qr/confirm" && in.CheckPath && in.EnvVersion == "trial" &&
		r.Header.Get("Content-Type") == "application/json")
	if tok := r.URL.Query().Get("access_token"); tok != goodToken {
		f.reply(w, r, tok, "")
		return
	}
	switch in.Scene {
	case "png", "jpeg":
		w.Header().Set("Content-Type", "image/"+in.Scene)
		fmt.Fprint(w, map[string]string{"png": pngPicture, "jpeg": jpegPicture}[in.Scene])
	case "invalid-page":
		fmt.Fprint(w, `{"errcode":41030,"errmsg":"invalid page rid: 65051e2d-76c2af4d-4e65d981"}`)
	case "text":
		fmt.Fprint(w, "service temporarily unavailable")
	default:
		f.reply(w, r, in.Scene, "")
	}
}

// reply answers according to key: an error scenario by name, a transport
// failure, "echo" (an errmsg repeating every value of the request, to test
// masking), "empty" (errcode 0 and no data), or else the success body.
func (f *fakeWeixin) reply(w http.ResponseWriter, r *http.Request, key, success string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if body, ok := wxErrors[key]; ok {
		fmt.Fprint(w, body)
		return
	}
	switch key {
	case "http500":
		http.Error(w, "upstream failed", http.StatusInternalServerError)
	case "http403":
		http.Error(w, "forbidden", http.StatusForbidden)
	case "html":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>502 Bad Gateway</body></html>")
	case "slow":
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	case "echo":
		fmt.Fprintf(w, `{"errcode":40029,"errmsg":"invalid code %s, request was %s"}`, key, r.URL.RawQuery)
	case "empty":
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
	default:
		fmt.Fprint(w, success)
	}
}

func (f *fakeWeixin) expect(r *http.Request, method string, ok bool) {
	if r.Method != method || !ok {
		f.t.Errorf("fake WeChat: unexpected %s %s request", r.Method, r.URL.Path)
	}
}
