package account

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/idco-dev/idco/shared/apierr"
)

// OAuth scopes an app may ask for. openid makes it an OpenID Connect
// request (an ID token); profile, email and phone add those claims; role
// adds the user's roles and permissions.
var OAuthScopes = []string{"openid", "profile", "email", "phone", "role"}

// ClientSecretPrefix starts every app secret, for secret scanners.
const ClientSecretPrefix = "idco_cs_"

// OAuthClient is an app registered with the open platform (the seed's
// OAuthApp): who may send users to the hosted login and where they may be
// sent back. A client belongs to one of the config's apps: its users and
// that app's config (login methods, limits, token secret) serve it.
type OAuthClient struct {
	ID      string `json:"client_id"`
	AppID   string `json:"appid"`
	Name    string `json:"name"`
	Logo    string `json:"logo,omitempty"`
	Website string `json:"website,omitempty"`
	// SecretDigest is the SHA-256 of the secret; "" for a public client
	// (a mobile or single-page app), which must use PKCE.
	SecretDigest           string   `json:"secret_digest,omitempty"`
	RedirectURIs           []string `json:"redirect_uris"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
	Scopes                 []string `json:"scopes"`
	// LegacyFragment lets the seed's SSO link deliver the access token in
	// the redirect's fragment, for apps that cannot run the code flow.
	// Nothing else ever puts a token in a URL.
	LegacyFragment bool `json:"legacy_fragment,omitempty"`
	// Trusted apps (the operator's own) skip the consent screen.
	Trusted bool  `json:"trusted,omitempty"`
	Created int64 `json:"created"`
}

// Public reports whether the client has no secret.
func (c *OAuthClient) Public() bool { return c.SecretDigest == "" }

// CheckSecret reports whether secret is the client's.
func (c *OAuthClient) CheckSecret(secret string) bool {
	if c.Public() || secret == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(patDigest(secret)), []byte(c.SecretDigest)) == 1
}

// ClientCatalog is every registered app: tens, not thousands, kept as
// one document like the role catalog.
type ClientCatalog struct {
	Version int64                  `json:"-"`
	Clients map[string]OAuthClient `json:"clients"`
}

// OAuthClients stores the client catalog.
type OAuthClients interface {
	// ClientCatalog returns the catalog with a strongly consistent read:
	// an empty one (Version 0) when none was saved.
	ClientCatalog(ctx context.Context) (*ClientCatalog, error)
	// SaveClientCatalog writes c if the stored Version is still c.Version
	// (then it becomes c.Version+1); ErrConflict, writing nothing, when
	// another save came first.
	SaveClientCatalog(ctx context.Context, c *ClientCatalog) error
}

// Client returns the registered app id, or uni-id-oauth-client-not-found.
func (s *Service) Client(ctx context.Context, id string) (*OAuthClient, error) {
	cat, err := s.Clients.ClientCatalog(ctx)
	if err != nil {
		return nil, storeErr("read client catalog", err)
	}
	c, ok := cat.Clients[id]
	if !ok {
		return nil, &apierr.Error{Code: apierr.OAuthClientNotFound, Values: map[string]string{"client": clip(id, 64)}}
	}
	return &c, nil
}

// editClients applies fn to the catalog and saves it, again on a
// concurrent save.
func (s *Service) editClients(ctx context.Context, fn func(cat *ClientCatalog) error) error {
	for range saveAttempts {
		cat, err := s.Clients.ClientCatalog(ctx)
		if err != nil {
			return storeErr("read client catalog", err)
		}
		if err := fn(cat); err != nil {
			return err
		}
		err = s.Clients.SaveClientCatalog(ctx, cat)
		if !errors.Is(err, ErrConflict) {
			return storeErr("save client catalog", err)
		}
	}
	return apierr.Wrap(apierr.RetryLater, errors.New("client catalog kept changing"))
}

// newClientSecret returns a secret and its digest.
func (s *Service) newClientSecret() (string, string, error) {
	var b [32]byte
	if _, err := io.ReadFull(s.rand(), b[:]); err != nil {
		return "", "", apierr.Systemf("random secret: %w", err)
	}
	secret := ClientSecretPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, patDigest(secret), nil
}

func (s *Service) newClientID() (string, error) {
	var b [10]byte
	if _, err := io.ReadFull(s.rand(), b[:]); err != nil {
		return "", apierr.Systemf("random client id: %w", err)
	}
	return "oc_" + hex.EncodeToString(b[:]), nil
}

// ValidRedirectURI reports whether uri may be registered: absolute, no
// fragment, no user info, at most 512 bytes, and https, http to a loopback
// address (RFC 8252's native apps) or a private-use scheme in reverse
// domain form (com.example.app:/callback).
func ValidRedirectURI(uri string) bool {
	if len(uri) > 512 || strings.ContainsAny(uri, "# \t\r\n\\") {
		return false
	}
	u, err := url.Parse(uri)
	if err != nil || !u.IsAbs() || u.User != nil {
		return false
	}
	switch u.Scheme {
	case "https":
		return u.Host != ""
	case "http":
		host := u.Hostname()
		ip := net.ParseIP(host)
		return host == "localhost" || (ip != nil && ip.IsLoopback())
	case "javascript", "data", "file", "vbscript", "blob":
		return false
	}
	return strings.Contains(u.Scheme, ".") && u.Host == ""
}

func checkURIs(field string, uris []string, required bool) error {
	if required && len(uris) == 0 {
		return apierr.Param(apierr.ParamRequired, field)
	}
	if len(uris) > 10 {
		return apierr.Param(apierr.InvalidParam, field)
	}
	for _, u := range uris {
		if !ValidRedirectURI(u) {
			return &apierr.Error{Code: apierr.OAuthInvalidURI, Values: map[string]string{"uri": clip(u, 80)}}
		}
	}
	return nil
}

func checkScopes(scopes []string) error {
	for _, sc := range scopes {
		if !slices.Contains(OAuthScopes, sc) {
			return &apierr.Error{Code: apierr.OAuthInvalidScope, Values: map[string]string{"scope": clip(sc, 32)}}
		}
	}
	return nil
}

// displayText checks an app's name, logo or website as shown on the
// consent screen.
func displayText(field, v string, required bool, max int) error {
	switch {
	case required && strings.TrimSpace(v) == "":
		return apierr.Param(apierr.ParamRequired, field)
	case utf8.RuneCountInString(v) > max || strings.ContainsAny(v, "\x00\r\n"):
		return apierr.Param(apierr.InvalidParam, field)
	}
	return nil
}

func httpsURL(field, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Host == "" || len(v) > 512 {
		return apierr.Param(apierr.InvalidParam, field)
	}
	return nil
}
