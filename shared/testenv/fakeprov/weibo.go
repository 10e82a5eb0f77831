package fakeprov

import (
	"net/http"
	"strconv"
)

// serveWeibo is api.weibo.com: /oauth2/authorize, /oauth2/access_token and
// /2/users/show.json. Errors are {"error", "error_code", "request"}: 21325
// invalid_grant for a bad or used code, 21324 invalid_client, 21322
// redirect_uri_mismatch, 21332 invalid_access_token. Busy is 10001 system
// error (HTTP 500), RateLimited 10023 (HTTP 403).
func (f *Fake) serveWeibo(w http.ResponseWriter, r *http.Request, mode FailMode) {
	switch mode {
	case Busy:
		weiboError(w, r, http.StatusInternalServerError, 10001, "system error!", "")
		return
	case RateLimited:
		weiboError(w, r, http.StatusForbidden, 10023, "User requests out of rate limit!", "")
		return
	}
	switch {
	case r.URL.Path == "/oauth2/authorize" && r.Method == http.MethodGet:
		f.authorize(w, r, Weibo, "client_id", "code")
	case r.URL.Path == "/oauth2/access_token" && r.Method == http.MethodPost:
		f.weiboToken(w, r)
	case r.URL.Path == "/2/users/show.json" && r.Method == http.MethodGet:
		f.weiboShow(w, r)
	default:
		http.NotFound(w, r)
	}
}

func weiboError(w http.ResponseWriter, r *http.Request, status, code int, errName, desc string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	v := map[string]any{"error": errName, "error_code": code, "request": r.URL.Path}
	if desc != "" {
		v["error_uri"], v["error_description"] = r.URL.Path, desc
	}
	writeJSON(w, v)
}

func (f *Fake) weiboToken(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	p := r.Form
	if p.Get("grant_type") != "authorization_code" {
		weiboError(w, r, http.StatusBadRequest, 21328, "unsupported_grant_type", "unsupported grant_type")
		return
	}
	c, tok, e := f.redeem(Weibo, p.Get("client_id"), p.Get("client_secret"), p.Get("code"), p.Get("redirect_uri"), "")
	switch e {
	case badClient:
		weiboError(w, r, http.StatusBadRequest, 21324, "invalid_client", "client_id or client_secret is invalid")
	case badRedirect:
		weiboError(w, r, http.StatusBadRequest, 21322, "redirect_uri_mismatch", "redirect uri mismatch")
	case badCode, badVerifier:
		weiboError(w, r, http.StatusBadRequest, 21325, "invalid_grant", "invalid authorization code")
	default:
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		writeJSON(w, map[string]any{"access_token": "2.00" + tok, "remind_in": "157679999", "expires_in": 157679999,
			"uid": c.user.ID, "isRealName": "true"})
	}
}

func (f *Fake) weiboShow(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok := q.Get("access_token")
	if len(tok) > 4 {
		tok = tok[4:]
	}
	t, ok := f.tokenUser(Weibo, tok)
	switch {
	case !ok:
		weiboError(w, r, http.StatusForbidden, 21332, "invalid_access_token", "")
		return
	case q.Get("uid") != t.user.ID:
		// Any user's public profile is readable; the fake knows only the
		// token's.
		weiboError(w, r, http.StatusBadRequest, 20003, "User does not exists!", "")
		return
	}
	id, _ := strconv.ParseInt(t.user.ID, 10, 64)
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	writeJSON(w, map[string]any{"id": id, "idstr": t.user.ID, "screen_name": t.user.Name, "name": t.user.Name,
		"profile_image_url": t.user.Avatar, "avatar_large": t.user.Avatar, "avatar_hd": t.user.Avatar})
}
