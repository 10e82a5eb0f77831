package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
)

var counterCases = []testCase{
	{"HitCounts", testCountersHitCounts},
	{"HitLimit", testCountersHitLimit},
	{"NoEdgeBurst", testCountersNoEdgeBurst},
	{"AnySpanHoldsLimit", testCountersAnySpanHoldsLimit},
	{"HitsStopCounting", testCountersHitsStopCounting},
	{"CountsInOneRead", testCountersCountsInOneRead},
	{"Reset", testCountersReset},
	{"Unhit", testCountersUnhit},
	{"ConcurrentHitsKeepLimit", testCountersConcurrentHitsKeepLimit},
	{"ConcurrentHitsInANewSlot", testCountersConcurrentHitsInANewSlot},
	{"UnhitLatest", testCountersUnhitLatest},
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

// testCountersNoEdgeBurst: limit Hits just before a multiple of Size
// leave none for just after it, nor for the rest of a Size from them (a
// fixed window lets limit more through at once there).
func testCountersNoEdgeBurst(t *testing.T, e *env) {
	w := account.Window{Key: unique("ctr"), Size: time.Minute}
	edge := start.Add(time.Minute)
	for want := 1; want <= 3; want++ {
		if n, err := e.Counters.Hit(e.ctx, w, 3, edge.Add(-time.Millisecond)); err != nil || n != want {
			t.Fatalf("Hit %d before the edge = %d, %v", want, n, err)
		}
	}
	for _, at := range []time.Time{edge, edge.Add(30 * time.Second), edge.Add(time.Minute - 2*time.Millisecond)} {
		_, err := e.Counters.Hit(e.ctx, w, 3, at)
		wantErr(t, fmt.Sprintf("Hit %v after the edge", at.Sub(edge)), err, account.ErrLimited)
		e.wantCounts(t, at, []account.Window{w}, 3)
	}
}

// testCountersAnySpanHoldsLimit: Hits every 7 s for 5 minutes against a
// limit of 4 a minute: no span of a minute holds more than 4 that
// succeeded, a Hit is refused only when Counts says the limit is reached,
// and the limit frees up again (the Hits that succeeded are at least 4 per
// Size plus a slot).
func testCountersAnySpanHoldsLimit(t *testing.T, e *env) {
	const limit = 4
	w := account.Window{Key: unique("ctr"), Size: time.Minute}
	var ok []time.Time
	for at := start.Add(-3 * time.Second); at.Before(start.Add(5 * time.Minute)); at = at.Add(7 * time.Second) {
		before, err := e.Counters.Counts(e.ctx, at, w)
		if err != nil {
			t.Fatal(err)
		}
		n, err := e.Counters.Hit(e.ctx, w, limit, at)
		switch {
		case err == nil && n == before[0]+1:
			ok = append(ok, at)
		case errors.Is(err, account.ErrLimited) && before[0] == limit:
		default:
			t.Fatalf("Hit at %v with a count of %d = %d, %v", at.Sub(start), before[0], n, err)
		}
	}
	for i, t0 := range ok {
		in := 0
		for _, t1 := range ok[i:] {
			if t1.Sub(t0) < w.Size {
				in++
			}
		}
		if in > limit {
			t.Fatalf("%d Hits succeeded within a minute of %v; successes at %v", in, t0.Sub(start), ok)
		}
	}
	if min := 5 * limit * 12 / 13; len(ok) < min {
		t.Fatalf("%d Hits succeeded in 5 minutes, want at least %d", len(ok), min)
	}
}

// testCountersHitsStopCounting: a Hit counts for at least Size and stops
// at Window.Until, at most a slot (Size/WindowSlots) later.
func testCountersHitsStopCounting(t *testing.T, e *env) {
	w := account.Window{Key: unique("ctr"), Size: time.Hour}
	at := start.Add(17 * time.Minute)
	for range 2 {
		if _, err := e.Counters.Hit(e.ctx, w, 2, at); err != nil {
			t.Fatal(err)
		}
	}
	until := w.Until(at)
	if d := until.Sub(at); d <= w.Size || d > w.Size+w.Size/account.WindowSlots {
		t.Fatalf("Until is %v after the Hit, want in (Size, Size+Size/%d]", d, account.WindowSlots)
	}
	e.wantCounts(t, at.Add(w.Size-time.Millisecond), []account.Window{w}, 2)
	e.wantCounts(t, until.Add(-time.Millisecond), []account.Window{w}, 2)
	e.wantCounts(t, until, []account.Window{w}, 0)
	if n, err := e.Counters.Hit(e.ctx, w, 2, until); err != nil || n != 1 {
		t.Fatalf("Hit at Until = %d, %v; want 1", n, err)
	}
	e.wantCounts(t, until.Add(10*w.Size), []account.Window{w}, 0)
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

// testCountersReset: Reset clears a counter, the Hits of earlier slots
// still in the window too.
func testCountersReset(t *testing.T, e *env) {
	w := account.Window{Key: unique("ctr"), Size: time.Minute}
	later := start.Add(40 * time.Second)
	for _, at := range []time.Time{start, start, later, later} {
		if _, err := e.Counters.Hit(e.ctx, w, 0, at); err != nil {
			t.Fatal(err)
		}
	}
	e.wantCounts(t, later, []account.Window{w}, 4)
	if err := e.Counters.Reset(e.ctx, w, later); err != nil {
		t.Fatal(err)
	}
	e.wantCounts(t, later, []account.Window{w}, 0)
	if n, err := e.Counters.Hit(e.ctx, w, 1, later); err != nil || n != 1 {
		t.Fatalf("Hit after Reset = %d, %v; want 1", n, err)
	}
	if err := e.Counters.Reset(e.ctx, account.Window{Key: unique("ctr"), Size: time.Minute}, later); err != nil {
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

// testCountersConcurrentHitsInANewSlot: Hits racing in a slot after the
// counter's last one (so each finds the counter to move on) still let
// exactly limit through in all, counting the earlier slot's Hits.
func testCountersConcurrentHitsInANewSlot(t *testing.T, e *env) {
	const limit = races / 2
	w := account.Window{Key: unique("ctr"), Size: time.Hour}
	for range 2 {
		if _, err := e.Counters.Hit(e.ctx, w, limit, e.now()); err != nil {
			t.Fatal(err)
		}
	}
	later := e.now().Add(20 * time.Minute)
	counts := make([]int, races)
	errs := race(races, func(i int) (err error) {
		counts[i], err = e.Counters.Hit(e.ctx, w, limit, later)
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
	if want := []int{3, 4}; !slices.Equal(got, want) {
		t.Fatalf("racing Hits counted %v, want %v", got, want)
	}
	e.wantCounts(t, later, []account.Window{w}, limit)
}

// testCountersUnhitLatest: Unhit takes back the latest Hit still counted,
// also when it was made in an earlier slot than now's.
func testCountersUnhitLatest(t *testing.T, e *env) {
	w := account.Window{Key: unique("ctr"), Size: time.Hour}
	for _, at := range []time.Time{start, start.Add(10 * time.Minute)} {
		if _, err := e.Counters.Hit(e.ctx, w, 0, at); err != nil {
			t.Fatal(err)
		}
	}
	later := start.Add(30 * time.Minute)
	if err := e.Counters.Unhit(e.ctx, w, later); err != nil {
		t.Fatal(err)
	}
	e.wantCounts(t, later, []account.Window{w}, 1)
	// What is left is the first Hit: it stops counting with its own slot.
	e.wantCounts(t, w.Until(start), []account.Window{w}, 0)
}

func (e *env) wantCounts(t *testing.T, now time.Time, ws []account.Window, want ...int) {
	t.Helper()
	got, err := e.Counters.Counts(e.ctx, now, ws...)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("Counts at %v = %v, %v; want %v", now, got, err, want)
	}
}
