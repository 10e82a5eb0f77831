package account

import "github.com/idco-dev/idco/shared/cloudobj"

// Rule implements cloudobj.Authenticator: the method's rule as the app's
// idco.access changes it. An app whose config cannot be found keeps the
// table's rule (the method then fails on the config itself).
func (s *Service) Rule(c *cloudobj.Call, def cloudobj.Access) cloudobj.Access {
	if s.Config == nil {
		return def
	}
	cfg, err := s.cfg(c)
	if err != nil {
		return def
	}
	r, ok := cfg.Idco.Access[c.Method]
	if !ok {
		return def
	}
	out := def
	out.Login = out.Login || r.Auth
	// As permission.js: a rule naming roles or permissions is the method's
	// whole rule. One saying only auth adds a login and keeps the rest, so
	// no rule turns an administrator's method into any user's.
	if len(r.Role) > 0 || len(r.Permission) > 0 {
		out.Roles, out.Permissions = r.Role, r.Permission
	}
	return out
}
