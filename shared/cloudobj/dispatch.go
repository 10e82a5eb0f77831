package cloudobj

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
)

// Handler runs one method. It returns the method's result fields (a struct or
// map marshalled into the envelope, or nil) or an error, ideally an
// *apierr.Error.
type Handler func(ctx context.Context, c *Call) (any, error)

// Access is a method's access rule, as uni-id's config/permission.js: anyone,
// a logged-in user, or a user with one of Roles and one of Permissions. The
// admin role passes every rule.
type Access struct {
	Login       bool
	Roles       []string
	Permissions []string
	// NoRefresh skips the automatic newToken near expiry (logout).
	NoRefresh bool
	// Recent needs a session whose last real login (not a refresh) is
	// recent (Auth.RecentUntil): Firebase's requires-recent-login, for
	// what a stolen token must not do (bind, unbind, close the account).
	Recent bool
}

// Anyone is the rule of methods open to every caller.
var Anyone = Access{}

// LoggedIn is the rule of methods for any logged-in user.
var LoggedIn = Access{Login: true}

// RecentLogin is the rule of methods for a user who logged in recently.
var RecentLogin = Access{Login: true, Recent: true}

// Method is one entry of a family's method table.
type Method struct {
	Access Access
	Handle Handler
}

// Table maps method names to methods.
type Table map[string]Method

// Bind makes a Method whose params are decoded into a fresh P (DecodeParams)
// before fn runs.
func Bind[P any](access Access, fn func(ctx context.Context, c *Call, p *P) (any, error)) Method {
	return Method{Access: access, Handle: func(ctx context.Context, c *Call) (any, error) {
		p := new(P)
		ignored, err := DecodeParams(c.Params, p)
		if err != nil {
			return nil, err
		}
		c.ignored = append(c.ignored, ignored...)
		return fn(ctx, c, p)
	}}
}

// Authenticator checks a call's token, its session and the user record, and
// sets c.Auth (and c.NewToken when the token is near expiry).
type Authenticator interface {
	Authenticate(ctx context.Context, c *Call, refresh bool) error
	// Rule returns the access rule of c.Method for c's app: def, the
	// table's, changed by the app's config (uni-id-co's permission.js).
	Rule(c *Call, def Access) Access
}

// Dispatcher serves one function: it answers the methods of its table and
// names the right function for any other method.
type Dispatcher struct {
	Function string
	Methods  Table
	Auth     Authenticator
	// Auditor, when set, sees every call that reached its method.
	Auditor Auditor
	Logger  *slog.Logger
	// Namespace is the CloudWatch namespace of the metrics methods count
	// (Call.Count), written into the log line in CloudWatch's embedded
	// metric format, so counting costs no API call. "" means "idco".
	Namespace string
	Now       func() time.Time
}

// Auditor records calls in an audit log. It decides which calls count,
// and a failure to record never fails the call.
type Auditor interface {
	Audit(ctx context.Context, c *Call, err error)
}

// Input is a request as an adapter (Lambda, HTTP) received it.
type Input struct {
	Body        []byte
	PathMethod  string // last path segment, when the URL names the method
	HTTP        bool   // came over HTTP: POST and a JSON content type are required
	HTTPMethod  string
	ContentType string
	Header      func(name string) string // case-insensitive lookup; may be nil
	SourceIP    string
	UserAgent   string
	RequestID   string
}

func (in *Input) header(name string) string {
	if in.Header == nil {
		return ""
	}
	return in.Header(name)
}

// Output is the response: an HTTP status and the envelope.
type Output struct {
	Status int
	Body   []byte
	// RetryAfter, when not zero, is the seconds the client should wait
	// (the envelope's retryAfter), for a Retry-After header.
	RetryAfter int
}

// Serve runs one request through decoding, access checks and the method, and
// always returns an envelope.
func (d *Dispatcher) Serve(ctx context.Context, in Input) Output {
	start := d.now()
	c := &Call{Function: d.Function, SourceIP: in.SourceIP, UserAgent: in.UserAgent, RequestID: in.RequestID, Method: in.PathMethod, Trusted: !in.HTTP,
		header: in.Header}
	c.Locale = pickLocale("", in.header("Accept-Language"))
	result, err := d.run(ctx, &in, c)
	var fields string
	if err == nil {
		fields, err = objectFields(result)
	}
	out := d.respond(c, fields, err)
	d.log(ctx, c, out, err, start)
	return out
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Dispatcher) run(ctx context.Context, in *Input, c *Call) (any, error) {
	if in.HTTP {
		ct := strings.ToLower(in.ContentType)
		if in.HTTPMethod != "POST" || !strings.HasPrefix(ct, "application/json") {
			return nil, apierr.New(apierr.UnsupportedRequest)
		}
	}
	b, err := parseBody(in.Body)
	if err != nil {
		return nil, err
	}
	c.Client, err = parseClientInfo(b.ClientInfo)
	c.Locale = pickLocale(c.Client.Locale, in.header("Accept-Language"))
	if err != nil {
		return nil, err
	}
	c.rawClient = b.ClientInfo
	if c.UserAgent == "" {
		c.UserAgent = c.Client.UserAgent
	}
	c.Params = json.RawMessage(b.Params)
	c.Token = pickToken(b.UniIDToken, in)
	m, err := d.resolve(c, b.Method)
	if err != nil {
		return nil, err
	}
	if err := d.authorize(ctx, c, m.Access); err != nil {
		return nil, err
	}
	out, err := m.Handle(ctx, c)
	if d.Auditor != nil {
		d.Auditor.Audit(ctx, c, err)
	}
	return out, err
}

// resolve picks the method from the body or the path and finds it.
func (d *Dispatcher) resolve(c *Call, bodyMethod string) (Method, error) {
	name := c.Method
	switch {
	case name == "" && bodyMethod == "":
		return Method{}, apierr.Param(apierr.ParamRequired, "method")
	case name == "":
		name = bodyMethod
	case bodyMethod != "" && bodyMethod != name:
		return Method{}, apierr.Param(apierr.InvalidParam, "method")
	}
	c.Method = name
	if m, ok := d.Methods[name]; ok {
		return m, nil
	}
	if f := FamilyOf(name); f != "" && f != d.Function {
		return Method{}, &apierr.Error{Code: apierr.WrongFunction,
			Values: map[string]string{"method": name, "function": f},
			Extra:  map[string]any{"function": f}}
	}
	if len(name) > 64 {
		name = name[:64]
	}
	return Method{}, &apierr.Error{Code: apierr.MethodNotFound, Values: map[string]string{"method": name}}
}

// pickToken takes the token from the body, then Authorization: Bearer, then
// the uni-id-token header.
func pickToken(bodyToken string, in *Input) string {
	if bodyToken != "" {
		return bodyToken
	}
	if a := in.header("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return in.header("uni-id-token")
}

// authorize applies a method's access rule. A trusted call without a token
// (a direct invocation: the operator) passes a role or permission rule as
// the administrator does; a rule that only needs a login still needs one.
func (d *Dispatcher) authorize(ctx context.Context, c *Call, a Access) error {
	if d.Auth != nil {
		a = d.Auth.Rule(c, a)
	}
	if !a.Login && len(a.Roles) == 0 && len(a.Permissions) == 0 {
		return nil
	}
	if c.Trusted && c.Token == "" && (len(a.Roles) > 0 || len(a.Permissions) > 0) {
		c.Auth = &Auth{Role: []string{"admin"}, Operator: true}
		return nil
	}
	if err := d.Auth.Authenticate(ctx, c, !a.NoRefresh); err != nil {
		return err
	}
	if a.Recent && !c.Auth.Operator && d.now().After(c.Auth.RecentUntil) {
		return apierr.New(apierr.RecentLoginRequired)
	}
	if c.Auth.IsAdmin() {
		return nil
	}
	// uni-id ANDs the two lists: at least one listed role and one listed
	// permission, each list checked only when present.
	if len(a.Roles) > 0 && !overlaps(a.Roles, c.Auth.Role) {
		return apierr.New(apierr.PermissionError)
	}
	if len(a.Permissions) > 0 && !overlaps(a.Permissions, c.Auth.Permission) {
		return apierr.New(apierr.PermissionError)
	}
	return nil
}

func overlaps(want, have []string) bool {
	return slices.ContainsFunc(want, func(w string) bool { return slices.Contains(have, w) })
}

// respond builds the envelope: errCode and errMsg first, then the method's
// fields or the error's extra fields, then newToken.
func (d *Dispatcher) respond(c *Call, fields string, err error) Output {
	var buf strings.Builder
	status, retry := 200, 0
	if err != nil {
		e := apierr.As(err)
		status = apierr.Status(e.Code)
		retry, _ = e.Extra["retryAfter"].(int)
		buf.WriteString(`{"errCode":`)
		writeJSON(&buf, e.Code)
		buf.WriteString(`,"errMsg":`)
		writeJSON(&buf, e.Message(c.Locale))
		for k, v := range e.Extra {
			buf.WriteByte(',')
			writeJSON(&buf, k)
			buf.WriteByte(':')
			writeJSON(&buf, v)
		}
		buf.WriteString(`,"requestId":`)
		writeJSON(&buf, c.RequestID)
	} else {
		buf.WriteString(`{"errCode":0,"errMsg":""`)
		if fields != "" {
			buf.WriteByte(',')
			buf.WriteString(fields)
		}
	}
	if c.NewToken != nil {
		buf.WriteString(`,"newToken":`)
		writeJSON(&buf, c.NewToken)
	}
	buf.WriteByte('}')
	return Output{Status: status, Body: []byte(buf.String()), RetryAfter: retry}
}

// objectFields marshals an object result and returns its members without
// the braces.
func objectFields(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", apierr.Systemf("marshal result: %w", err)
	}
	if len(b) < 2 || b[0] != '{' {
		return "", apierr.Systemf("result is not an object: %.40s", b)
	}
	return string(b[1 : len(b)-1]), nil
}

func writeJSON(buf *strings.Builder, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`null`)
	}
	buf.Write(b)
}
