package fakeprov

import (
	"encoding/json"
	"net/http"
)

// serveDingTalk is login.dingtalk.com's /oauth2/auth (which sends the
// browser back with authCode, and code, and state) and api.dingtalk.com's
// /v1.0/oauth2/userAccessToken and /v1.0/contact/users/me. Errors are the
// new API's {"code", "message", "requestid"}: 400
// invalidParameter.authCode.notFound for a bad or used code (as DingTalk
// answers and public clients handle it), 400 invalidClientIdOrSecret for
// wrong credentials, 401 InvalidAuthentication for a bad token. Busy is
// 503 ServiceUnavailable, RateLimited 403 Forbidden.AccessDenied.QpsLimitForApi.
func (f *Fake) serveDingTalk(w http.ResponseWriter, r *http.Request, mode FailMode) {
	switch mode {
	case Busy:
		dingError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "服务暂不可用")
		return
	case RateLimited:
		dingError(w, http.StatusForbidden, "Forbidden.AccessDenied.QpsLimitForApi", "应用调用该接口超出QPS限制")
		return
	}
	switch {
	case r.URL.Path == "/oauth2/auth" && r.Method == http.MethodGet:
		if q := r.URL.Query(); q.Get("response_type") != "code" || q.Get("scope") == "" {
			http.Error(w, "response_type=code and a scope are required", http.StatusBadRequest)
			return
		}
		f.authorize(w, r, DingTalk, "client_id", "authCode", "code")
	case r.URL.Path == "/v1.0/oauth2/userAccessToken" && r.Method == http.MethodPost:
		f.dingToken(w, r)
	case r.URL.Path == "/v1.0/contact/users/me" && r.Method == http.MethodGet:
		f.dingMe(w, r)
	default:
		http.NotFound(w, r)
	}
}

func dingError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	writeJSON(w, map[string]string{"code": code, "message": msg, "requestid": randHex(8)})
}

func (f *Fake) dingToken(w http.ResponseWriter, r *http.Request) {
	var p struct {
		ClientID     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
		Code         string `json:"code"`
		GrantType    string `json:"grantType"`
	}
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil || p.GrantType != "authorization_code" {
		dingError(w, http.StatusBadRequest, "invalidParameter.grantType.invalid", "grantType不合法")
		return
	}
	_, tok, e := f.redeem(DingTalk, p.ClientID, p.ClientSecret, p.Code, anyRedirect, "")
	switch e {
	case badClient:
		dingError(w, http.StatusBadRequest, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
	case redeemOK:
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		writeJSON(w, map[string]any{"accessToken": tok, "refreshToken": randHex(16), "expireIn": 7200, "corpId": ""})
	default:
		dingError(w, http.StatusBadRequest, "invalidParameter.authCode.notFound", "不合法的临时授权码")
	}
}

func (f *Fake) dingMe(w http.ResponseWriter, r *http.Request) {
	t, ok := f.tokenUser(DingTalk, r.Header.Get("X-Acs-Dingtalk-Access-Token"))
	if !ok {
		dingError(w, http.StatusUnauthorized, "InvalidAuthentication", "不合法的access_token")
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	writeJSON(w, map[string]any{"nick": t.user.Name, "avatarUrl": t.user.Avatar, "openId": t.user.OpenID,
		"unionId": t.user.ID, "email": t.user.Email, "stateCode": "86"})
}
