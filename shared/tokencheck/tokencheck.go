// Package tokencheck is for other backends that accept idco's tokens: a
// Checker asks idco's checkToken method whether a token stands (signature,
// expiry, session, account standing) and keeps a positive answer for a
// short time. That time is the bound on revocation: a token ended by
// logout, a password change, a ban or a role taken away is refused at the
// latest TTL after the change (and at once by idco's own methods).
//
//	c := &tokencheck.Checker{URL: "https://api.example.com/uni-id-co", AppID: "__UNI__xxxxxxx"}
//	id, err := c.Check(ctx, token)
//	if err == nil && id.HasPermission("posts.edit") { ... }
package tokencheck

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Errors of Check.
var (
	// ErrInvalid: the token is not, or no longer, a live idco token.
	ErrInvalid = errors.New("tokencheck: token refused")
	// ErrUnavailable: idco could not be asked; try again.
	ErrUnavailable = errors.New("tokencheck: idco unavailable")
)

// DefaultTTL is how long a positive answer is kept when TTL is zero.
const DefaultTTL = 30 * time.Second

// Checker checks tokens with one idco deployment. Its zero cache is ready;
// it is safe for concurrent use.
type Checker struct {
	// URL is where uni-id-co's methods are served: the stack's one URL
	// followed by /uni-id-co (or the account function's URL).
	URL string
	// AppID is the DCloud appId whose config signs the tokens; Platform the
	// uniPlatform ("web" when empty).
	AppID, Platform string
	// TTL is how long a positive answer is kept (DefaultTTL when zero; at
	// most 5 minutes): the bound on revocation.
	TTL  time.Duration
	HTTP *http.Client     // http.DefaultClient when nil
	Now  func() time.Time // time.Now when nil

	mu    sync.Mutex
	cache map[[32]byte]entry
}

type entry struct {
	id   Identity
	keep time.Time
}

// Identity is what a live token says.
type Identity struct {
	UID        string
	Role       []string
	Permission []string
	Expires    time.Time
}

// HasRole reports whether the user has role, or is the administrator.
func (i *Identity) HasRole(role string) bool {
	return slices.Contains(i.Role, "admin") || slices.Contains(i.Role, role)
}

// HasPermission reports whether the token grants permission, or the user
// is the administrator (who passes every rule, as in uni-id).
func (i *Identity) HasPermission(permission string) bool {
	return slices.Contains(i.Role, "admin") || slices.Contains(i.Permission, permission)
}

func (c *Checker) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Checker) ttl() time.Duration {
	switch {
	case c.TTL <= 0:
		return DefaultTTL
	case c.TTL > 5*time.Minute:
		return 5 * time.Minute
	}
	return c.TTL
}

// Check returns the identity of a live token, ErrInvalid for a token idco
// refuses, or ErrUnavailable when idco cannot answer.
func (c *Checker) Check(ctx context.Context, token string) (*Identity, error) {
	if token == "" || len(token) > 4096 || strings.Count(token, ".") != 2 {
		return nil, ErrInvalid
	}
	key := sha256.Sum256([]byte(token))
	now := c.now()
	c.mu.Lock()
	if e, ok := c.cache[key]; ok && now.Before(e.keep) {
		c.mu.Unlock()
		id := e.id
		return &id, nil
	}
	c.mu.Unlock()
	id, err := c.ask(ctx, token)
	if err != nil {
		return nil, err
	}
	keep := now.Add(c.ttl())
	if id.Expires.Before(keep) {
		keep = id.Expires
	}
	c.mu.Lock()
	if c.cache == nil || len(c.cache) > 10000 {
		c.cache = map[[32]byte]entry{} // bounded: start over rather than grow
	}
	c.cache[key] = entry{id: *id, keep: keep}
	c.mu.Unlock()
	return id, nil
}

// ask calls checkToken.
func (c *Checker) ask(ctx context.Context, token string) (*Identity, error) {
	platform := c.Platform
	if platform == "" {
		platform = "web"
	}
	body, _ := json.Marshal(map[string]any{"params": map[string]string{"token": token},
		"clientInfo": map[string]string{"appId": c.AppID, "uniPlatform": platform, "deviceId": "tokencheck"}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.URL, "/")+"/checkToken", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	var out struct {
		ErrCode      any      `json:"errCode"`
		UID          string   `json:"uid"`
		Role         []string `json:"role"`
		Permission   []string `json:"permission"`
		TokenExpired int64    `json:"tokenExpired"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("%w: status %d", ErrUnavailable, resp.StatusCode)
	}
	switch out.ErrCode {
	case float64(0), "0":
		return &Identity{UID: out.UID, Role: out.Role, Permission: out.Permission, Expires: time.UnixMilli(out.TokenExpired)}, nil
	case "uni-id-check-token-failed", "uni-id-token-expired", "uni-id-account-banned", "uni-id-account-closed",
		"uni-id-account-auditing", "uni-id-account-audit-failed":
		return nil, fmt.Errorf("%w: %v", ErrInvalid, out.ErrCode)
	}
	return nil, fmt.Errorf("%w: %v", ErrUnavailable, out.ErrCode)
}
