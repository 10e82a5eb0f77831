package account

import (
	"slices"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
)

// probe is a provider that does not exist: it keeps its identity in the
// user's Extra, under "probe".
type probe struct{}

func (probe) Name() string                                 { return "probe" }
func (probe) Supported(_ *config.Config, p string) bool    { return p == "web" }
func (probe) Owns(key string) bool                         { return strings.HasPrefix(key, "probe:") }
func (probe) Slot(id *Identity, _ string) (string, string) { return "probe:" + id.OpenID, "" }
func (probe) Bound(u *User) bool                           { return u.Extra["probe"] != nil }
func (probe) Keys(u *User) []string {
	if id, ok := u.Extra["probe"].(string); ok {
		return []string{"probe:" + id}
	}
	return nil
}
func (probe) Attach(u *User, id *Identity, _ string) {
	if u.Extra == nil {
		u.Extra = map[string]any{}
	}
	u.Extra["probe"] = id.OpenID
}
func (probe) Detach(u *User) bool {
	had := u.Extra["probe"] != nil
	delete(u.Extra, "probe")
	return had
}

// TestAddingAProvider: a provider in the service's list is all the domain
// needs: its identities claim their keys, a taken key answers
// uni-id-bind-conflict, it counts as a way to log in, and attach, slot and
// detach reach it by name.
func TestAddingAProvider(t *testing.T) {
	s := &Service{Providers: []Provider{probe{}}}
	u := &User{Username: "alice"}
	id := &Identity{Provider: "probe", OpenID: "p-1"}
	s.attach(u, id, "app")
	open, union := s.slot(id, "app")
	if open != "probe:p-1" || union != "" {
		t.Errorf("slot = %q %q", open, union)
	}
	if keys := s.keysOf(u); !slices.Contains(keys, "probe:p-1") || !slices.Contains(keys, usernameKey("alice")) {
		t.Errorf("keysOf = %q, want the username's and the probe's", keys)
	}
	if err := s.takenErr(&TakenError{Key: "probe:p-1"}); !apierr.Is(err, apierr.BindConflict) {
		t.Errorf("taken probe key: %v, want uni-id-bind-conflict", err)
	}
	if n := s.loginMethods(u); n != 1 { // no password: the probe only
		t.Errorf("loginMethods = %d, want 1", n)
	}
	if p := s.identityProvider("probe"); p == nil || !p.Detach(u) || s.loginMethods(u) != 0 {
		t.Error("detach by name did not remove the probe identity")
	}
}
