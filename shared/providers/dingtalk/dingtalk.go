// Package dingtalk is a thin client for DingTalk's web login (the new
// API): the authorization address (login.dingtalk.com/oauth2/auth), the
// user access token (POST api.dingtalk.com/v1.0/oauth2/userAccessToken) and
// the signed-in user (GET /v1.0/contact/users/me). Errors are
// *oauthapi.Error or retryable transport failures; none repeats a secret.
package dingtalk

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/internal/oauthapi"
)

// DingTalk's hosts: the login page and the API.
const (
	DefaultLoginURL = "https://login.dingtalk.com"
	DefaultAPIURL   = "https://api.dingtalk.com"
)

// Client calls DingTalk. BaseURL, when set, replaces both hosts (a fake
// serving every path). A Client is safe for concurrent use.
type Client struct {
	BaseURL string
	HTTP    *http.Client
	Timeout time.Duration
}

// AuthCodeURL returns the login page's address (scope openid: the user's
// unionId). DingTalk sends the browser back with authCode (and code) and
// state.
func (c *Client) AuthCodeURL(clientID, redirectURI, state string) string {
	q := url.Values{"client_id": {clientID}, "redirect_uri": {redirectURI}, "response_type": {"code"},
		"scope": {"openid"}, "state": {state}, "prompt": {"consent"}}
	return oauthapi.AuthURL(oauthapi.Endpoint(c.BaseURL, DefaultLoginURL, "/oauth2/auth"), q)
}

// Token exchanges an authCode for the user's access token. A bad, used or
// expired code is HTTP 400 invalidParameter.authCode.notFound.
func (c *Client) Token(ctx context.Context, clientID, secret, code string) (string, error) {
	if err := oauthapi.Required("dingtalk", "clientID", clientID, "secret", secret, "code", code); err != nil {
		return "", err
	}
	var a struct {
		AccessToken string `json:"accessToken"`
	}
	r := oauthapi.Request{Method: http.MethodPost, URL: oauthapi.Endpoint(c.BaseURL, DefaultAPIURL, "/v1.0/oauth2/userAccessToken"),
		JSON:    map[string]string{"clientId": clientID, "clientSecret": secret, "code": code, "grantType": "authorization_code"},
		Secrets: []string{secret, code}}
	if err := r.Do(ctx, c.HTTP, c.Timeout, "dingtalk", &a, refusal); err != nil {
		return "", err
	}
	if a.AccessToken == "" {
		return "", fmt.Errorf("dingtalk: userAccessToken answer lacks accessToken")
	}
	return a.AccessToken, nil
}

// User is the signed-in user. UnionID is the user's id across the
// developer's apps, the key idco uses; OpenID is per app.
type User struct {
	UnionID   string
	OpenID    string
	Nick      string
	AvatarURL string
}

// Me reads the token's user.
func (c *Client) Me(ctx context.Context, token string) (*User, error) {
	if err := oauthapi.Required("dingtalk", "token", token); err != nil {
		return nil, err
	}
	var a struct {
		Nick      string `json:"nick"`
		AvatarURL string `json:"avatarUrl"`
		OpenID    string `json:"openId"`
		UnionID   string `json:"unionId"`
	}
	r := oauthapi.Request{Method: http.MethodGet, URL: oauthapi.Endpoint(c.BaseURL, DefaultAPIURL, "/v1.0/contact/users/me"),
		Header: http.Header{"X-Acs-Dingtalk-Access-Token": {token}}, Secrets: []string{token}}
	if err := r.Do(ctx, c.HTTP, c.Timeout, "dingtalk", &a, refusal); err != nil {
		return nil, err
	}
	if a.UnionID == "" {
		return nil, fmt.Errorf("dingtalk: users/me: %w", oauthapi.ErrNoID)
	}
	return &User{UnionID: a.UnionID, OpenID: a.OpenID, Nick: a.Nick, AvatarURL: a.AvatarURL}, nil
}

// refusal reads the new API's errors, {"code": ..., "message": ...,
// "requestid": ...}: throttling codes (Throttling.*, ...QpsLimit...) are
// the rate limit; ServiceUnavailable and SystemBusy are busy.
func refusal(status int, body []byte) *oauthapi.Error {
	var a struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if !oauthapi.Decode(body, &a) || a.Code == "" || (status >= 200 && status < 300) {
		return nil
	}
	lc := strings.ToLower(a.Code)
	return &oauthapi.Error{Code: a.Code, Msg: a.Message,
		Limited: strings.Contains(lc, "throttling") || strings.Contains(lc, "qpslimit"),
		Busy:    strings.Contains(lc, "serviceunavailable") || strings.Contains(lc, "systembusy")}
}
