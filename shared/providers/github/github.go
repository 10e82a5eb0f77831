// Package github is a thin client for GitHub's web application flow (OAuth
// apps and GitHub Apps): the authorization address, the code exchange
// (POST github.com/login/oauth/access_token, with PKCE S256) and the
// signed-in user (GET api.github.com/user). Errors are *oauthapi.Error or
// retryable transport failures; none repeats a secret.
package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/internal/flex"
	"github.com/idco-dev/idco/shared/internal/oauthapi"
)

// GitHub's hosts: the web pages and token endpoint, and the REST API.
const (
	DefaultWebURL = "https://github.com"
	DefaultAPIURL = "https://api.github.com"
)

// Client calls GitHub. BaseURL, when set, replaces both hosts (a fake
// serving every path); the zero HTTP and Timeout mean http.DefaultClient and
// oauthapi.DefaultTimeout. A Client is safe for concurrent use.
type Client struct {
	BaseURL string
	HTTP    *http.Client
	Timeout time.Duration
}

// AuthCodeURL returns the authorization page's address. No scope is asked:
// the public profile is all idco reads.
func (c *Client) AuthCodeURL(clientID, redirectURI, state, codeChallenge string) string {
	q := url.Values{"client_id": {clientID}, "redirect_uri": {redirectURI}, "state": {state}}
	if codeChallenge != "" {
		q.Set("code_challenge", codeChallenge)
		q.Set("code_challenge_method", "S256")
	}
	return oauthapi.AuthURL(oauthapi.Endpoint(c.BaseURL, DefaultWebURL, "/login/oauth/authorize"), q)
}

// Token exchanges a code for the user's access token. GitHub answers its
// refusals with HTTP 200 and an RFC 6749 error: bad_verification_code (a
// bad, used or expired code, or a wrong code_verifier),
// incorrect_client_credentials, redirect_uri_mismatch.
func (c *Client) Token(ctx context.Context, clientID, secret, code, redirectURI, verifier string) (string, error) {
	if err := oauthapi.Required("github", "clientID", clientID, "secret", secret, "code", code); err != nil {
		return "", err
	}
	form := url.Values{"client_id": {clientID}, "client_secret": {secret}, "code": {code}, "redirect_uri": {redirectURI}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	var a struct {
		AccessToken string `json:"access_token"`
	}
	r := oauthapi.Request{Method: http.MethodPost, URL: oauthapi.Endpoint(c.BaseURL, DefaultWebURL, "/login/oauth/access_token"),
		Form: form, Secrets: []string{secret, code}}
	if err := r.Do(ctx, c.HTTP, c.Timeout, "github", &a, oauthapi.Standard); err != nil {
		return "", err
	}
	if a.AccessToken == "" {
		return "", fmt.Errorf("github: access_token answer lacks the token")
	}
	return a.AccessToken, nil
}

// User is the signed-in user. ID is GitHub's stable numeric user id, the
// only thing to key an account by; the login can be renamed.
type User struct {
	ID        string
	Login     string
	Name      string
	AvatarURL string
}

// User reads the token's user. 401 is a token GitHub refuses ("Bad
// credentials"); 403 or 429 with a rate-limit message is the rate limit.
func (c *Client) User(ctx context.Context, token string) (*User, error) {
	if err := oauthapi.Required("github", "token", token); err != nil {
		return nil, err
	}
	var a struct {
		ID        flex.String `json:"id"`
		Login     string      `json:"login"`
		Name      string      `json:"name"`
		AvatarURL string      `json:"avatar_url"`
	}
	r := oauthapi.Request{Method: http.MethodGet, URL: oauthapi.Endpoint(c.BaseURL, DefaultAPIURL, "/user"),
		Header: http.Header{"Authorization": {"Bearer " + token}, "Accept": {"application/vnd.github+json"},
			"X-Github-Api-Version": {"2022-11-28"}, "User-Agent": {"idco"}},
		Secrets: []string{token}}
	if err := r.Do(ctx, c.HTTP, c.Timeout, "github", &a, refusal); err != nil {
		return nil, err
	}
	if a.ID == "" || a.ID == "0" {
		return nil, fmt.Errorf("github: user: %w", oauthapi.ErrNoID)
	}
	return &User{ID: string(a.ID), Login: a.Login, Name: a.Name, AvatarURL: a.AvatarURL}, nil
}

// refusal reads the REST API's {"message": ...} answers to a failed call.
func refusal(status int, body []byte) *oauthapi.Error {
	if status >= 200 && status < 300 {
		return nil
	}
	var a struct {
		Message string `json:"message"`
	}
	if !oauthapi.Decode(body, &a) || a.Message == "" {
		return nil
	}
	limited := (status == http.StatusForbidden || status == http.StatusTooManyRequests) &&
		strings.Contains(strings.ToLower(a.Message), "rate limit")
	return &oauthapi.Error{Code: http.StatusText(status), Msg: a.Message, Limited: limited}
}
