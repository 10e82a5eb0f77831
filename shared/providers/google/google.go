// Package google is a thin client for Google's OpenID Connect web server
// flow: the authorization address, the code exchange (POST
// oauth2.googleapis.com/token, with PKCE S256) and the verification of the
// id_token it returns against Google's signing keys (RS256, cached and
// refetched as shared/internal/jwks does), its issuer, audience and expiry.
// The user is the token's sub; the email is never read, since an account is
// never found by one.
package google

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/idco-dev/idco/shared/internal/httpcall"
	"github.com/idco-dev/idco/shared/internal/jwks"
	"github.com/idco-dev/idco/shared/internal/oauthapi"
)

// Google's hosts: the authorization page, the token endpoint and the
// signing keys (the jwks_uri of accounts.google.com's discovery document).
const (
	DefaultAuthURL  = "https://accounts.google.com"
	DefaultTokenURL = "https://oauth2.googleapis.com"
	DefaultKeysURL  = "https://www.googleapis.com"
)

// Issuers are the iss values Google's id_tokens carry.
var Issuers = []string{"https://accounts.google.com", "accounts.google.com"}

// skew is the clock difference tolerated on exp and iat.
const skew = 60 * time.Second

var (
	// ErrInvalid is wrapped by every rejection of the id_token itself.
	ErrInvalid = errors.New("google: invalid id_token")
	// ErrUnavailable means the id_token's key is not cached and Google's
	// keys could not be fetched: retryable.
	ErrUnavailable = errors.New("google: signing keys unavailable")
)

// Client calls Google. BaseURL, when set, replaces every host (a fake
// serving every path). Now is the clock the id_token is checked by. Keep
// one Client per process, so that Google's keys stay cached; it is safe for
// concurrent use and must not be copied after first use.
type Client struct {
	BaseURL string
	HTTP    *http.Client
	Timeout time.Duration
	Now     func() time.Time

	once sync.Once
	keys *jwks.Set
}

// AuthCodeURL returns the authorization page's address, asking for the
// openid and profile scopes (no email).
func (c *Client) AuthCodeURL(clientID, redirectURI, state, codeChallenge string) string {
	q := url.Values{"client_id": {clientID}, "redirect_uri": {redirectURI}, "response_type": {"code"},
		"scope": {"openid profile"}, "state": {state}, "access_type": {"online"}}
	if codeChallenge != "" {
		q.Set("code_challenge", codeChallenge)
		q.Set("code_challenge_method", "S256")
	}
	return oauthapi.AuthURL(oauthapi.Endpoint(c.BaseURL, DefaultAuthURL, "/o/oauth2/v2/auth"), q)
}

// Identity is what a verified id_token says: Subject is Google's stable
// user id.
type Identity struct {
	Subject string
	Name    string
	Picture string
}

// Exchange trades a code for tokens and returns the verified id_token's
// identity. Google refuses a bad, used or expired code, or a wrong
// code_verifier, with HTTP 400 invalid_grant.
func (c *Client) Exchange(ctx context.Context, clientID, secret, code, redirectURI, verifier string) (*Identity, error) {
	if err := oauthapi.Required("google", "clientID", clientID, "secret", secret, "code", code); err != nil {
		return nil, err
	}
	form := url.Values{"client_id": {clientID}, "client_secret": {secret}, "code": {code},
		"redirect_uri": {redirectURI}, "grant_type": {"authorization_code"}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	var a struct {
		IDToken string `json:"id_token"`
	}
	r := oauthapi.Request{Method: http.MethodPost, URL: oauthapi.Endpoint(c.BaseURL, DefaultTokenURL, "/token"),
		Form: form, Secrets: []string{secret, code}}
	if err := r.Do(ctx, c.HTTP, c.Timeout, "google", &a, oauthapi.Standard); err != nil {
		return nil, err
	}
	if a.IDToken == "" {
		return nil, fmt.Errorf("%w: the token answer has none (was openid asked for?)", ErrInvalid)
	}
	return c.Verify(ctx, a.IDToken, clientID)
}

type claims struct {
	jwt.RegisteredClaims
	Name    string `json:"name"`
	Picture string `json:"picture"`
}

// Verify checks an id_token: RS256 by one of Google's keys, iss one of
// Issuers, aud clientID, not expired, a sub.
func (c *Client) Verify(ctx context.Context, idToken, clientID string) (*Identity, error) {
	var cl claims
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithAudience(clientID),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(skew),
		jwt.WithTimeFunc(func() time.Time { return httpcall.Now(c.Now) }),
	)
	_, err := parser.ParseWithClaims(idToken, &cl, c.keySet().Keyfunc(ctx))
	switch {
	case errors.Is(err, jwks.ErrUnavailable):
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	case cl.Issuer != Issuers[0] && cl.Issuer != Issuers[1]:
		return nil, fmt.Errorf("%w: issuer %q", ErrInvalid, cl.Issuer)
	case cl.Subject == "":
		return nil, fmt.Errorf("%w: no sub", ErrInvalid)
	}
	return &Identity{Subject: cl.Subject, Name: cl.Name, Picture: cl.Picture}, nil
}

// keySet returns Google's keys, built on first use.
func (c *Client) keySet() *jwks.Set {
	c.once.Do(func() {
		c.keys = &jwks.Set{URL: oauthapi.Endpoint(c.BaseURL, DefaultKeysURL, "/oauth2/v3/certs"), HTTP: c.HTTP, Now: c.Now}
	})
	return c.keys
}
