package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/idco-dev/idco/shared/account"
)

// wantErr fails the case unless err is want (nil for success).
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

// wantTaken fails the case unless err is a *account.TakenError naming key.
func wantTaken(t *testing.T, what string, err error, key string) {
	t.Helper()
	if te, ok := errors.AsType[*account.TakenError](err); !ok || te.Key != key {
		t.Fatalf("%s: got error %v, want *account.TakenError{Key: %q}", what, err, key)
	}
}

// oneWins checks the errors of a race to claim key: exactly one nil, the
// others *TakenError naming key. It returns the winner's index.
func oneWins(t *testing.T, errs []error, key string) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Fatalf("racers %d and %d both claimed %s", winner, i, key)
			}
			winner = i
			continue
		}
		wantTaken(t, "a racer that lost", err, key)
	}
	if winner < 0 {
		t.Fatalf("no racer claimed %s", key)
	}
	return winner
}

// create stores u claiming keys, or fails the case.
func (e *env) create(t *testing.T, u *account.User, keys ...string) {
	t.Helper()
	if err := e.Users.Create(e.ctx, u, keys); err != nil {
		t.Fatalf("Create %s: %v", u.UID, err)
	}
}

// wantUser fails the case unless the stored account reads back as want,
// and returns it.
func (e *env) wantUser(t *testing.T, what string, want *account.User) *account.User {
	t.Helper()
	got, err := e.Users.Get(e.ctx, want.UID)
	if err != nil {
		t.Fatalf("%s: Get: %v", what, err)
	}
	if !reflect.DeepEqual(normalized(got), normalized(want)) {
		t.Fatalf("%s: stored account\n got %s\nwant %s", what, describe(got), describe(want))
	}
	return got
}

// wantNoUser fails the case if an account uid is stored.
func (e *env) wantNoUser(t *testing.T, uid string) {
	t.Helper()
	if u, err := e.Users.Get(e.ctx, uid); !errors.Is(err, account.ErrNotFound) {
		t.Fatalf("account %s: got %+v, %v; want ErrNotFound", uid, u, err)
	}
}

// wantOwner fails the case unless key belongs to uid ("": to no account).
func (e *env) wantOwner(t *testing.T, key, uid string) {
	t.Helper()
	got, err := e.Users.Owner(e.ctx, key)
	switch {
	case uid == "" && !errors.Is(err, account.ErrNotFound):
		t.Fatalf("Owner(%s) = %q, %v; want ErrNotFound", key, got, err)
	case uid != "" && (err != nil || got != uid):
		t.Fatalf("Owner(%s) = %q, %v; want %q", key, got, err, uid)
	}
}

// describe shows an account, Extra included, for a failure message.
func describe(u *account.User) string {
	doc, _ := json.Marshal(normalized(u))
	return fmt.Sprintf("%s extra %v", doc, u.Extra)
}

// normalized returns a copy of u with its empty modelled maps and lists
// nil: an omitempty field that is empty may be stored or left out. Extra
// is compared as it is.
func normalized(u *account.User) *account.User {
	c := *u
	c.Role, c.DcloudAppid, c.InviterUID = nilIfEmpty(c.Role), nilIfEmpty(c.DcloudAppid), nilIfEmpty(c.InviterUID)
	if len(c.WxOpenid) == 0 {
		c.WxOpenid = nil
	}
	if len(c.QQOpenid) == 0 {
		c.QQOpenid = nil
	}
	if len(c.Sessions) == 0 {
		c.Sessions = nil
	}
	return &c
}

func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}
