package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
)

// write is one store write the fault cases break. prepare sets the stage
// and returns the write and state, which reads (once, and possibly
// destructively) what the write changes, as text: before when the write
// did not apply, after when it did.
type write struct {
	name          string
	prepare       func(t *testing.T, e *env) (do func() error, state func() string)
	before, after string
}

// accountWrites are the writes of Users.
func accountWrites() []write {
	return []write{
		{"Create", prepareCreate, "user=none key0=free key1=free", "user=v0 nick= key0=own key1=own"},
		{"Save", prepareSave, "user=v0 nick=", "user=v1 nick=saved"},
		{"SaveKeys", prepareSaveKeys, "user=v0 nick= key0=own key1=free", "user=v1 nick=saved key0=free key1=own"},
	}
}

// deleteWrite is Users.Delete: all or nothing. (Repeated, it answers
// ErrNotFound, so it is not among accountWrites' repeat cases.)
var deleteWrite = write{"Delete", prepareDelete, "user=v0 nick= key0=own key1=own", "user=none key0=free key1=free"}

func prepareDelete(t *testing.T, e *env) (func() error, func() string) {
	u, keys := &account.User{UID: uid(), Username: "d"}, []string{unique("username"), unique("email")}
	e.create(t, u, keys...)
	return func() error { return e.Users.Delete(e.ctx, u, keys) }, e.userState(t, u.UID, keys...)
}

// ephemeralWrites are the writes of Captchas, Cache, Counters and Codes.
func ephemeralWrites() []write {
	return []write{
		{"CaptchaPut", prepareCaptchaPut, "captcha=none", "captcha=h"},
		{"CaptchaTake", prepareCaptchaTake, "captcha=h", "captcha=none"},
		{"CacheSet", prepareCacheSet, "cache=none", "cache=v"},
		{"CacheTake", prepareCacheTake, "cache=v", "cache=none"},
		{"CacheSwap", prepareCacheSwap, "cache=v", "cache=w"},
		{"Hit", prepareCounter(func(e *env, w account.Window) error {
			_, err := e.Counters.Hit(e.ctx, w, 0, e.now())
			return err
		}), "count=2", "count=3"},
		{"Unhit", prepareCounter(func(e *env, w account.Window) error { return e.Counters.Unhit(e.ctx, w, e.now()) }), "count=2", "count=1"},
		{"Reset", prepareCounter(func(e *env, w account.Window) error { return e.Counters.Reset(e.ctx, w, e.now()) }), "count=2", "count=0"},
		{"Issue", prepareIssue, "code=none cooldown=free limit=free", "code=h cooldown=taken limit=full"},
		{"Withdraw", prepareWithdraw, "code=h cooldown=taken limit=full", "code=none cooldown=free limit=free"},
		{"Attempt", prepareAttempt, "tries=2", "tries=1"},
		{"Consume", prepareConsume, "code=h", "code=none"},
	}
}

func prepareCreate(t *testing.T, e *env) (func() error, func() string) {
	u, keys := &account.User{UID: uid(), Username: "c"}, []string{unique("username"), unique("email")}
	return func() error { return e.Users.Create(e.ctx, u, keys) }, e.userState(t, u.UID, keys...)
}

func prepareSave(t *testing.T, e *env) (func() error, func() string) {
	u := &account.User{UID: uid(), Username: "s"}
	e.create(t, u)
	next := *u
	next.Nickname = "saved"
	return func() error { return e.Users.Save(e.ctx, &next, nil, nil) }, e.userState(t, u.UID)
}

func prepareSaveKeys(t *testing.T, e *env) (func() error, func() string) {
	old, added := unique("username"), unique("username")
	u := &account.User{UID: uid(), Username: "k"}
	e.create(t, u, old)
	next := *u
	next.Nickname, next.Username = "saved", "k2"
	return func() error { return e.Users.Save(e.ctx, &next, []string{added}, []string{old}) }, e.userState(t, u.UID, old, added)
}

// userState reads an account's version and nickname and who owns keys.
func (e *env) userState(t *testing.T, uid string, keys ...string) func() string {
	return func() string {
		t.Helper()
		s := "user=none"
		u, err := e.Users.Get(e.ctx, uid)
		switch {
		case err == nil:
			s = fmt.Sprintf("user=v%d nick=%s", u.Version, u.Nickname)
		case !errors.Is(err, account.ErrNotFound):
			t.Fatalf("Get: %v", err)
		}
		for i, k := range keys {
			owner, err := e.Users.Owner(e.ctx, k)
			switch {
			case errors.Is(err, account.ErrNotFound):
				owner = "free"
			case err != nil:
				t.Fatalf("Owner: %v", err)
			case owner == uid:
				owner = "own"
			}
			s += fmt.Sprintf(" key%d=%s", i, owner)
		}
		return s
	}
}

func prepareCaptchaPut(t *testing.T, e *env) (func() error, func() string) {
	key := unique("captcha")
	return func() error { return e.Captchas.Put(e.ctx, key, []byte("h"), e.now().Add(time.Minute)) }, e.captchaState(t, key)
}

func prepareCaptchaTake(t *testing.T, e *env) (func() error, func() string) {
	key := unique("captcha")
	wantErr(t, "Put", e.Captchas.Put(e.ctx, key, []byte("h"), e.now().Add(time.Minute)), nil)
	return func() error {
		_, _, err := e.Captchas.Take(e.ctx, key)
		return err
	}, e.captchaState(t, key)
}

func (e *env) captchaState(t *testing.T, key string) func() string {
	return func() string {
		h, _, err := e.Captchas.Take(e.ctx, key)
		if errors.Is(err, account.ErrNotFound) {
			return "captcha=none"
		}
		wantErr(t, "Take", err, nil)
		return "captcha=" + string(h)
	}
}

func prepareCacheSet(t *testing.T, e *env) (func() error, func() string) {
	key := unique("cache")
	return func() error { return e.Cache.CacheSet(e.ctx, key, []byte("v"), e.now().Add(time.Minute)) }, e.cacheState(t, key)
}

func prepareCacheTake(t *testing.T, e *env) (func() error, func() string) {
	key := unique("cache")
	wantErr(t, "CacheSet", e.Cache.CacheSet(e.ctx, key, []byte("v"), e.now().Add(time.Minute)), nil)
	return func() error {
		_, err := e.Cache.CacheTake(e.ctx, key, e.now())
		return err
	}, e.cacheState(t, key)
}

func prepareCacheSwap(t *testing.T, e *env) (func() error, func() string) {
	key := unique("cache")
	wantErr(t, "CacheSet", e.Cache.CacheSet(e.ctx, key, []byte("v"), e.now().Add(time.Minute)), nil)
	return func() error { return e.Cache.CacheSwap(e.ctx, key, []byte("v"), []byte("w"), e.now()) }, e.cacheState(t, key)
}

func (e *env) cacheState(t *testing.T, key string) func() string {
	return func() string {
		v, err := e.Cache.CacheGet(e.ctx, key, e.now())
		if errors.Is(err, account.ErrNotFound) {
			return "cache=none"
		}
		wantErr(t, "CacheGet", err, nil)
		return "cache=" + string(v)
	}
}

// prepareCounter prepares op on a counter hit twice.
func prepareCounter(op func(e *env, w account.Window) error) func(t *testing.T, e *env) (func() error, func() string) {
	return func(t *testing.T, e *env) (func() error, func() string) {
		w := account.Window{Key: unique("ctr"), Size: time.Hour}
		for range 2 {
			_, err := e.Counters.Hit(e.ctx, w, 0, e.now())
			wantErr(t, "Hit", err, nil)
		}
		return func() error { return op(e, w) }, func() string {
			n, err := e.Counters.Counts(e.ctx, e.now(), w)
			wantErr(t, "Counts", err, nil)
			return fmt.Sprint("count=", n[0])
		}
	}
}

func prepareIssue(t *testing.T, e *env) (func() error, func() string) {
	s := e.limitedSending()
	return func() error { return e.issue(s) }, e.sendingState(t, s)
}

func prepareWithdraw(t *testing.T, e *env) (func() error, func() string) {
	s := e.limitedSending()
	wantErr(t, "Issue", e.issue(s), nil)
	return func() error { return e.Codes.Withdraw(e.ctx, s.key, s.cd, s.limits, e.now()) }, e.sendingState(t, s)
}

func prepareAttempt(t *testing.T, e *env) (func() error, func() string) {
	s := e.limitedSending()
	wantErr(t, "Issue", e.issue(s), nil)
	attempt := func() error {
		_, err := e.Codes.Attempt(e.ctx, s.key, 2, e.now())
		return err
	}
	return attempt, func() string {
		left := 0
		for ; left < 3; left++ {
			if err := attempt(); err != nil {
				wantErr(t, "Attempt", err, account.ErrNotFound)
				break
			}
		}
		return fmt.Sprint("tries=", left)
	}
}

func prepareConsume(t *testing.T, e *env) (func() error, func() string) {
	s := e.limitedSending()
	wantErr(t, "Issue", e.issue(s), nil)
	return func() error { return e.Codes.Consume(e.ctx, s.key, s.hash) }, func() string { return e.codeState(t, s.key) }
}

// limitedSending is a code "h" with a cooldown and one limit of Max 1.
func (e *env) limitedSending() sending {
	s := e.newSending(account.Limit{Window: account.Window{Key: unique("ctr"), Size: time.Hour}, Max: 1})
	s.hash = []byte("h")
	return s
}

// sendingState probes, in this order, the code at s.key, s's cooldown (by
// an Issue of another code that takes it) and its one limit (likewise).
func (e *env) sendingState(t *testing.T, s sending) func() string {
	return func() string {
		probe := e.newSending()
		probe.cd = s.cd
		state := e.codeState(t, s.key) + " cooldown=" + limitState(t, e.issue(probe), -1, "taken")
		probe = e.newSending(s.limits...)
		return state + " limit=" + limitState(t, e.issue(probe), 0, "full")
	}
}

// codeState probes the code at key with an Attempt.
func (e *env) codeState(t *testing.T, key string) string {
	h, err := e.Codes.Attempt(e.ctx, key, 100, e.now())
	if errors.Is(err, account.ErrNotFound) {
		return "code=none"
	}
	wantErr(t, "Attempt", err, nil)
	return "code=" + string(h)
}

// limitState names the outcome of a probing Issue: free, or refused
// when limit index refused it (-1: the cooldown).
func limitState(t *testing.T, err error, index int, refused string) string {
	t.Helper()
	if err == nil {
		return "free"
	}
	if le, ok := errors.AsType[*account.LimitError](err); !ok || le.Index != index {
		t.Fatalf("a probing Issue: got error %v, want *LimitError{Index: %d}", err, index)
	}
	return refused
}
