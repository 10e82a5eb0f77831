package account

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
)

// AuditEvent is one entry of an account's audit log. It holds no secret:
// no password, token, code, captcha answer or third-party credential.
type AuditEvent struct {
	UID       string `json:"uid"`    // the account; AnonymousAudit when none is known
	At        int64  `json:"at"`     // milliseconds since the epoch
	Type      string `json:"type"`   // register, login, logout, bind, unbind, password, code, admin
	Method    string `json:"method"` // the uni-id-co method
	Outcome   string `json:"outcome"`
	IP        string `json:"ip,omitempty"`
	UserAgent string `json:"userAgent,omitempty"`
	AppID     string `json:"appId,omitempty"`
	Platform  string `json:"platform,omitempty"`
	// Actor is the administrator who acted on the account ("operator" for
	// a direct invocation); "" when the account acted itself.
	Actor string `json:"actor,omitempty"`
	// Expires is when the event may be dropped (milliseconds).
	Expires int64 `json:"-"`
}

// AnonymousAudit is the UID of events whose account is not known: code
// sends, failed logins for unknown accounts.
const AnonymousAudit = "-"

// AuditLog stores audit events.
type AuditLog interface {
	// Record stores e.
	Record(ctx context.Context, e AuditEvent) error
	// Events returns uid's events newest first, up to limit, after cursor
	// ("" for the newest), and the cursor of the next page ("" at the end).
	// Events past their Expires are left out.
	Events(ctx context.Context, uid string, limit int, cursor string, now time.Time) ([]AuditEvent, string, error)
}

// auditTypes are the methods the audit log records, and their types.
var auditTypes = func() map[string]string {
	out := map[string]string{"logout": "logout", "closeAccount": "close", "sendSmsCode": "code", "sendEmailCode": "code",
		"updatePwd": "password", "setPwd": "password", "resetPwdBySms": "password", "resetPwdByEmail": "password",
		"getFrvAuthResult": "realname", "externalRegister": "register", "externalLogin": "login",
		"updateUserInfoByExternal": "external", "secureNetworkHandshakeByWeixin": "login"}
	for _, m := range []string{"registerAdmin", "registerUser", "registerUserByEmail"} {
		out[m] = "register"
	}
	for _, m := range []string{"login", "loginBySms", "loginByEmailCode", "loginByWeixin", "loginByWeixinMobile",
		"loginByQQ", "loginByAlipay", "loginByApple", "loginByUniverify"} {
		out[m] = "login"
	}
	for _, m := range []string{"bindMobileBySms", "bindEmailByCode", "bindMobileByUniverify", "bindMobileByMpWeixin",
		"bindWeixin", "bindQQ", "bindAlipay", "bindApple"} {
		out[m] = "bind"
	}
	for _, m := range []string{"unbindWeixin", "unbindQQ", "unbindAlipay", "unbindApple"} {
		out[m] = "unbind"
	}
	for _, m := range []string{"addUser", "updateUser", "authorizeAppLogin", "removeAuthorizedApp", "setAuthorizedApp",
		"banUser", "unbanUser", "closeUser", "endUserSessions", "setUserRoles", "deleteUser",
		"createRole", "updateRole", "deleteRole", "createPermission", "updatePermission", "deletePermission",
		"importUsers", "exportUsers", "getUser", "listUsers", "getAuditLog", "getRoles"} {
		out[m] = "admin"
	}
	return out
}()

// Audit implements cloudobj.Auditor: it records the calls of auditTypes
// under the account they concern, with their outcome (0 or the errCode).
// A store failure is logged, never answered: the call already happened.
func (s *Service) Audit(ctx context.Context, c *cloudobj.Call, err error) {
	typ, ok := auditTypes[c.Method]
	if !ok || s.AuditLog == nil {
		return
	}
	cfg, cerr := s.cfg(c)
	if cerr != nil || *cfg.Idco.Audit.RetentionDays == 0 {
		return
	}
	now := s.now()
	e := AuditEvent{UID: c.Subject, At: ms(now), Type: typ, Method: c.Method, Outcome: "0", IP: c.SourceIP,
		UserAgent: clip(c.UserAgent, 256), AppID: c.Client.AppID, Platform: c.Client.Platform,
		Expires: ms(now.AddDate(0, 0, *cfg.Idco.Audit.RetentionDays))}
	if c.Auth != nil {
		switch {
		case c.Auth.Operator:
			e.Actor = "operator"
		case typ == "admin":
			e.Actor = c.Auth.UID
		}
		if e.UID == "" && !c.Auth.Operator {
			// An action on no one account (a listing, an export): the
			// administrator's own log holds it.
			e.UID = c.Auth.UID
		}
	}
	if e.UID == "" {
		e.UID = AnonymousAudit
	}
	if err != nil {
		e.Outcome = apierr.As(err).Code
	}
	if rerr := s.AuditLog.Record(ctx, e); rerr != nil {
		slog.Default().ErrorContext(ctx, "audit", "method", c.Method, "error", rerr.Error())
	}
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return strings.TrimSpace(s)
}

// AuditLogParams are getAuditLog's params.
type AuditLogParams struct {
	UID string `json:"uid"`
	PageParams
}

// GetAuditLog handles getAuditLog: an account's events, newest first (uid
// "-" for the events of no known account).
func (s *Service) GetAuditLog(ctx context.Context, _ *cloudobj.Call, p *AuditLogParams) (any, error) {
	if err := required("uid", p.UID); err != nil {
		return nil, err
	}
	if err := p.check(20, 100); err != nil {
		return nil, err
	}
	if len(p.UID) > 64 {
		return nil, apierr.Param(apierr.InvalidParam, "uid")
	}
	if s.AuditLog == nil {
		return nil, apierr.Wrap(apierr.SystemError, errors.New("no audit log"))
	}
	events, next, err := s.AuditLog.Events(ctx, p.UID, p.Limit, p.Cursor, s.now())
	if err != nil {
		return nil, storeErr("read audit log", err)
	}
	if events == nil {
		events = []AuditEvent{}
	}
	return struct {
		Events []AuditEvent `json:"events"`
		Cursor string       `json:"cursor"`
	}{events, next}, nil
}
