package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/idco-dev/idco/shared/account"
)

var usersCases = []testCase{
	{"Delete", testUsersDelete},
	{"ListPagesEveryAccountOnce", testUsersList},
	{"AppListNoneIsNotEvery", testUsersAppListNoneIsNotEvery},
	{"Missing", testUsersMissing},
	{"RoundTrip", testUsersRoundTrip},
	{"RoundTripEmptyCollections", testUsersRoundTripEmptyCollections},
	{"SaveKeepsUnmodelledFields", testUsersSaveKeepsUnmodelledFields},
	{"CreateTakenWritesNothing", testUsersCreateTakenWritesNothing},
	{"CreateNeverOverwrites", testUsersCreateNeverOverwrites},
	{"ConcurrentCreatesClaimOnce", testUsersConcurrentCreatesClaimOnce},
	{"ConcurrentSavesClaimOnce", testUsersConcurrentSavesClaimOnce},
	{"SaveBumpsVersion", testUsersSaveBumpsVersion},
	{"StaleSaveWritesNothing", testUsersStaleSaveWritesNothing},
	{"SaveMissingAccount", testUsersSaveMissingAccount},
	{"SaveRebindsKeys", testUsersSaveRebindsKeys},
	{"SaveTakenWritesNothing", testUsersSaveTakenWritesNothing},
	{"SaveNeverReleasesAnothersKey", testUsersSaveNeverReleasesAnothersKey},
}

// testUsersMissing: Get of an unknown uid and Owner of an unclaimed key
// return ErrNotFound.
func testUsersMissing(t *testing.T, e *env) {
	_, err := e.Users.Get(e.ctx, uid())
	wantErr(t, "Get of an unknown uid", err, account.ErrNotFound)
	_, err = e.Users.Owner(e.ctx, unique("username"))
	wantErr(t, "Owner of a free key", err, account.ErrNotFound)
}

// testUsersRoundTrip: Get reads back every field Create wrote, with a
// strongly consistent read, and Owner names the account for each key it
// claimed.
func testUsersRoundTrip(t *testing.T, e *env) {
	u := fullUser(t)
	keys := []string{unique("username"), unique("mobile"), unique("email")}
	e.create(t, u, keys...)
	e.wantUser(t, "after Create", u)
	for _, k := range keys {
		e.wantOwner(t, k, u.UID)
	}
}

// testUsersRoundTripEmptyCollections: empty maps and lists come back
// empty, whether modelled (an omitempty field, which may read back nil) or
// kept in Extra as uni-id wrote them, nested ones too; neither breaks the
// item nor borrows another field's value. (minidyn's own server answers an
// empty list or map as a typeless {}, which the SDK reads as another
// attribute's value.)
func testUsersRoundTripEmptyCollections(t *testing.T, e *env) {
	u := &account.User{UID: uid(), Username: "empty", Role: []string{}, WxOpenid: map[string]string{},
		Sessions: map[string]account.Session{}, DcloudAppid: []string{}}
	u.Extra = map[string]any{"tags": []any{}, "third_party": map[string]any{},
		"avatar_file": map[string]any{"url": "", "meta": map[string]any{}, "sizes": []any{}},
		"history":     []any{map[string]any{}, []any{}, "x"}}
	e.create(t, u)
	got := e.wantUser(t, "after Create", u)
	if err := e.Users.Save(e.ctx, got, nil, nil); err != nil {
		t.Fatalf("Save: %v", err)
	}
	u.Version++
	e.wantUser(t, "after Save", u)
}

// testUsersSaveKeepsUnmodelledFields: the fields a migrated uni-id record
// has and account.User does not model (in Extra, and unmodelled members
// of realname_auth) survive a Get and Save.
func testUsersSaveKeepsUnmodelledFields(t *testing.T, e *env) {
	u := &account.User{UID: uid(), Username: "dave", RealNameAuth: &account.RealNameAuth{Type: 1, AuthStatus: 2}}
	u.Extra = map[string]any{"score": 1.0, "tags": []any{"vip"}, "third_party": map[string]any{"url": "https://x/a.png"},
		"gender": "1", "avatar_file": map[string]any{"url": "https://x/a.png", "fileType": "image", "size": 12.0},
		"realname_auth": map[string]any{"id_card_front": "cloud://front.png", "contact_mobile": "138"}}
	e.create(t, u)
	got, err := e.Users.Get(e.ctx, u.UID)
	if err != nil {
		t.Fatal(err)
	}
	got.Nickname = "Dave"
	if err := e.Users.Save(e.ctx, got, nil, nil); err != nil {
		t.Fatalf("Save: %v", err)
	}
	u.Nickname, u.Version = "Dave", 1
	e.wantUser(t, "after Save", u)
}

// testUsersCreateTakenWritesNothing: Create returns *TakenError naming the
// key another account owns, and writes nothing: no account, none of its
// other keys.
func testUsersCreateTakenWritesNothing(t *testing.T, e *env) {
	a := &account.User{UID: uid(), Username: "a"}
	taken := unique("username")
	e.create(t, a, taken)
	b := &account.User{UID: uid(), Username: "b"}
	free := []string{unique("email"), unique("mobile")}
	err := e.Users.Create(e.ctx, b, []string{free[0], taken, free[1]})
	wantTaken(t, "Create claiming a taken key", err, taken)
	e.wantNoUser(t, b.UID)
	e.wantOwner(t, taken, a.UID)
	for _, k := range free {
		e.wantOwner(t, k, "")
	}
}

// testUsersCreateNeverOverwrites: Create of a uid that holds another
// account fails and leaves that account and its keys as they were.
func testUsersCreateNeverOverwrites(t *testing.T, e *env) {
	a := &account.User{UID: uid(), Username: "first"}
	key := unique("username")
	e.create(t, a, key)
	b := &account.User{UID: a.UID, Username: "second"}
	other := unique("username")
	if err := e.Users.Create(e.ctx, b, []string{other}); err == nil {
		t.Fatal("Create over an existing account succeeded")
	}
	e.wantUser(t, "the first account", a)
	e.wantOwner(t, key, a.UID)
	e.wantOwner(t, other, "")
}

// testUsersConcurrentCreatesClaimOnce: accounts created at once that claim
// the same username, mobile or email: exactly one is created, every other
// gets *TakenError naming that key and writes nothing.
func testUsersConcurrentCreatesClaimOnce(t *testing.T, e *env) {
	for _, kind := range []string{"username", "mobile", "email"} {
		t.Run(kind, func(t *testing.T) {
			key := unique(kind)
			users, own := make([]*account.User, races), make([]string, races)
			for i := range users {
				users[i], own[i] = &account.User{UID: uid()}, unique("identity")
			}
			errs := race(races, func(i int) error {
				return e.Users.Create(e.ctx, users[i], []string{own[i], key})
			})
			winner := oneWins(t, errs, key)
			e.wantOwner(t, key, users[winner].UID)
			for i, u := range users {
				if i == winner {
					e.wantOwner(t, own[i], u.UID)
					continue
				}
				e.wantNoUser(t, u.UID)
				e.wantOwner(t, own[i], "")
			}
		})
	}
}

// testUsersConcurrentSavesClaimOnce: accounts that claim one key in
// concurrent Saves (a bind race): exactly one owns it, every other gets
// *TakenError naming it and is unchanged.
func testUsersConcurrentSavesClaimOnce(t *testing.T, e *env) {
	key := unique("mobile")
	users := make([]*account.User, races)
	for i := range users {
		users[i] = &account.User{UID: uid()}
		e.create(t, users[i])
	}
	errs := race(races, func(i int) error {
		v := *users[i]
		v.Mobile, v.MobileConfirmed = "+8613800138000", 1
		return e.Users.Save(e.ctx, &v, []string{key}, nil)
	})
	winner := oneWins(t, errs, key)
	e.wantOwner(t, key, users[winner].UID)
	for i, u := range users {
		if i != winner {
			e.wantUser(t, "a loser", u)
		}
	}
}

// testUsersSaveBumpsVersion: Save writes over the stored account while its
// Version is still u.Version, which then becomes u.Version+1; a Save from
// the old version then returns ErrConflict and writes nothing.
func testUsersSaveBumpsVersion(t *testing.T, e *env) {
	u := &account.User{UID: uid(), Username: "v"}
	e.create(t, u)
	for want := int64(1); want <= 3; want++ {
		next := *u
		next.Nickname = fmt.Sprint("nickname ", want)
		if err := e.Users.Save(e.ctx, &next, nil, nil); err != nil {
			t.Fatalf("Save from version %d: %v", u.Version, err)
		}
		next.Version = want
		e.wantUser(t, "after Save", &next)
		stale := *u
		stale.Nickname = "stale"
		wantErr(t, "Save from the old version", e.Users.Save(e.ctx, &stale, nil, nil), account.ErrConflict)
		e.wantUser(t, "after a stale Save", &next)
		u = &next
	}
}

// testUsersStaleSaveWritesNothing: a Save on a stale version that also
// changes keys returns ErrConflict and writes nothing: the new key stays
// free, the old one stays owned.
func testUsersStaleSaveWritesNothing(t *testing.T, e *env) {
	old, added := unique("username"), unique("username")
	u := &account.User{UID: uid(), Username: "x"}
	e.create(t, u, old)
	first := *u
	first.Nickname = "first"
	if err := e.Users.Save(e.ctx, &first, nil, nil); err != nil {
		t.Fatal(err)
	}
	stale := *u
	stale.Username = "y"
	err := e.Users.Save(e.ctx, &stale, []string{added}, []string{old})
	wantErr(t, "stale Save", err, account.ErrConflict)
	e.wantOwner(t, added, "")
	e.wantOwner(t, old, u.UID)
	first.Version = 1
	e.wantUser(t, "after the stale Save", &first)
}

// testUsersSaveMissingAccount: Save of an account that is not stored
// returns ErrNotFound and writes nothing, keys included.
func testUsersSaveMissingAccount(t *testing.T, e *env) {
	for _, keyed := range []bool{false, true} {
		u := &account.User{UID: uid(), Username: "ghost"}
		var add []string
		if keyed {
			add = []string{unique("username")}
		}
		wantErr(t, "Save of a missing account", e.Users.Save(e.ctx, u, add, nil), account.ErrNotFound)
		e.wantNoUser(t, u.UID)
		for _, k := range add {
			e.wantOwner(t, k, "")
		}
	}
}

// testUsersSaveRebindsKeys: Save claims addKeys and releases dropKeys with
// the account, so a released key is free for another account.
func testUsersSaveRebindsKeys(t *testing.T, e *env) {
	old, renamed := unique("username"), unique("username")
	u := &account.User{UID: uid(), Username: "old"}
	e.create(t, u, old)
	next := *u
	next.Username = "renamed"
	if err := e.Users.Save(e.ctx, &next, []string{renamed}, []string{old}); err != nil {
		t.Fatalf("Save rebinding: %v", err)
	}
	e.wantOwner(t, renamed, u.UID)
	e.wantOwner(t, old, "")
	other := &account.User{UID: uid(), Username: "old"}
	e.create(t, other, old)
	e.wantOwner(t, old, other.UID)
}

// testUsersSaveTakenWritesNothing: a Save claiming a key another account
// owns returns *TakenError naming it and writes nothing: the account, its
// other new keys and the keys it would release are as they were.
func testUsersSaveTakenWritesNothing(t *testing.T, e *env) {
	taken, mine, free := unique("mobile"), unique("username"), unique("email")
	e.create(t, &account.User{UID: uid()}, taken)
	u := &account.User{UID: uid(), Username: "u"}
	e.create(t, u, mine)
	next := *u
	next.Username, next.Email, next.Mobile = "", "u@example.com", "+8613800138000"
	err := e.Users.Save(e.ctx, &next, []string{free, taken}, []string{mine})
	wantTaken(t, "Save claiming a taken key", err, taken)
	e.wantUser(t, "after the refused Save", u)
	e.wantOwner(t, mine, u.UID)
	e.wantOwner(t, free, "")
}

// testUsersSaveNeverReleasesAnothersKey: a Save cannot release a key that
// another account owns: it fails, and both accounts stay as they were.
func testUsersSaveNeverReleasesAnothersKey(t *testing.T, e *env) {
	key := unique("username")
	a := &account.User{UID: uid(), Username: "a"}
	e.create(t, a, key)
	b := &account.User{UID: uid(), Username: "b"}
	e.create(t, b)
	next := *b
	next.Nickname = "thief"
	if err := e.Users.Save(e.ctx, &next, nil, []string{key}); err == nil {
		t.Fatal("Save released another account's key")
	}
	e.wantOwner(t, key, a.UID)
	e.wantUser(t, "the saving account", b)
}

// fullUser returns an account with every field set, so a round trip covers
// each; it fails the case when account.User gains a field it leaves zero.
func fullUser(t *testing.T) *account.User {
	t.Helper()
	ms := start.UnixMilli()
	u := &account.User{UID: uid(), Username: "alice", Password: "$argon2id$v=19$...", PasswordSecretVersion: 2,
		Nickname: "Alice", Mobile: "+8613800138000", MobileConfirmed: 1, Email: "alice@example.com", EmailConfirmed: 1,
		Role: []string{"admin", "editor"}, Status: account.StatusAuditing, DcloudAppid: []string{"__UNI__A", "__UNI__B"},
		RegisterDate: ms, RegisterEnv: &account.RegisterEnv{AppID: "__UNI__A", UniPlatform: "app", OSName: "ios",
			AppName: "demo", AppVersion: "1.0.0", AppVersionCode: "100", Channel: "1001", ClientIP: "192.0.2.1"},
		RegisterIP: "192.0.2.1", LastLoginDate: ms + 1, LastLoginIP: "192.0.2.2", ValidTokenDate: ms + 2, MobileBoundAt: ms + 3, EmailBoundAt: ms + 4,
		MyInviteCode: "ABCDEF", InviterUID: []string{uid()}, InviteTime: ms + 3, Avatar: "https://x/a.png",
		RealNameAuth: &account.RealNameAuth{Type: 1, AuthStatus: 2, AuthDate: ms + 4, RealName: "sealed-name",
			Identity: "sealed-id", IdentityDigest: "digest", IdentitySlot: 1, InHand: "cloud://in-hand.png"},
		WxOpenid: map[string]string{"app": "wx-o1", "mp_wx123": "wx-o2"}, WxUnionid: "wx-u",
		QQOpenid: map[string]string{"app": "qq-o1"}, QQUnionid: "qq-u", AliOpenid: "ali-o", AppleOpenid: "apple-o",
		OAuth: map[string]string{"github": "583231", "google": "110169484474386276334"},
		Sessions: map[string]account.Session{
			"s1": {Gen: 2, Created: ms, Expires: ms + 7200_000, RotatedAt: ms + 60_000, AuthAt: ms + 30_000, Platform: "app", DeviceID: "d1",
				AppID: "__UNI__A", PushClientID: "push-1", PushUpdated: ms + 5},
			"s2": {Gen: 1, Created: ms + 6, Expires: ms + 7200_006},
			"s3": {Gen: 3, Created: ms + 8, Expires: ms + 86400_000, Platform: "web", ClientID: "oc_1", Scopes: []string{"openid", "email"}},
		},
		AccessTokens: map[string]account.AccessToken{
			"t1": {Name: "ci", Scopes: []string{"account", "admin"}, Digest: "ab12", Created: ms + 7, Expires: ms + 86400_000, Disabled: true},
		},
		OAuthGrants: map[string]account.OAuthGrant{"oc_1": {Scopes: []string{"openid", "email"}, Created: ms + 8, Updated: ms + 9}},
		Version:     7,
		Extra:       map[string]any{"score": 1.5, "tags": []any{"vip"}, "gender": "1"},
	}
	v := reflect.ValueOf(u).Elem()
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("fullUser leaves account.User.%s zero: set it, so the round trip covers it", v.Type().Field(i).Name)
		}
	}
	return u
}

// testUsersAppListNoneIsNotEvery: dcloud_appid's absence (every app, as
// uni-id reads it) and its empty list (no app: what addUser makes without
// authorizedApp) stay apart through Create and Save.
func testUsersAppListNoneIsNotEvery(t *testing.T, e *env) {
	every, none := &account.User{UID: uid(), Username: "every"}, &account.User{UID: uid(), Username: "none", DcloudAppid: []string{}}
	for _, u := range []*account.User{every, none} {
		e.create(t, u)
		for _, what := range []string{"after Create", "after Save"} {
			got, err := e.Users.Get(e.ctx, u.UID)
			if err != nil {
				t.Fatal(err)
			}
			if (got.DcloudAppid == nil) != (u.DcloudAppid == nil) || len(got.DcloudAppid) != 0 {
				t.Errorf("%s %s: dcloud_appid = %#v, want %#v", u.Username, what, got.DcloudAppid, u.DcloudAppid)
			}
			if err := e.Users.Save(e.ctx, got, nil, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// testUsersDelete: Delete removes the account and frees its keys in one
// step; a stale version, or a key the account does not own, deletes
// nothing (ErrConflict); a second Delete finds nothing (ErrNotFound).
func testUsersDelete(t *testing.T, e *env) {
	u, keys := &account.User{UID: uid(), Username: "del"}, []string{unique("username"), unique("email")}
	if err := e.Users.Create(e.ctx, u, keys); err != nil {
		t.Fatal(err)
	}
	other, theirs := &account.User{UID: uid(), Username: "other"}, unique("mobile")
	if err := e.Users.Create(e.ctx, other, []string{theirs}); err != nil {
		t.Fatal(err)
	}
	stale := *u
	stale.Version = 7
	wantErr(t, "Delete at a stale version", e.Users.Delete(e.ctx, &stale, keys), account.ErrConflict)
	wantErr(t, "Delete with another account's key", e.Users.Delete(e.ctx, u, append(slices.Clone(keys), theirs)), account.ErrConflict)
	e.wantUser(t, "after the refused deletes", u)
	for _, k := range keys {
		e.wantOwner(t, k, u.UID)
	}
	e.wantOwner(t, theirs, other.UID)
	if err := e.Users.Delete(e.ctx, u, keys); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	e.wantNoUser(t, u.UID)
	for _, k := range keys {
		e.wantOwner(t, k, "")
	}
	if err := e.Users.Create(e.ctx, &account.User{UID: uid(), Username: "reuse"}, keys); err != nil {
		t.Errorf("claiming a deleted account's keys: %v", err)
	}
	wantErr(t, "a second Delete", e.Users.Delete(e.ctx, u, nil), account.ErrNotFound)
}

// testUsersList: paging with List from "" until the cursor is "" returns
// every account that stood throughout, each once.
func testUsersList(t *testing.T, e *env) {
	mine := map[string]int{}
	for range 5 {
		u := &account.User{UID: uid(), Username: "listed"}
		e.create(t, u)
		mine[u.UID] = 0
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatal("List does not end")
		}
		users, next, err := e.Users.List(e.ctx, 2, cursor)
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if len(users) > 2 {
			t.Fatalf("List(2) returned %d accounts", len(users))
		}
		for _, u := range users {
			if seen[u.UID] {
				t.Errorf("%s listed twice", u.UID)
			}
			seen[u.UID] = true
			if _, ok := mine[u.UID]; ok {
				mine[u.UID]++
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for id, n := range mine {
		if n != 1 {
			t.Errorf("%s listed %d times, want once", id, n)
		}
	}
}
