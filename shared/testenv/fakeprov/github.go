package fakeprov

import (
	"net/http"
	"strconv"
	"strings"
)

// serveGitHub is github.com's authorization page and token endpoint and
// api.github.com's /user. GitHub answers token refusals with HTTP 200 and
// an RFC 6749 error (JSON when asked with Accept: application/json); the
// REST API answers {"message": ...}. GitHub documents no busy answer: Busy
// is HTTP 503; RateLimited is the REST API's 403 rate-limit message, and
// 429 on github.com.
func (f *Fake) serveGitHub(w http.ResponseWriter, r *http.Request, mode FailMode) {
	switch mode {
	case Busy:
		w.WriteHeader(http.StatusServiceUnavailable)
		writeJSON(w, map[string]string{"message": "Service Unavailable"})
		return
	case RateLimited:
		if r.URL.Path != "/user" {
			http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
			return
		}
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.WriteHeader(http.StatusForbidden)
		writeJSON(w, map[string]string{"message": "API rate limit exceeded for user ID 1.",
			"documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"})
		return
	}
	switch {
	case r.URL.Path == "/login/oauth/authorize" && r.Method == http.MethodGet:
		f.authorize(w, r, GitHub, "client_id", "code")
	case r.URL.Path == "/login/oauth/access_token" && r.Method == http.MethodPost:
		f.githubToken(w, r)
	case r.URL.Path == "/user" && r.Method == http.MethodGet:
		f.githubUser(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (f *Fake) githubToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if !strings.Contains(r.Header.Get("Accept"), "application/json") {
		f.t.Errorf("fake GitHub: access_token without Accept: application/json")
	}
	_ = r.ParseForm()
	p := r.PostForm
	_, tok, e := f.redeem(GitHub, p.Get("client_id"), p.Get("client_secret"), p.Get("code"), p.Get("redirect_uri"), p.Get("code_verifier"))
	fail := func(code, desc string) {
		writeJSON(w, map[string]string{"error": code, "error_description": desc,
			"error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#" + strings.ReplaceAll(code, "_", "-")})
	}
	switch e {
	case badClient:
		fail("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.")
	case badRedirect:
		fail("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application.")
	case badCode, badVerifier:
		fail("bad_verification_code", "The code passed is incorrect or expired.")
	default:
		writeJSON(w, map[string]string{"access_token": "gho_" + tok, "token_type": "bearer", "scope": ""})
	}
}

func (f *Fake) githubUser(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if r.Header.Get("User-Agent") == "" {
		// GitHub refuses requests without a User-Agent.
		w.WriteHeader(http.StatusForbidden)
		writeJSON(w, map[string]string{"message": "Request forbidden by administrative rules. Please make sure your request has a User-Agent header"})
		return
	}
	t, ok := f.tokenUser(GitHub, strings.TrimPrefix(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), "gho_"))
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, map[string]string{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
		return
	}
	id, _ := strconv.ParseInt(t.user.ID, 10, 64)
	var email any
	if t.user.Email != "" {
		email = t.user.Email
	}
	writeJSON(w, map[string]any{"login": strings.ToLower(t.user.Name), "id": id, "node_id": "MDQ6VXNlcjE=",
		"avatar_url": t.user.Avatar, "type": "User", "site_admin": false, "name": t.user.Name, "email": email})
}
