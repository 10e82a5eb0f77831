package fakeprov

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// FacebookVersion is the Graph API version the fake serves (idco's
// default).
const FacebookVersion = "v23.0"

// serveFacebook is www.facebook.com's login dialog and graph.facebook.com's
// oauth/access_token and /me, under /<FacebookVersion>. Errors are
// {"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}:
// OAuthException 100/36009 for a used code, 100/36007 for an unknown one,
// 1 for a wrong secret, 190 for a bad token, 100 for a missing or wrong
// appsecret_proof. Busy is code 2, RateLimited code 4.
func (f *Fake) serveFacebook(w http.ResponseWriter, r *http.Request, mode FailMode) {
	switch mode {
	case Busy:
		fbError(w, http.StatusServiceUnavailable, "OAuthException", 2, 0, "Service temporarily unavailable")
		return
	case RateLimited:
		fbError(w, http.StatusForbidden, "OAuthException", 4, 0, "Application request limit reached")
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/"+FacebookVersion)
	switch {
	case !ok || r.Method != http.MethodGet:
		http.NotFound(w, r)
	case path == "/dialog/oauth":
		f.authorize(w, r, Facebook, "client_id", "code")
	case path == "/oauth/access_token":
		f.fbToken(w, r)
	case path == "/me":
		f.fbMe(w, r)
	default:
		http.NotFound(w, r)
	}
}

func fbError(w http.ResponseWriter, status int, typ string, code, sub int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	e := map[string]any{"message": msg, "type": typ, "code": code, "fbtrace_id": randAlnum(11)}
	if sub != 0 {
		e["error_subcode"] = sub
	}
	writeJSON(w, map[string]any{"error": e})
}

func (f *Fake) fbToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	code := q.Get("code")
	f.mu.Lock()
	c := f.oa.codes[Facebook+"\x00"+code]
	used := c != nil && c.used
	f.mu.Unlock()
	_, tok, e := f.redeem(Facebook, q.Get("client_id"), q.Get("client_secret"), code, q.Get("redirect_uri"), "")
	switch {
	case e == badClient:
		fbError(w, http.StatusBadRequest, "OAuthException", 1, 0, "Error validating client secret.")
	case e == badRedirect:
		fbError(w, http.StatusBadRequest, "OAuthException", 100, 36008, "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request")
	case used:
		fbError(w, http.StatusBadRequest, "OAuthException", 100, 36009, "This authorization code has been used.")
	case e != redeemOK:
		fbError(w, http.StatusBadRequest, "OAuthException", 100, 36007, "Invalid verification code format.")
	default:
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		writeJSON(w, map[string]any{"access_token": "EAA" + tok, "token_type": "bearer", "expires_in": 5183944})
	}
}

func (f *Fake) fbMe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok := strings.TrimPrefix(q.Get("access_token"), "EAA")
	t, ok := f.tokenUser(Facebook, tok)
	if !ok {
		fbError(w, http.StatusUnauthorized, "OAuthException", 190, 0, "Invalid OAuth access token - Cannot parse access token")
		return
	}
	f.mu.Lock()
	secret := f.oa.apps[Facebook][t.clientID]
	f.mu.Unlock()
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(q.Get("access_token")))
	if proof := q.Get("appsecret_proof"); proof == "" || (secret != "" && !hmac.Equal([]byte(proof), []byte(hex.EncodeToString(m.Sum(nil))))) {
		fbError(w, http.StatusBadRequest, "GraphMethodException", 100, 0, "Invalid appsecret_proof provided in the API argument")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	writeJSON(w, map[string]any{"id": t.user.ID, "name": t.user.Name,
		"picture": map[string]any{"data": map[string]any{"height": 200, "width": 200, "is_silhouette": t.user.Avatar == "", "url": t.user.Avatar}}})
}
