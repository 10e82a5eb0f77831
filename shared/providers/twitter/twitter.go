// Package twitter is a thin client for X's (Twitter's) OAuth 2.0
// authorization code flow with PKCE: the authorization address
// (x.com/i/oauth2/authorize), the code exchange (POST api.x.com/2/oauth2/
// token, a confidential client authenticating with HTTP Basic) and the user
// (GET api.x.com/2/users/me). Errors are *oauthapi.Error or retryable
// transport failures; none repeats a secret.
package twitter

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/idco-dev/idco/shared/internal/oauthapi"
)

// X's hosts: the authorization page and the API.
const (
	DefaultWebURL = "https://x.com"
	DefaultAPIURL = "https://api.x.com"
)

// Scopes are what idco asks for: users.read needs tweet.read beside it to
// read /2/users/me.
const Scopes = "users.read tweet.read"

// Client calls X. BaseURL, when set, replaces both hosts (a fake). A
// Client is safe for concurrent use.
type Client struct {
	BaseURL string
	HTTP    *http.Client
	Timeout time.Duration
}

// AuthCodeURL returns the authorization page's address. X requires the
// PKCE challenge.
func (c *Client) AuthCodeURL(clientID, redirectURI, state, codeChallenge string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirectURI},
		"scope": {Scopes}, "state": {state}, "code_challenge": {codeChallenge}, "code_challenge_method": {"S256"}}
	return oauthapi.AuthURL(oauthapi.Endpoint(c.BaseURL, DefaultWebURL, "/i/oauth2/authorize"), q)
}

// Token exchanges a code and its PKCE verifier. A bad, used or expired
// code (or a wrong verifier) is HTTP 400 invalid_request; wrong
// credentials 401 unauthorized_client.
func (c *Client) Token(ctx context.Context, clientID, secret, code, redirectURI, verifier string) (string, error) {
	if err := oauthapi.Required("twitter", "clientID", clientID, "secret", secret, "code", code, "verifier", verifier); err != nil {
		return "", err
	}
	var a struct {
		AccessToken string `json:"access_token"`
	}
	req := oauthapi.Request{Method: http.MethodPost, URL: oauthapi.Endpoint(c.BaseURL, DefaultAPIURL, "/2/oauth2/token"),
		Form: url.Values{"code": {code}, "grant_type": {"authorization_code"}, "redirect_uri": {redirectURI},
			"code_verifier": {verifier}, "client_id": {clientID}},
		Header:  http.Header{"Authorization": {basic(clientID, secret)}},
		Secrets: []string{secret, code, verifier}}
	if err := req.Do(ctx, c.HTTP, c.Timeout, "twitter", &a, oauthapi.Standard); err != nil {
		return "", err
	}
	if a.AccessToken == "" {
		return "", fmt.Errorf("twitter: token answer lacks access_token")
	}
	return a.AccessToken, nil
}

// basic is the HTTP Basic credentials of RFC 6749 section 2.3.1: the
// client id and secret, each form-encoded, joined by a colon.
func basic(id, secret string) string {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	return r.Header.Get("Authorization")
}

// User is the signed-in user. ID is X's stable user id; the username can
// change.
type User struct {
	ID              string
	Name            string
	Username        string
	ProfileImageURL string
}

// Me reads the token's user.
func (c *Client) Me(ctx context.Context, token string) (*User, error) {
	if err := oauthapi.Required("twitter", "token", token); err != nil {
		return nil, err
	}
	var a struct {
		Data struct {
			ID              string `json:"id"`
			Name            string `json:"name"`
			Username        string `json:"username"`
			ProfileImageURL string `json:"profile_image_url"`
		} `json:"data"`
	}
	req := oauthapi.Request{Method: http.MethodGet, URL: oauthapi.Endpoint(c.BaseURL, DefaultAPIURL, "/2/users/me"),
		Query:  url.Values{"user.fields": {"profile_image_url"}},
		Header: http.Header{"Authorization": {"Bearer " + token}}, Secrets: []string{token}}
	if err := req.Do(ctx, c.HTTP, c.Timeout, "twitter", &a, refusal); err != nil {
		return nil, err
	}
	if a.Data.ID == "" {
		return nil, fmt.Errorf("twitter: users/me: %w", oauthapi.ErrNoID)
	}
	return &User{ID: a.Data.ID, Name: a.Data.Name, Username: a.Data.Username, ProfileImageURL: a.Data.ProfileImageURL}, nil
}

// refusal reads the API's problem answers ({"title", "detail", "type",
// "status"}) to a failed call.
func refusal(status int, body []byte) *oauthapi.Error {
	if status >= 200 && status < 300 {
		return nil
	}
	var a struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	if json.Unmarshal(body, &a) != nil || a.Title == "" {
		return nil
	}
	return &oauthapi.Error{Code: a.Title, Msg: a.Detail}
}
