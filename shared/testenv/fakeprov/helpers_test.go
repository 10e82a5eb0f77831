package fakeprov_test

import (
	"errors"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"

	"github.com/idco-dev/idco/shared/testenv/clock"
)

// newFake starts a Fake on a fixed clock far from the wall clock, so that
// any side using time.Now instead of the shared clock shows up.
func newFake(t *testing.T) (*fakeprov.Fake, *clock.Clock) {
	t.Helper()
	c := clock.New(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
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
