package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
)

var captchaCases = []testCase{
	{"PutTake", testCaptchaPutTake},
	{"PutReplaces", testCaptchaPutReplaces},
	{"TakeReturnsExpiry", testCaptchaTakeReturnsExpiry},
	{"ConcurrentTakesOnce", testCaptchaConcurrentTakesOnce},
}

// testCaptchaPutTake: Take returns the hash and expiry Put stored and
// removes them: the next Take, and a Take of a key never Put, return
// ErrNotFound.
func testCaptchaPutTake(t *testing.T, e *env) {
	key, exp := unique("captcha"), e.now().Add(5*time.Minute)
	_, _, err := e.Captchas.Take(e.ctx, key)
	wantErr(t, "Take before Put", err, account.ErrNotFound)
	if err := e.Captchas.Put(e.ctx, key, []byte("h1"), exp); err != nil {
		t.Fatal(err)
	}
	e.wantCaptcha(t, key, "h1", exp)
	_, _, err = e.Captchas.Take(e.ctx, key)
	wantErr(t, "a second Take", err, account.ErrNotFound)
}

// testCaptchaPutReplaces: a Put replaces the captcha at its key.
func testCaptchaPutReplaces(t *testing.T, e *env) {
	key := unique("captcha")
	for i, h := range []string{"first", "second"} {
		if err := e.Captchas.Put(e.ctx, key, []byte(h), e.now().Add(time.Duration(i+1)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	e.wantCaptcha(t, key, "second", e.now().Add(2*time.Minute))
}

// testCaptchaTakeReturnsExpiry: Take returns an expired captcha too, with
// its expiry, to millisecond precision: the caller judges it.
func testCaptchaTakeReturnsExpiry(t *testing.T, e *env) {
	key, exp := unique("captcha"), e.now().Add(1234*time.Millisecond)
	if err := e.Captchas.Put(e.ctx, key, []byte("h"), exp); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	e.wantCaptcha(t, key, "h", exp)
}

// testCaptchaConcurrentTakesOnce: of checks racing for one captcha, exactly
// one gets it; the others get ErrNotFound.
func testCaptchaConcurrentTakesOnce(t *testing.T, e *env) {
	key := unique("captcha")
	if err := e.Captchas.Put(e.ctx, key, []byte("h"), e.now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	onlyOne(t, "Take", race(races, func(int) error {
		_, _, err := e.Captchas.Take(e.ctx, key)
		return err
	}))
}

func (e *env) wantCaptcha(t *testing.T, key, hash string, exp time.Time) {
	t.Helper()
	h, got, err := e.Captchas.Take(e.ctx, key)
	if err != nil || string(h) != hash || !got.Equal(exp) {
		t.Fatalf("Take(%s) = %q, %v, %v; want %q, %v", key, h, got, err, hash, exp)
	}
}

var cacheCases = []testCase{
	{"SetGet", testCacheSetGet},
	{"ExpiredReadsAbsent", testCacheExpiredReadsAbsent},
	{"TakeOnce", testCacheTakeOnce},
	{"ConcurrentTakesOnce", testCacheConcurrentTakesOnce},
	{"SwapMovesOn", testCacheSwapMovesOn},
	{"SwapRefusesAnotherValue", testCacheSwapRefusesAnotherValue},
	{"SwapRefusesExpiredOrAbsent", testCacheSwapRefusesExpiredOrAbsent},
	{"ConcurrentSwapsOnce", testCacheConcurrentSwapsOnce},
}

// testCacheSetGet: CacheGet returns what CacheSet stored, any number of
// times, and the latest value after a second CacheSet; a key never set
// reads ErrNotFound.
func testCacheSetGet(t *testing.T, e *env) {
	key := unique("cache")
	_, err := e.Cache.CacheGet(e.ctx, key, e.now())
	wantErr(t, "CacheGet before CacheSet", err, account.ErrNotFound)
	for _, v := range []string{"one", "two"} {
		if err := e.Cache.CacheSet(e.ctx, key, []byte(v), e.now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		e.wantCached(t, key, e.now(), v)
		e.wantCached(t, key, e.now(), v)
	}
}

// testCacheExpiredReadsAbsent: a value is live while now is before its
// expiry; from then on CacheGet and CacheTake read it as absent although
// the engine may still store it (a read at an earlier now still finds it).
func testCacheExpiredReadsAbsent(t *testing.T, e *env) {
	key, exp := unique("cache"), e.now().Add(time.Minute)
	if err := e.Cache.CacheSet(e.ctx, key, []byte("v"), exp); err != nil {
		t.Fatal(err)
	}
	e.wantCached(t, key, exp.Add(-time.Millisecond), "v")
	_, err := e.Cache.CacheGet(e.ctx, key, exp)
	wantErr(t, "CacheGet at the expiry", err, account.ErrNotFound)
	e.wantCached(t, key, exp.Add(-time.Millisecond), "v")
	_, err = e.Cache.CacheTake(e.ctx, key, exp)
	wantErr(t, "CacheTake at the expiry", err, account.ErrNotFound)
}

// testCacheTakeOnce: CacheTake returns the value and removes it.
func testCacheTakeOnce(t *testing.T, e *env) {
	key := unique("cache")
	if err := e.Cache.CacheSet(e.ctx, key, []byte("v"), e.now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if v, err := e.Cache.CacheTake(e.ctx, key, e.now()); err != nil || string(v) != "v" {
		t.Fatalf("CacheTake = %q, %v", v, err)
	}
	_, err := e.Cache.CacheTake(e.ctx, key, e.now())
	wantErr(t, "a second CacheTake", err, account.ErrNotFound)
	_, err = e.Cache.CacheGet(e.ctx, key, e.now())
	wantErr(t, "CacheGet after CacheTake", err, account.ErrNotFound)
}

// testCacheConcurrentTakesOnce: of takers racing for one value, exactly one
// gets it; the others get ErrNotFound.
func testCacheConcurrentTakesOnce(t *testing.T, e *env) {
	key := unique("cache")
	if err := e.Cache.CacheSet(e.ctx, key, []byte("v"), e.now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	onlyOne(t, "CacheTake", race(races, func(int) error {
		_, err := e.Cache.CacheTake(e.ctx, key, e.now())
		return err
	}))
}

// testCacheSwapMovesOn: CacheSwap replaces the value it is given as old,
// keeps the expiry, and a later swap goes on from the new value.
func testCacheSwapMovesOn(t *testing.T, e *env) {
	key, exp := unique("cache"), e.now().Add(time.Minute)
	if err := e.Cache.CacheSet(e.ctx, key, []byte("pending"), exp); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "CacheSwap pending->scanned", e.Cache.CacheSwap(e.ctx, key, []byte("pending"), []byte("scanned"), e.now()), nil)
	e.wantCached(t, key, e.now(), "scanned")
	wantErr(t, "CacheSwap scanned->confirmed", e.Cache.CacheSwap(e.ctx, key, []byte("scanned"), []byte("confirmed"), e.now()), nil)
	e.wantCached(t, key, exp.Add(-time.Millisecond), "confirmed")
	_, err := e.Cache.CacheGet(e.ctx, key, exp)
	wantErr(t, "CacheGet at the first expiry", err, account.ErrNotFound)
}

// testCacheSwapRefusesAnotherValue: a swap from a value no longer there
// returns ErrConflict and changes nothing.
func testCacheSwapRefusesAnotherValue(t *testing.T, e *env) {
	key := unique("cache")
	if err := e.Cache.CacheSet(e.ctx, key, []byte("scanned"), e.now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	err := e.Cache.CacheSwap(e.ctx, key, []byte("pending"), []byte("scanned-by-me"), e.now())
	wantErr(t, "CacheSwap from a stale value", err, account.ErrConflict)
	e.wantCached(t, key, e.now(), "scanned")
}

// testCacheSwapRefusesExpiredOrAbsent: a swap of a key never set, or of a
// value at or past its expiry although still stored, returns ErrNotFound
// and stores nothing.
func testCacheSwapRefusesExpiredOrAbsent(t *testing.T, e *env) {
	key := unique("cache")
	err := e.Cache.CacheSwap(e.ctx, key, []byte("v"), []byte("w"), e.now())
	wantErr(t, "CacheSwap of a key never set", err, account.ErrNotFound)
	_, err = e.Cache.CacheGet(e.ctx, key, e.now())
	wantErr(t, "CacheGet after a refused swap", err, account.ErrNotFound)
	exp := e.now().Add(time.Minute)
	if err := e.Cache.CacheSet(e.ctx, key, []byte("v"), exp); err != nil {
		t.Fatal(err)
	}
	err = e.Cache.CacheSwap(e.ctx, key, []byte("v"), []byte("w"), exp)
	wantErr(t, "CacheSwap at the expiry", err, account.ErrNotFound)
	e.wantCached(t, key, exp.Add(-time.Millisecond), "v")
}

// testCacheConcurrentSwapsOnce: of swaps racing from one value to values
// of their own, exactly one succeeds and its value stays; the others get
// ErrConflict.
func testCacheConcurrentSwapsOnce(t *testing.T, e *env) {
	key := unique("cache")
	if err := e.Cache.CacheSet(e.ctx, key, []byte("pending"), e.now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	errs := race(races, func(i int) error {
		return e.Cache.CacheSwap(e.ctx, key, []byte("pending"), fmt.Appendf(nil, "scanned-by-%d", i), e.now())
	})
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("swaps %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, account.ErrConflict):
			t.Fatalf("a racing CacheSwap: %v", err)
		}
	}
	if winner < 0 {
		t.Fatal("no racing CacheSwap succeeded")
	}
	e.wantCached(t, key, e.now(), fmt.Sprintf("scanned-by-%d", winner))
}

func (e *env) wantCached(t *testing.T, key string, now time.Time, want string) {
	t.Helper()
	if v, err := e.Cache.CacheGet(e.ctx, key, now); err != nil || !bytes.Equal(v, []byte(want)) {
		t.Fatalf("CacheGet(%s) at %v = %q, %v; want %q", key, now, v, err, want)
	}
}

// onlyOne checks the errors of racers of which exactly one may succeed:
// one nil, the others ErrNotFound.
func onlyOne(t *testing.T, what string, errs []error) {
	t.Helper()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, account.ErrNotFound):
			t.Fatalf("a racing %s: %v", what, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d racing calls of %s succeeded, want 1", won, what)
	}
}
