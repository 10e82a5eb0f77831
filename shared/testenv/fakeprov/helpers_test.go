package fakeprov_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// clock is a settable time source shared by a Fake and the clients, as
// testenv's Clock is in idco's own tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newFake starts a Fake on a fixed clock far from the wall clock, so that
// any side using time.Now instead of the shared clock shows up.
func newFake(t *testing.T) (*fakeprov.Fake, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	f := fakeprov.New(t)
	f.Now = c.Now
	return f, c
}

// as returns err as a *T or fails the test.
func as[T error](t *testing.T, err error) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("error %v (%T) is not a %T", err, err, target)
	}
	return target
}
