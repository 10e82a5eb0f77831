package fakeprov

import (
	"net/http"
	"net/url"
)

// WeixinNext makes the website login page (open.weixin.qq.com/connect/
// qrconnect) sign u in, as if u scanned its QR code and confirmed, with a
// code for the appid it is opened with; without one it signs in a new
// random user each time.
func (f *Fake) WeixinNext(u WeixinUser) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wx.next = &u
}

// wxQRConnect is the website login page: it checks the appid is a
// registered app, scope snsapi_login and response_type code, and sends the
// browser back to redirect_uri with code and state.
func (f *Fake) wxQRConnect(w http.ResponseWriter, r *http.Request) {
	w.Header().Del("Content-Type")
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	f.mu.Lock()
	_, known := f.wx.apps[q.Get("appid")]
	u := WeixinUser{Scope: "snsapi_login"}
	if f.wx.next != nil {
		u = *f.wx.next
	}
	f.mu.Unlock()
	if !known || q.Get("scope") != "snsapi_login" || q.Get("response_type") != "code" || err != nil || !back.IsAbs() {
		// WeChat shows an error page: 参数错误 or 该链接无法访问.
		http.Error(w, "参数错误", http.StatusBadRequest)
		return
	}
	u.AppID = q.Get("appid")
	code := randAlnum(32)
	f.WeixinCode(code, u)
	bq := back.Query()
	bq.Set("code", code)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}
