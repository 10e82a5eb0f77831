package fakeprov

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"

	"github.com/idco-dev/idco/shared/qrpng"
)

// wxSceneRE is what getwxacodeunlimit takes as scene: 1 to 32 visible
// characters of [0-9A-Za-z] and !#$&'()*+,/:;=?@-._~.
var wxSceneRE = regexp.MustCompile(`^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$`)

// WeixinPage registers page as released in mini program appID: a
// mini-program code naming another page, with check_path on, answers
// 41030.
func (f *Fake) WeixinPage(appID, page string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.wx.pages == nil {
		f.wx.pages = map[string]bool{}
	}
	f.wx.pages[appID+"/"+page] = true
}

// WeixinCodeURL is what the fake's mini-program codes encode: the app,
// page, version and scene a phone scanning a real one would open, as
// weixin-mp://<appid>/<page>?scene=<scene>&env_version=<version>.
func WeixinCodeURL(appID, page, scene, envVersion string) string {
	return (&url.URL{Scheme: "weixin-mp", Host: appID, Path: "/" + page,
		RawQuery: url.Values{"scene": {scene}, "env_version": {envVersion}}.Encode()}).String()
}

// wxUnlimitedCode is POST /wxa/getwxacodeunlimit?access_token=: a PNG QR
// code of WeixinCodeURL, or WeChat's errors (40001/42001 token, 47001
// body, 40129 scene, 41030 page, 40097 env_version).
func (f *Fake) wxUnlimitedCode(w http.ResponseWriter, r *http.Request) {
	if !f.wxMethod(w, r, http.MethodPost) {
		return
	}
	tok := r.URL.Query().Get("access_token")
	var in struct {
		Scene      string `json:"scene"`
		Page       string `json:"page"`
		CheckPath  *bool  `json:"check_path"`
		EnvVersion string `json:"env_version"`
	}
	bodyErr := json.NewDecoder(r.Body).Decode(&in)
	now := f.now()
	f.mu.Lock()
	t, ok := f.wx.appTokens[tok]
	released := f.wx.pages[t.appID+"/"+in.Page]
	f.mu.Unlock()
	if in.EnvVersion == "" {
		in.EnvVersion = "release"
	}
	switch {
	case tok == "":
		f.wxError(w, 41001, "access_token missing")
	case !ok:
		f.wxError(w, 40001, "invalid credential, access_token is invalid or not latest")
	case !now.Before(t.exp):
		f.wxError(w, 42001, "access_token expired")
	case bodyErr != nil:
		f.wxError(w, 47001, "data format error")
	case !wxSceneRE.MatchString(in.Scene):
		f.wxError(w, 40129, "invalid scene")
	case (in.CheckPath == nil || *in.CheckPath) && !released:
		f.wxError(w, 41030, "invalid page")
	case in.EnvVersion != "release" && in.EnvVersion != "trial" && in.EnvVersion != "develop":
		f.wxError(w, 40097, "invalid args")
	default:
		pic, err := qrpng.Encode(WeixinCodeURL(t.appID, in.Page, in.Scene, in.EnvVersion))
		if err != nil {
			f.wxError(w, -1, "system error")
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(pic)
	}
}
