package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/testenv"
)

// TestConcurrentClaims: two accounts claiming one key at once (a bind race)
// leave exactly one owner, and the loser is unchanged.
func TestConcurrentClaims(t *testing.T) {
	e := testenv.New(t, nil)
	ctx := context.Background()
	st := e.Svc.Users
	for round := 0; round < 20; round++ {
		a := &account.User{UID: fmt.Sprintf("a%023d", round)}
		b := &account.User{UID: fmt.Sprintf("b%023d", round)}
		for _, u := range []*account.User{a, b} {
			if err := st.Create(ctx, u, nil); err != nil {
				t.Fatal(err)
			}
		}
		key := fmt.Sprintf("mobile:+86138%08d", round)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, u := range []*account.User{a, b} {
			wg.Go(func() {
				v := *u
				v.Mobile, v.MobileConfirmed = key[7:], 1
				errs[i] = st.Save(ctx, &v, []string{key}, nil)
			})
		}
		wg.Wait()
		ok, taken := 0, 0
		for _, err := range errs {
			var te *account.TakenError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &te) && te.Key == key:
				taken++
			default:
				t.Fatalf("round %d: unexpected %v", round, err)
			}
		}
		owner, err := st.Owner(ctx, key)
		if ok != 1 || taken != 1 || err != nil {
			t.Fatalf("round %d: %d saved, %d taken, owner %q %v", round, ok, taken, owner, err)
		}
		loser := a.UID
		if owner == a.UID {
			loser = b.UID
		}
		if u, _ := st.Get(ctx, loser); u.Mobile != "" || u.Version != 0 {
			t.Fatalf("round %d: the loser changed: %+v", round, u)
		}
	}
}

// TestSaveConflict: a save on a stale version writes nothing.
func TestSaveConflict(t *testing.T) {
	e := testenv.New(t, nil)
	ctx := context.Background()
	st := e.Svc.Users
	u := &account.User{UID: "c00000000000000000000001", Username: "x"}
	if err := st.Create(ctx, u, []string{"username:x"}); err != nil {
		t.Fatal(err)
	}
	first := *u
	first.Nickname = "first"
	if err := st.Save(ctx, &first, nil, nil); err != nil {
		t.Fatal(err)
	}
	stale := *u
	stale.Nickname = "stale"
	if err := st.Save(ctx, &stale, []string{"username:y"}, []string{"username:x"}); !errors.Is(err, account.ErrConflict) {
		t.Fatalf("stale save = %v, want ErrConflict", err)
	}
	if _, err := st.Owner(ctx, "username:y"); !errors.Is(err, account.ErrNotFound) {
		t.Fatalf("the stale save claimed a key: %v", err)
	}
	got, _ := st.Get(ctx, u.UID)
	if got.Nickname != "first" || got.Version != 1 {
		t.Fatalf("stored %+v", got)
	}
}

// TestSaveKeepsUnmodelledFields: a migrated uni-id record's fields that
// account.User does not model survive a save.
func TestSaveKeepsUnmodelledFields(t *testing.T) {
	e := testenv.New(t, nil)
	ctx := context.Background()
	st := e.Svc.Users
	u := &account.User{UID: "d00000000000000000000001", Username: "dave"}
	u.Extra = map[string]any{"score": 1.0, "tags": []any{"vip"}, "third_party": map[string]any{"url": "https://x/a.png"},
		// uni-id's own shapes, which the profile keeps as they are:
		"gender": "1", "avatar_file": map[string]any{"url": "https://x/a.png", "fileType": "image", "size": 12.0}}
	u.RealNameAuth = &account.RealNameAuth{Type: 1, AuthStatus: 2}
	u.Extra["realname_auth"] = map[string]any{"id_card_front": "cloud://front.png", "contact_mobile": "138"}
	if err := st.Create(ctx, u, []string{"username:dave"}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Get(ctx, u.UID)
	if err != nil {
		t.Fatal(err)
	}
	got.Nickname = "Dave"
	if err := st.Save(ctx, got, nil, nil); err != nil {
		t.Fatal(err)
	}
	after, _ := st.Get(ctx, u.UID)
	if after.Nickname != "Dave" || after.Extra["score"] != 1.0 || fmt.Sprint(after.Extra["tags"]) != "[vip]" ||
		fmt.Sprint(after.Extra["third_party"]) != "map[url:https://x/a.png]" {
		t.Fatalf("after a save: nickname %q, extra %v", after.Nickname, after.Extra)
	}
	if after.Extra["gender"] != "1" || fmt.Sprint(after.Extra["avatar_file"]) != "map[fileType:image size:12 url:https://x/a.png]" {
		t.Errorf("profile fields after a save: %v", after.Extra)
	}
	if after.RealNameAuth == nil || after.RealNameAuth.AuthStatus != 2 ||
		fmt.Sprint(after.Extra["realname_auth"]) != "map[contact_mobile:138 id_card_front:cloud://front.png]" {
		t.Errorf("realname_auth after a save: %+v, unmodelled %v", after.RealNameAuth, after.Extra["realname_auth"])
	}
	if _, modelled := after.Extra["username"]; modelled {
		t.Errorf("a modelled field landed in Extra: %v", after.Extra)
	}
}
