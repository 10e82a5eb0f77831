// Package weibo is a thin client for Sina Weibo's web login (OAuth 2.0 on
// api.weibo.com): the authorization address, the code exchange (POST
// /oauth2/access_token, which names the user's uid) and the user's profile
// (GET /2/users/show.json). Errors are *oauthapi.Error or retryable
// transport failures; none repeats a secret.
package weibo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/idco-dev/idco/shared/internal/flex"
	"github.com/idco-dev/idco/shared/internal/oauthapi"
)

// DefaultBaseURL is Weibo's API host, which serves the authorization page
// too.
const DefaultBaseURL = "https://api.weibo.com"

// Client calls Weibo. BaseURL, when set, replaces api.weibo.com (a fake).
// A Client is safe for concurrent use.
type Client struct {
	BaseURL string
	HTTP    *http.Client
	Timeout time.Duration
}

// AuthCodeURL returns the authorization page's address (no scope: the uid
// and public profile are all idco reads).
func (c *Client) AuthCodeURL(appKey, redirectURI, state string) string {
	q := url.Values{"client_id": {appKey}, "redirect_uri": {redirectURI}, "response_type": {"code"}, "state": {state}}
	return oauthapi.AuthURL(oauthapi.Endpoint(c.BaseURL, DefaultBaseURL, "/oauth2/authorize"), q)
}

// Token is a code exchange's result: the user's access token and uid.
type Token struct {
	AccessToken string
	UID         string
}

// Token exchanges a code. A bad, used or expired code is 21325
// invalid_grant; a wrong secret 21324 invalid_client; another redirect_uri
// 21322 redirect_uri_mismatch.
func (c *Client) Token(ctx context.Context, appKey, secret, code, redirectURI string) (*Token, error) {
	if err := oauthapi.Required("weibo", "appKey", appKey, "secret", secret, "code", code); err != nil {
		return nil, err
	}
	var a struct {
		AccessToken string      `json:"access_token"`
		UID         flex.String `json:"uid"`
	}
	r := oauthapi.Request{Method: http.MethodPost, URL: oauthapi.Endpoint(c.BaseURL, DefaultBaseURL, "/oauth2/access_token"),
		Form: url.Values{"client_id": {appKey}, "client_secret": {secret}, "grant_type": {"authorization_code"},
			"code": {code}, "redirect_uri": {redirectURI}},
		Secrets: []string{secret, code}}
	if err := r.Do(ctx, c.HTTP, c.Timeout, "weibo", &a, refusal); err != nil {
		return nil, err
	}
	if a.AccessToken == "" || a.UID == "" {
		return nil, fmt.Errorf("weibo: access_token: %w", oauthapi.ErrNoID)
	}
	return &Token{AccessToken: a.AccessToken, UID: string(a.UID)}, nil
}

// User is a Weibo profile.
type User struct {
	ID         string
	ScreenName string
	Avatar     string
}

// Show reads uid's profile with the user's token; the answer must be uid's.
func (c *Client) Show(ctx context.Context, token, uid string) (*User, error) {
	if err := oauthapi.Required("weibo", "token", token, "uid", uid); err != nil {
		return nil, err
	}
	var a struct {
		IDStr        string `json:"idstr"`
		ScreenName   string `json:"screen_name"`
		ProfileImage string `json:"profile_image_url"`
		AvatarLarge  string `json:"avatar_large"`
	}
	r := oauthapi.Request{Method: http.MethodGet, URL: oauthapi.Endpoint(c.BaseURL, DefaultBaseURL, "/2/users/show.json"),
		Query: url.Values{"access_token": {token}, "uid": {uid}}, Secrets: []string{token}}
	if err := r.Do(ctx, c.HTTP, c.Timeout, "weibo", &a, refusal); err != nil {
		return nil, err
	}
	if a.IDStr != uid {
		return nil, fmt.Errorf("weibo: users/show answered for another uid")
	}
	avatar := a.AvatarLarge
	if avatar == "" {
		avatar = a.ProfileImage
	}
	return &User{ID: a.IDStr, ScreenName: a.ScreenName, Avatar: avatar}, nil
}

// refusal reads Weibo's errors, {"error", "error_code", "request"}: 10001
// (system error), 10009 (too many pending tasks) and 21331
// (temporarily_unavailable) are busy; 10022-10024 (IP, user and per-API
// rate limits) the rate limit.
func refusal(_ int, body []byte) *oauthapi.Error {
	var a struct {
		Error     string `json:"error"`
		ErrorCode int    `json:"error_code"`
		Desc      string `json:"error_description"`
	}
	if !oauthapi.Decode(body, &a) || a.ErrorCode == 0 {
		return nil
	}
	msg := a.Error
	if a.Desc != "" {
		msg += ": " + a.Desc
	}
	return &oauthapi.Error{Code: fmt.Sprint(a.ErrorCode), Msg: msg,
		Busy:    a.ErrorCode == 10001 || a.ErrorCode == 10009 || a.ErrorCode == 21331,
		Limited: a.ErrorCode >= 10022 && a.ErrorCode <= 10024}
}
