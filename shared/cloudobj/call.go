// Package cloudobj is idco's cloud-object layer, written once and shared by
// the Lambda adapter, the dev server and the tests: it decodes a request
// (method, params, clientInfo, token), checks access, runs the method from a
// family's table, and writes uni-id's response envelope with a localised
// errMsg, an HTTP status by error class, a newToken when one was issued, and
// one structured log line.
package cloudobj

import (
	"encoding/json"
	"log/slog"
	"slices"
	"time"
)

// Call is one decoded request as a method sees it.
type Call struct {
	Function  string // the function (family) serving the call
	Method    string
	Params    json.RawMessage
	Client    ClientInfo
	Token     string
	Locale    string // "zh-Hans" or "en"
	SourceIP  string // from the request context only, never a header
	UserAgent string
	RequestID string
	// Subject is the account the call concerns, for the audit log: set by
	// Log("uid", ...) and by a method that learns it without logging it (a
	// wrong password for a real account). Never sent to the client.
	Subject string
	// Trusted marks a call that did not come over the network: a direct
	// Lambda invocation (IAM decided who may make it) or the operator's
	// command line. Only registerAdmin's setup check reads it.
	Trusted bool

	// Auth is the caller's identity, set before the method runs when its
	// access rule needs a login.
	Auth *Auth
	// NewToken, when set by the authenticator or a method, is sent as the
	// envelope's newToken.
	NewToken *NewToken

	logAttrs []slog.Attr
	metrics  map[string]int
	// ignored holds the unknown params names, and rawClient the clientInfo
	// document, whose unknown names are listed only when the debug log is on.
	ignored   []string
	rawClient []byte
	header    func(name string) string
}

// Header returns a request header ("" for none, and for a call that did
// not come over HTTP).
func (c *Call) Header(name string) string {
	if c.header == nil {
		return ""
	}
	return c.header(name)
}

// Log adds a field to the request's log line. Callers mask phone numbers and
// emails first and never pass passwords, tokens, codes or captcha answers.
func (c *Call) Log(key string, value any) {
	c.logAttrs = append(c.logAttrs, slog.Any(key, value))
	if uid, ok := value.(string); ok && key == "uid" {
		c.Subject = uid
	}
}

// Count adds one to a deployment-wide metric (a failed password check, a
// code sent), published through the request's log line.
func (c *Call) Count(metric string) { c.Measure(metric, c.metrics[metric]+1) }

// Measure sets a metric's value for this request (a budget's use in
// percent).
func (c *Call) Measure(metric string, v int) {
	if c.metrics == nil {
		c.metrics = map[string]int{}
	}
	c.metrics[metric] = v
}

// ClientInfo is the part of uni-app's clientInfo idco uses.
type ClientInfo struct {
	AppID string // DCloud appId, as the account layer resolved it
	// SentAppID is the appId the client sent, before the account layer
	// replaced AppID by a configured one: only for a provider that checks
	// it against its own records (univerify), never stored.
	SentAppID   string
	Platform    string // normalised uniPlatform: app, web, mp-weixin, ...
	DeviceID    string
	Locale      string
	OSName      string
	AppName     string
	AppVersion  string
	VersionCode string
	Channel     string
	UserAgent   string
}

// Auth is an authenticated caller.
type Auth struct {
	UID        string
	Role       []string
	Permission []string
	SessionID  string
	IssuedAt   int64 // token iat, seconds
	// Record is the authenticator's copy of the caller's account, read with
	// the token check, so a method need not read it again.
	Record any
	// Operator marks the operator of a trusted call (no account, UID "").
	Operator bool
	// RecentUntil is when the session's last real login stops counting
	// as recent (Access.Recent).
	RecentUntil time.Time
	// AccessToken names the personal access token the call came with
	// ("" for a session's token): no session, so nothing that acts on one.
	AccessToken string
}

// IsAdmin reports whether the caller has the admin role, which passes every
// role and permission rule.
func (a *Auth) IsAdmin() bool { return slices.Contains(a.Role, "admin") }

// NewToken is uni-id's newToken: tokenExpired is milliseconds since the epoch.
type NewToken struct {
	Token        string `json:"token"`
	TokenExpired int64  `json:"tokenExpired"`
}
