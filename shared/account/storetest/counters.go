package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
)

var counterCases = []testCase{
	{"HitCounts", testCountersHitCounts},
	{"HitLimit", testCountersHitLimit},
	{"FixedWindows", testCountersFixedWindows},
	{"CountsInOneRead", testCountersCountsInOneRead},
	{"Reset", testCountersReset},
	{"Unhit", testCountersUnhit},
	{"ConcurrentHitsKeepLimit", testCountersConcurrentHitsKeepLimit},
}

// testCountersHitCounts: each Hit adds one and returns the new count; with
// limit 0 there is no limit; Counts reads the same count.
func testCountersHitCounts(t *testing.T, e *env) {
	w := account.Window{Key: unique("ctr"), Size: time.Hour}
	for want := 1; want <= 5; want++ {
		if n, err := e.Counters.Hit(e.ctx, w, 0, e.now()); err != nil || n != want {
			t.Fatalf("Hit %d = %d, %v", want, n, err)
		}
	}
	e.wantCounts(t, e.now(), []account.Window{w}, 5)
}

// testCountersHitLimit: a Hit on a counter already at its limit returns
// ErrLimited and changes nothing.
func testCountersHitLimit(t *testing.T, e *env) {
	w := account.Window{Key: unique("ctr"), Size: time.Hour}
	for want := 1; want <= 2; want++ {
		if n, err := e.Counters.Hit(e.ctx, w, 2, e.now()); err != nil || n != want {
			t.Fatalf("Hit %d = %d, %v", want, n, err)
		}
	}
	for range 2 {
		_, err := e.Counters.Hit(e.ctx, w, 2, e.now())
		wantErr(t, "Hit at the limit", err, account.ErrLimited)
	}
	e.wantCounts(t, e.now(), []account.Window{w}, 2)
	if n, err := e.Counters.Hit(e.ctx, w, 3, e.now()); err != nil || n != 3 {
		t.Fatalf("Hit under a higher limit = %d, %v; want 3", n, err)
	}
}

// testCountersFixedWindows: windows of Size start at multiples of Size
// since the Unix epoch, not at the first Hit: Hits in one window share a
// count up to its last millisecond, the next window starts at 0.
func testCountersFixedWindows(t *testing.T, e *env) {
	w := account.Window{Key: unique("ctr"), Size: time.Minute}
	e.clock.Advance(30 * time.Second) // the middle of a window
	for range 2 {
		if _, err := e.Counters.Hit(e.ctx, w, 0, e.now()); err != nil {
			t.Fatal(err)
		}
	}
	last := start.Add(time.Minute - time.Millisecond)
	e.wantCounts(t, last, []account.Window{w}, 2)
	if n, err := e.Counters.Hit(e.ctx, w, 0, last); err != nil || n != 3 {
		t.Fatalf("Hit in the window's last millisecond = %d, %v; want 3", n, err)
	}
	next := start.Add(time.Minute)
	e.wantCounts(t, next, []account.Window{w}, 0)
	if n, err := e.Counters.Hit(e.ctx, w, 0, next); err != nil || n != 1 {
		t.Fatalf("Hit in the next window = %d, %v; want 1", n, err)
	}
	e.wantCounts(t, start, []account.Window{w}, 3)
}

// testCountersCountsInOneRead: Counts returns each window's count in the
// order asked, 0 for a counter never hit, the same count for a window
// asked twice, and counters of one key but different sizes apart.
func testCountersCountsInOneRead(t *testing.T, e *env) {
	key := unique("ctr")
	hour, day := account.Window{Key: key, Size: time.Hour}, account.Window{Key: key, Size: 24 * time.Hour}
	other, never := account.Window{Key: unique("ctr"), Size: time.Hour}, account.Window{Key: unique("ctr"), Size: time.Hour}
	for w, n := range map[account.Window]int{hour: 3, day: 1, other: 2} {
		for range n {
			if _, err := e.Counters.Hit(e.ctx, w, 0, e.now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.wantCounts(t, e.now(), []account.Window{hour, never, day, other, hour}, 3, 0, 1, 2, 3)
}

// testCountersReset: Reset clears a counter in the window that holds now,
// and no other window's.
func testCountersReset(t *testing.T, e *env) {
	w := account.Window{Key: unique("ctr"), Size: time.Minute}
	next := start.Add(time.Minute)
	for _, at := range []time.Time{start, start, next, next} {
		if _, err := e.Counters.Hit(e.ctx, w, 0, at); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Counters.Reset(e.ctx, w, next); err != nil {
		t.Fatal(err)
	}
	e.wantCounts(t, next, []account.Window{w}, 0)
	e.wantCounts(t, start, []account.Window{w}, 2)
	if n, err := e.Counters.Hit(e.ctx, w, 1, next); err != nil || n != 1 {
		t.Fatalf("Hit after Reset = %d, %v; want 1", n, err)
	}
	if err := e.Counters.Reset(e.ctx, account.Window{Key: unique("ctr"), Size: time.Minute}, next); err != nil {
		t.Fatalf("Reset of a counter never hit: %v", err)
	}
}

// testCountersUnhit: Unhit takes one Hit back, never below zero, so a
// later Hit counts from zero again.
func testCountersUnhit(t *testing.T, e *env) {
	w := account.Window{Key: unique("ctr"), Size: time.Hour}
	for range 2 {
		if _, err := e.Counters.Hit(e.ctx, w, 0, e.now()); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []int{1, 0, 0} {
		if err := e.Counters.Unhit(e.ctx, w, e.now()); err != nil {
			t.Fatal(err)
		}
		e.wantCounts(t, e.now(), []account.Window{w}, want)
	}
	if n, err := e.Counters.Hit(e.ctx, w, 1, e.now()); err != nil || n != 1 {
		t.Fatalf("Hit after Unhit to zero = %d, %v; want 1", n, err)
	}
}

// testCountersConcurrentHitsKeepLimit: of Hits racing on a counter with a
// limit, exactly limit succeed, each with its own count, and the rest get
// ErrLimited.
func testCountersConcurrentHitsKeepLimit(t *testing.T, e *env) {
	const limit = races / 2
	w := account.Window{Key: unique("ctr"), Size: time.Hour}
	counts := make([]int, races)
	errs := race(races, func(i int) (err error) {
		counts[i], err = e.Counters.Hit(e.ctx, w, limit, e.now())
		return err
	})
	var got []int
	for i, err := range errs {
		switch {
		case err == nil:
			got = append(got, counts[i])
		case !errors.Is(err, account.ErrLimited):
			t.Fatalf("a racing Hit: %v", err)
		}
	}
	slices.Sort(got)
	want := make([]int, limit)
	for i := range want {
		want[i] = i + 1
	}
	if !slices.Equal(got, want) {
		t.Fatalf("racing Hits counted %v, want %v", got, want)
	}
	e.wantCounts(t, e.now(), []account.Window{w}, limit)
}

func (e *env) wantCounts(t *testing.T, now time.Time, ws []account.Window, want ...int) {
	t.Helper()
	got, err := e.Counters.Counts(e.ctx, now, ws...)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("Counts at %v = %v, %v; want %v", now, got, err, want)
	}
}
