package thirdparty

import (
	"slices"
	"testing"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/thirdparty/kit"
)

// TestRegistry holds every registered provider to the contract the domain
// relies on: unique names; an identity provider verifies proofs, keeps what
// it attaches under keys it owns (the lookup key among them), counts as
// bound until detached; a provider without identities reads phones.
func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range All() {
		t.Run(p.Name(), func(t *testing.T) {
			if seen[p.Name()] {
				t.Fatalf("two providers named %q", p.Name())
			}
			seen[p.Name()] = true
			ip, ok := p.(account.IdentityProvider)
			if !ok {
				if _, ok := p.(kit.PhoneReader); !ok {
					t.Errorf("%s has neither identities nor phones", p.Name())
				}
				return
			}
			if _, ok := p.(kit.Identifier); !ok {
				t.Errorf("%s keeps identities but verifies none (kit.Identifier)", p.Name())
			}
			u := &account.User{}
			if ip.Bound(u) || len(ip.Keys(u)) > 0 {
				t.Errorf("an empty user is bound to %s", p.Name())
			}
			id := &account.Identity{Provider: p.Name(), Sub: "mp", OpenID: "o-1", UnionID: "u-1"}
			ip.Attach(u, id, "app-1")
			keys := ip.Keys(u)
			open, union := ip.Slot(id, "app-1")
			if !slices.Contains(keys, open) || (union != "" && !slices.Contains(keys, union)) {
				t.Errorf("keys %q lack the slot's %q %q", keys, open, union)
			}
			for _, k := range keys {
				if !ip.Owns(k) {
					t.Errorf("%s does not own its key %q", p.Name(), k)
				}
				for _, other := range All() {
					if o, ok := other.(account.IdentityProvider); ok && o != ip && o.Owns(k) {
						t.Errorf("%s also owns %s's key %q", o.Name(), p.Name(), k)
					}
				}
			}
			if !ip.Bound(u) || !ip.Detach(u) || ip.Bound(u) || len(ip.Keys(u)) > 0 || ip.Detach(u) {
				t.Errorf("%s: bound after attach, detach once, nothing left", p.Name())
			}
		})
	}
}
