package fakeprov

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// GoogleIssuer is the iss of Google's id_tokens.
const GoogleIssuer = "https://accounts.google.com"

// serveGoogle is accounts.google.com's authorization page,
// oauth2.googleapis.com's /token and the signing keys at
// /oauth2/v3/certs. Refusals are RFC 6749 errors: 400 invalid_grant for a
// bad, used or expired code or a wrong code_verifier, 400
// redirect_uri_mismatch, 401 invalid_client. Busy is 503, RateLimited 429.
func (f *Fake) serveGoogle(w http.ResponseWriter, r *http.Request, mode FailMode) {
	switch mode {
	case Busy:
		oauthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "Service Unavailable")
		return
	case RateLimited:
		oauthError(w, http.StatusTooManyRequests, "rate_limit_exceeded", "Rate Limit Exceeded")
		return
	}
	switch {
	case r.URL.Path == "/o/oauth2/v2/auth" && r.Method == http.MethodGet:
		if r.URL.Query().Get("response_type") != "code" {
			http.Error(w, "response_type must be code", http.StatusBadRequest)
			return
		}
		f.authorize(w, r, Google, "client_id", "code")
	case r.URL.Path == "/token" && r.Method == http.MethodPost:
		f.googleToken(w, r)
	case r.URL.Path == "/oauth2/v3/certs" && r.Method == http.MethodGet:
		f.googleKeys(w)
	default:
		http.NotFound(w, r)
	}
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	writeJSON(w, map[string]string{"error": code, "error_description": desc})
}

func (f *Fake) googleToken(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	p := r.PostForm
	if p.Get("grant_type") != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type: "+p.Get("grant_type"))
		return
	}
	clientID := p.Get("client_id")
	c, tok, e := f.redeem(Google, clientID, p.Get("client_secret"), p.Get("code"), p.Get("redirect_uri"), p.Get("code_verifier"))
	switch e {
	case badClient:
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Unauthorized")
		return
	case badRedirect:
		oauthError(w, http.StatusBadRequest, "redirect_uri_mismatch", "Bad Request")
		return
	case badCode, badVerifier:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "Bad Request")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	writeJSON(w, map[string]any{"access_token": "ya29." + tok, "expires_in": 3599, "token_type": "Bearer",
		"scope": "openid https://www.googleapis.com/auth/userinfo.profile", "id_token": f.googleIDToken(clientID, c)})
}

// googleIDToken signs an id_token as Google does: RS256 under the
// published kid, iss, azp and aud the client, sub, the profile, the email
// claims when the user has an email, iat now and exp an hour later; then
// the grant's edits.
func (f *Fake) googleIDToken(clientID string, c *oauthCode) string {
	now := f.now()
	claims := jwt.MapClaims{"iss": GoogleIssuer, "azp": clientID, "aud": clientID, "sub": c.user.ID,
		"at_hash": base64.RawURLEncoding.EncodeToString(randBytes(16)), "name": c.user.Name,
		"picture": c.user.Avatar, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	if c.user.Email != "" {
		claims["email"], claims["email_verified"] = c.user.Email, true
	}
	for k, v := range c.grant.IDToken {
		if v == nil {
			delete(claims, k)
		} else {
			claims[k] = v
		}
	}
	key := f.keys.google
	if c.grant.BadSignature {
		key = f.keys.stranger
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = f.keys.googleKid
	s, err := tok.SignedString(key)
	if err != nil {
		f.t.Errorf("fakeprov: signing an id_token: %v", err)
	}
	return s
}

// googleKeys is the JWKS Google publishes: two keys, as Google keeps the
// next one published beside the current.
func (f *Fake) googleKeys(w http.ResponseWriter) {
	type jwk struct {
		Kty string `json:"kty"`
		Alg string `json:"alg"`
		Use string `json:"use"`
		Kid string `json:"kid"`
		N   string `json:"n"`
		E   string `json:"e"`
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	for kid, k := range map[string]*big.Int{f.keys.googleKid: f.keys.google.N, "old" + f.keys.googleKid: f.keys.appleOld.N} {
		set.Keys = append(set.Keys, jwk{"RSA", "RS256", "sig", kid, base64.RawURLEncoding.EncodeToString(k.Bytes()), "AQAB"})
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Cache-Control", "public, max-age=19845, must-revalidate, no-transform")
	b, _ := json.Marshal(set)
	_, _ = w.Write(b)
}
