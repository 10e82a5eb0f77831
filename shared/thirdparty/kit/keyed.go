package kit

import (
	"strings"

	"github.com/idco-dev/idco/shared/account"
)

// Keyed is the identity storage of a provider with one stable user id per
// person (GitHub's id, Google's sub, ...): the id is kept in
// User.OAuth[<name>] and claimed as the unique key <name>:<id>. Its value
// is the provider's name; a provider package embeds it for Name and the
// account.IdentityProvider methods. Emails never take part: only the id
// finds an account.
type Keyed string

// Name is the provider's name.
func (k Keyed) Name() string { return string(k) }

// Keys returns the user's key of this provider, if bound.
func (k Keyed) Keys(u *account.User) []string {
	if id := u.OAuth[string(k)]; id != "" {
		return []string{k.key(id)}
	}
	return nil
}

// Slot returns the identity's key; these providers have no unionid.
func (k Keyed) Slot(id *account.Identity, _ string) (string, string) { return k.key(id.OpenID), "" }

// Owns reports whether key is this provider's.
func (k Keyed) Owns(key string) bool { return strings.HasPrefix(key, string(k)+":") }

// Attach keeps the identity's id on the user.
func (k Keyed) Attach(u *account.User, id *account.Identity, _ string) {
	if u.OAuth == nil {
		u.OAuth = map[string]string{}
	}
	u.OAuth[string(k)] = id.OpenID
}

// Detach removes the provider's id and reports whether there was one.
func (k Keyed) Detach(u *account.User) bool {
	_, had := u.OAuth[string(k)]
	delete(u.OAuth, string(k))
	if len(u.OAuth) == 0 {
		u.OAuth = nil
	}
	return had
}

// Bound reports whether the user has an id of this provider.
func (k Keyed) Bound(u *account.User) bool { return u.OAuth[string(k)] != "" }

func (k Keyed) key(id string) string { return string(k) + ":" + id }
