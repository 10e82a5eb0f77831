package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
)

var codeCases = []testCase{
	{"IssueAttemptConsume", testCodesIssueAttemptConsume},
	{"IssueReplaces", testCodesIssueReplaces},
	{"CooldownRefuses", testCodesCooldownRefuses},
	{"LimitRefuses", testCodesLimitRefuses},
	{"LimitSlides", testCodesLimitSlides},
	{"Withdraw", testCodesWithdraw},
	{"WithdrawAfterASlot", testCodesWithdrawAfterASlot},
	{"AttemptMaxTries", testCodesAttemptMaxTries},
	{"AttemptExpired", testCodesAttemptExpired},
	{"ConsumeWrongHash", testCodesConsumeWrongHash},
	{"ConcurrentConsumesOnce", testCodesConcurrentConsumesOnce},
	{"ConcurrentIssuesOneCooldown", testCodesConcurrentIssuesOneCooldown},
	{"ConcurrentAttemptsKeepMax", testCodesConcurrentAttemptsKeepMax},
}

// sending is one code to issue: its key, hash, expiry, cooldown, limits.
type sending struct {
	key    string
	hash   []byte
	exp    time.Time
	cd     account.Cooldown
	limits []account.Limit
}

// newSending returns a code valid for 5 minutes from now with a free
// 1-minute cooldown and the given limits.
func (e *env) newSending(limits ...account.Limit) sending {
	return sending{key: unique("code"), hash: []byte(random(8)), exp: e.now().Add(5 * time.Minute),
		cd: account.Cooldown{Key: unique("cooldown"), Until: e.now().Add(time.Minute)}, limits: limits}
}

func (e *env) issue(s sending) error {
	return e.Codes.Issue(e.ctx, s.key, s.hash, s.exp, s.cd, s.limits, e.now())
}

// testCodesIssueAttemptConsume: Attempt returns the hash Issue stored,
// Consume with it removes the code, and then Attempt and Consume return
// ErrNotFound, as for a key never issued.
func testCodesIssueAttemptConsume(t *testing.T, e *env) {
	s := e.newSending()
	_, err := e.Codes.Attempt(e.ctx, s.key, 5, e.now())
	wantErr(t, "Attempt before Issue", err, account.ErrNotFound)
	wantErr(t, "Consume before Issue", e.Codes.Consume(e.ctx, s.key, s.hash), account.ErrNotFound)
	wantErr(t, "Issue", e.issue(s), nil)
	e.wantCode(t, s.key, 5, s.hash)
	wantErr(t, "Consume", e.Codes.Consume(e.ctx, s.key, s.hash), nil)
	_, err = e.Codes.Attempt(e.ctx, s.key, 5, e.now())
	wantErr(t, "Attempt after Consume", err, account.ErrNotFound)
	wantErr(t, "a second Consume", e.Codes.Consume(e.ctx, s.key, s.hash), account.ErrNotFound)
}

// testCodesIssueReplaces: an Issue replaces the code at its key, tries
// included: the new code has all its tries.
func testCodesIssueReplaces(t *testing.T, e *env) {
	first := e.newSending()
	wantErr(t, "Issue", e.issue(first), nil)
	e.wantCode(t, first.key, 2, first.hash)
	e.wantCode(t, first.key, 2, first.hash)
	second := e.newSending()
	second.key = first.key
	wantErr(t, "a second Issue", e.issue(second), nil)
	e.wantCode(t, first.key, 2, second.hash)
	e.wantCode(t, first.key, 2, second.hash)
	wantErr(t, "Consume of the replaced code", e.Codes.Consume(e.ctx, first.key, first.hash), account.ErrNotFound)
}

// testCodesCooldownRefuses: while a cooldown holds, an Issue taking it
// returns *LimitError{Index: -1, Until: its end} and changes nothing; it
// is free again at Until.
func testCodesCooldownRefuses(t *testing.T, e *env) {
	limit := account.Limit{Window: account.Window{Key: unique("ctr"), Size: time.Hour}, Max: 2}
	first := e.newSending(limit)
	wantErr(t, "Issue", e.issue(first), nil)
	e.clock.Advance(time.Minute - time.Millisecond)
	again := first
	again.hash, again.cd.Until = []byte("again"), e.now().Add(time.Minute)
	e.wantLimit(t, e.issue(again), -1, first.cd.Until)
	e.wantCode(t, first.key, 5, first.hash)
	e.clock.Advance(time.Millisecond)
	wantErr(t, "Issue when the cooldown ends", e.issue(again), nil)
	e.wantCode(t, first.key, 5, again.hash)
}

// testCodesLimitRefuses: an Issue with a limit at its Max returns
// *LimitError{Index: that limit} and changes nothing: the code, the
// cooldown and the other limits' counts stay as they were.
func testCodesLimitRefuses(t *testing.T, e *env) {
	wide := account.Limit{Window: account.Window{Key: unique("ctr"), Size: time.Hour}, Max: 3}
	narrow := account.Limit{Window: account.Window{Key: unique("ctr"), Size: time.Hour}, Max: 1}
	first := e.newSending(wide, narrow)
	wantErr(t, "Issue", e.issue(first), nil)
	refused := e.newSending(wide, narrow)
	refused.key = first.key
	e.wantLimit(t, e.issue(refused), 1, time.Time{})
	e.wantCode(t, first.key, 5, first.hash)
	refused.limits = nil
	wantErr(t, "Issue on the refused Issue's cooldown", e.issue(refused), nil)
	for range 2 { // wide counted the first Issue only
		wantErr(t, "Issue under wide", e.issue(e.newSending(wide)), nil)
	}
	e.wantLimit(t, e.issue(e.newSending(wide)), 0, time.Time{})
}

// testCodesWithdraw: Withdraw undoes an Issue: the code is gone, the
// cooldown free and the limits' counts given back.
func testCodesWithdraw(t *testing.T, e *env) {
	limit := account.Limit{Window: account.Window{Key: unique("ctr"), Size: time.Hour}, Max: 1}
	s := e.newSending(limit)
	wantErr(t, "Issue", e.issue(s), nil)
	wantErr(t, "Withdraw", e.Codes.Withdraw(e.ctx, s.key, s.cd, s.limits, e.now()), nil)
	_, err := e.Codes.Attempt(e.ctx, s.key, 5, e.now())
	wantErr(t, "Attempt after Withdraw", err, account.ErrNotFound)
	wantErr(t, "Issue again after Withdraw", e.issue(s), nil)
}

// testCodesLimitSlides: Issue's limits are Counters' sliding windows: a
// send just before a multiple of the limit's Size still counts just after
// it, and the limit frees up at Window.Until of that send.
func testCodesLimitSlides(t *testing.T, e *env) {
	limit := account.Limit{Window: account.Window{Key: unique("ctr"), Size: time.Hour}, Max: 1}
	set := func(at time.Time) { e.clock.Advance(at.Sub(e.now())) }
	first := start.Add(time.Hour - time.Millisecond)
	set(first)
	wantErr(t, "Issue before the edge", e.issue(e.newSending(limit)), nil)
	for _, at := range []time.Time{start.Add(time.Hour), first.Add(time.Hour - time.Millisecond)} {
		set(at)
		e.wantLimit(t, e.issue(e.newSending(limit)), 0, time.Time{})
	}
	set(limit.Until(first))
	wantErr(t, "Issue once the first has stopped counting", e.issue(e.newSending(limit)), nil)
	e.wantLimit(t, e.issue(e.newSending(limit)), 0, time.Time{})
}

// testCodesWithdrawAfterASlot: Withdraw gives back the count of an Issue
// whose counter has since moved to a later slot, and still removes the
// code and frees the cooldown when a counter no longer holds the count
// (it was reset).
func testCodesWithdrawAfterASlot(t *testing.T, e *env) {
	hour := account.Limit{Window: account.Window{Key: unique("ctr"), Size: time.Hour}, Max: 2}
	s, issued := e.newSending(hour), e.now()
	wantErr(t, "Issue", e.issue(s), nil)
	e.clock.Advance(20 * time.Minute)
	wantErr(t, "a later Issue", e.issue(e.newSending(hour)), nil)
	wantErr(t, "Withdraw", e.Codes.Withdraw(e.ctx, s.key, s.cd, s.limits, issued), nil)
	wantErr(t, "Issue in the place given back", e.issue(e.newSending(hour)), nil)
	e.wantLimit(t, e.issue(e.newSending(hour)), 0, time.Time{})

	reset := account.Limit{Window: account.Window{Key: unique("ctr"), Size: time.Hour}, Max: 1}
	s = e.newSending(reset)
	wantErr(t, "Issue", e.issue(s), nil)
	wantErr(t, "Reset", e.Counters.Reset(e.ctx, reset.Window, e.now()), nil)
	wantErr(t, "Withdraw over a reset counter", e.Codes.Withdraw(e.ctx, s.key, s.cd, s.limits, e.now()), nil)
	_, err := e.Codes.Attempt(e.ctx, s.key, 5, e.now())
	wantErr(t, "Attempt after Withdraw", err, account.ErrNotFound)
	again := e.newSending()
	again.cd = s.cd
	wantErr(t, "Issue on the freed cooldown", e.issue(again), nil)
}

// testCodesAttemptMaxTries: Attempt counts tries: after max of them it
// returns ErrNotFound.
func testCodesAttemptMaxTries(t *testing.T, e *env) {
	s := e.newSending()
	wantErr(t, "Issue", e.issue(s), nil)
	for range 3 {
		e.wantCode(t, s.key, 3, s.hash)
	}
	_, err := e.Codes.Attempt(e.ctx, s.key, 3, e.now())
	wantErr(t, "Attempt past max tries", err, account.ErrNotFound)
}

// testCodesAttemptExpired: from its expiry on, Attempt returns ErrNotFound
// and counts nothing (a try at an earlier now still has every try).
func testCodesAttemptExpired(t *testing.T, e *env) {
	s := e.newSending()
	wantErr(t, "Issue", e.issue(s), nil)
	for range 3 {
		_, err := e.Codes.Attempt(e.ctx, s.key, 2, s.exp)
		wantErr(t, "Attempt at the expiry", err, account.ErrNotFound)
	}
	for range 2 {
		if h, err := e.Codes.Attempt(e.ctx, s.key, 2, s.exp.Add(-time.Millisecond)); err != nil || string(h) != string(s.hash) {
			t.Fatalf("Attempt just before the expiry = %q, %v", h, err)
		}
	}
}

// testCodesConsumeWrongHash: Consume with another hash returns ErrNotFound
// and leaves the code.
func testCodesConsumeWrongHash(t *testing.T, e *env) {
	s := e.newSending()
	wantErr(t, "Issue", e.issue(s), nil)
	wantErr(t, "Consume of another hash", e.Codes.Consume(e.ctx, s.key, []byte("other")), account.ErrNotFound)
	e.wantCode(t, s.key, 5, s.hash)
}

// testCodesConcurrentConsumesOnce: of checks racing to consume one code,
// exactly one succeeds: a code verifies once.
func testCodesConcurrentConsumesOnce(t *testing.T, e *env) {
	s := e.newSending()
	wantErr(t, "Issue", e.issue(s), nil)
	onlyOne(t, "Consume", race(races, func(int) error { return e.Codes.Consume(e.ctx, s.key, s.hash) }))
}

// testCodesConcurrentIssuesOneCooldown: of Issues racing for one cooldown,
// exactly one succeeds; the others get the cooldown's *LimitError.
func testCodesConcurrentIssuesOneCooldown(t *testing.T, e *env) {
	s := e.newSending()
	errs := race(races, func(i int) error {
		mine := s
		mine.hash = []byte{byte(i)}
		return e.issue(mine)
	})
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		if le, ok := errors.AsType[*account.LimitError](err); !ok || le.Index != -1 {
			t.Fatalf("a racing Issue: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d racing Issues succeeded, want 1", won)
	}
}

// testCodesConcurrentAttemptsKeepMax: of Attempts racing on one code,
// exactly max get its hash; the others get ErrNotFound.
func testCodesConcurrentAttemptsKeepMax(t *testing.T, e *env) {
	const maxTries = 3
	s := e.newSending()
	wantErr(t, "Issue", e.issue(s), nil)
	errs := race(races, func(int) error {
		_, err := e.Codes.Attempt(e.ctx, s.key, maxTries, e.now())
		return err
	})
	got := 0
	for _, err := range errs {
		switch {
		case err == nil:
			got++
		case !errors.Is(err, account.ErrNotFound):
			t.Fatalf("a racing Attempt: %v", err)
		}
	}
	if got != maxTries {
		t.Fatalf("%d racing Attempts got the hash, want %d", got, maxTries)
	}
}

// wantCode makes one Attempt and fails the case unless it returns hash.
func (e *env) wantCode(t *testing.T, key string, tries int, hash []byte) {
	t.Helper()
	if h, err := e.Codes.Attempt(e.ctx, key, tries, e.now()); err != nil || string(h) != string(hash) {
		t.Fatalf("Attempt(%s) = %q, %v; want %q", key, h, err, hash)
	}
}

// wantLimit fails the case unless err is a *LimitError for limit index
// (-1: the cooldown, which ends at until).
func (e *env) wantLimit(t *testing.T, err error, index int, until time.Time) {
	t.Helper()
	le, ok := errors.AsType[*account.LimitError](err)
	if !ok || le.Index != index || index < 0 && !le.Until.Equal(until) {
		t.Fatalf("got error %v (%+v), want *LimitError{Index: %d, Until: %v}", err, le, index, until)
	}
}
