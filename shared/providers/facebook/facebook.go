// Package facebook is a thin client for Facebook Login's manually built
// web flow: the login dialog's address (www.facebook.com/<version>/dialog/
// oauth), the code exchange (GET graph.facebook.com/<version>/oauth/
// access_token) and the user (GET /<version>/me, signed with
// appsecret_proof). Errors are *oauthapi.Error or retryable transport
// failures; none repeats a secret.
package facebook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/idco-dev/idco/shared/internal/oauthapi"
)

// Facebook's hosts: the login dialog and the Graph API.
const (
	DefaultWWWURL   = "https://www.facebook.com"
	DefaultGraphURL = "https://graph.facebook.com"
)

// DefaultVersion is the Graph API version called when the config names
// none. Facebook keeps a version for about two years after the next one.
const DefaultVersion = "v23.0"

// Client calls Facebook. BaseURL, when set, replaces both hosts (a fake);
// Version "" means DefaultVersion. A Client is safe for concurrent use.
type Client struct {
	BaseURL string
	Version string
	HTTP    *http.Client
	Timeout time.Duration
}

func (c *Client) version() string {
	if c.Version == "" {
		return DefaultVersion
	}
	return c.Version
}

// AuthCodeURL returns the login dialog's address, asking for
// public_profile only.
func (c *Client) AuthCodeURL(appID, redirectURI, state string) string {
	q := url.Values{"client_id": {appID}, "redirect_uri": {redirectURI}, "state": {state},
		"response_type": {"code"}, "scope": {"public_profile"}}
	return oauthapi.AuthURL(oauthapi.Endpoint(c.BaseURL, DefaultWWWURL, "/"+c.version()+"/dialog/oauth"), q)
}

// Token exchanges a code for the user's access token. A used or expired
// code is OAuthException 100 (subcodes 36007, 36009).
func (c *Client) Token(ctx context.Context, appID, secret, code, redirectURI string) (string, error) {
	if err := oauthapi.Required("facebook", "appID", appID, "secret", secret, "code", code); err != nil {
		return "", err
	}
	var a struct {
		AccessToken string `json:"access_token"`
	}
	r := oauthapi.Request{Method: http.MethodGet, URL: oauthapi.Endpoint(c.BaseURL, DefaultGraphURL, "/"+c.version()+"/oauth/access_token"),
		Query:   url.Values{"client_id": {appID}, "client_secret": {secret}, "code": {code}, "redirect_uri": {redirectURI}},
		Secrets: []string{secret, code}}
	if err := r.Do(ctx, c.HTTP, c.Timeout, "facebook", &a, refusal); err != nil {
		return "", err
	}
	if a.AccessToken == "" {
		return "", fmt.Errorf("facebook: access_token answer lacks the token")
	}
	return a.AccessToken, nil
}

// User is the signed-in user. ID is the app-scoped user id.
type User struct {
	ID      string
	Name    string
	Picture string
}

// Me reads the token's user, the call signed with appsecret_proof (the
// HMAC-SHA256 of the token under the app secret), which Facebook requires
// of server calls when the app enables "Require App Secret".
func (c *Client) Me(ctx context.Context, token, secret string) (*User, error) {
	if err := oauthapi.Required("facebook", "token", token, "secret", secret); err != nil {
		return nil, err
	}
	var a struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Picture struct {
			Data struct {
				URL string `json:"url"`
			} `json:"data"`
		} `json:"picture"`
	}
	r := oauthapi.Request{Method: http.MethodGet, URL: oauthapi.Endpoint(c.BaseURL, DefaultGraphURL, "/"+c.version()+"/me"),
		Query: url.Values{"fields": {"id,name,picture.type(large)"}, "access_token": {token},
			"appsecret_proof": {AppSecretProof(token, secret)}},
		Secrets: []string{token, secret}}
	if err := r.Do(ctx, c.HTTP, c.Timeout, "facebook", &a, refusal); err != nil {
		return nil, err
	}
	if a.ID == "" {
		return nil, fmt.Errorf("facebook: me: %w", oauthapi.ErrNoID)
	}
	return &User{ID: a.ID, Name: a.Name, Picture: a.Picture.Data.URL}, nil
}

// AppSecretProof is hex(HMAC-SHA256(key: app secret, message: token)).
func AppSecretProof(token, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// refusal reads the Graph API's {"error": {"message", "type", "code",
// "error_subcode"}}: code 2 (service temporarily unavailable) is busy; 4,
// 17, 32 and 613 are rate limits.
func refusal(_ int, body []byte) *oauthapi.Error {
	var a struct {
		Error *struct {
			Message string `json:"message"`
			Type    string `json:"type"`
			Code    int    `json:"code"`
			Subcode int    `json:"error_subcode"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &a) != nil || a.Error == nil {
		return nil
	}
	e := a.Error
	code := fmt.Sprint(e.Code)
	if e.Subcode != 0 {
		code += "/" + fmt.Sprint(e.Subcode)
	}
	return &oauthapi.Error{Code: code, Msg: e.Type + ": " + e.Message, Busy: e.Code == 2,
		Limited: e.Code == 4 || e.Code == 17 || e.Code == 32 || e.Code == 613}
}
