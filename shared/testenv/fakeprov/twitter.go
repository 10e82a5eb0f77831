package fakeprov

import (
	"net/http"
	"net/url"
	"strings"
)

// serveTwitter is x.com's /i/oauth2/authorize (which requires a PKCE
// challenge) and api.x.com's /2/oauth2/token (a confidential client
// authenticates with HTTP Basic) and /2/users/me. Token refusals are RFC
// 6749 errors: 400 invalid_request for a bad or used code or a wrong
// verifier, 401 unauthorized_client for wrong credentials; the API's are
// problem objects ({"title", "detail", "type", "status"}). Busy is 503,
// RateLimited 429.
func (f *Fake) serveTwitter(w http.ResponseWriter, r *http.Request, mode FailMode) {
	switch mode {
	case Busy:
		xProblem(w, http.StatusServiceUnavailable, "Service Unavailable")
		return
	case RateLimited:
		xProblem(w, http.StatusTooManyRequests, "Too Many Requests")
		return
	}
	switch {
	case r.URL.Path == "/i/oauth2/authorize" && r.Method == http.MethodGet:
		if q := r.URL.Query(); q.Get("code_challenge") == "" || q.Get("response_type") != "code" || q.Get("scope") == "" {
			http.Error(w, "code_challenge, response_type=code and a scope are required", http.StatusBadRequest)
			return
		}
		f.authorize(w, r, Twitter, "client_id", "code")
	case r.URL.Path == "/2/oauth2/token" && r.Method == http.MethodPost:
		f.xToken(w, r)
	case r.URL.Path == "/2/users/me" && r.Method == http.MethodGet:
		f.xMe(w, r)
	default:
		http.NotFound(w, r)
	}
}

func xProblem(w http.ResponseWriter, status int, title string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	writeJSON(w, map[string]any{"title": title, "detail": title, "type": "about:blank", "status": status})
}

func (f *Fake) xToken(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	p := r.PostForm
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	}
	if !ok || (p.Get("client_id") != "" && p.Get("client_id") != id) {
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "Missing valid authorization header")
		return
	}
	if p.Get("grant_type") != "authorization_code" || p.Get("code_verifier") == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Missing required parameter [code_verifier].")
		return
	}
	_, tok, e := f.redeem(Twitter, id, secret, p.Get("code"), p.Get("redirect_uri"), p.Get("code_verifier"))
	switch e {
	case badClient:
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "Missing valid authorization header")
	case redeemOK:
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		writeJSON(w, map[string]any{"token_type": "bearer", "expires_in": 7200, "access_token": tok, "scope": "users.read tweet.read"})
	default:
		oauthError(w, http.StatusBadRequest, "invalid_request", "Value passed for the authorization code was invalid.")
	}
}

func (f *Fake) xMe(w http.ResponseWriter, r *http.Request) {
	t, ok := f.tokenUser(Twitter, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	if !ok {
		xProblem(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	data := map[string]any{"id": t.user.ID, "name": t.user.Name, "username": strings.ToLower(t.user.Name)}
	if r.URL.Query().Get("user.fields") == "profile_image_url" {
		data["profile_image_url"] = t.user.Avatar
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	writeJSON(w, map[string]any{"data": data})
}
