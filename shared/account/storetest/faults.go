package storetest

import (
	"fmt"
	"testing"

	"github.com/idco-dev/idco/shared/account"
)

// faultCases need Stores.Faults: for every write, all or nothing when the
// engine fails part way; for the account writes, no double application
// when an outcome is unknown.
var faultCases = append(failedWriteCases(), repeatCases()...)

// failedWriteCases: a write that the engine fails, after letting 0, 1 or 2
// of its requests through, either succeeds whole or returns ErrUnavailable
// having changed nothing.
func failedWriteCases() []testCase {
	var cases []testCase
	for _, w := range append(append(accountWrites(), deleteWrite), ephemeralWrites()...) {
		cases = append(cases, testCase{"FailedWriteLeavesNothing/" + w.name, func(t *testing.T, e *env) {
			if e.Faults == nil {
				t.Skip("the engine has no Faults")
			}
			for after := range 3 {
				t.Run(fmt.Sprint("after", after), func(t *testing.T) {
					do, state := w.prepare(t, e)
					e.Faults.FailWritesAfter(after)
					err := do()
					e.Faults.Heal()
					want := w.after
					if err != nil {
						wantErr(t, "the failed write", err, account.ErrUnavailable)
						want = w.before
					}
					if got := state(); got != want {
						t.Fatalf("after the write (error %v): %s, want %s", err, got, want)
					}
				})
			}
		}})
	}
	return cases
}

// repeatCases: a Create or Save whose outcome the caller did not learn (its
// answer was lost, or it failed) and that the caller repeats is applied
// once: each call returns nil, and the account is as one call leaves it.
func repeatCases() []testCase {
	var cases []testCase
	for _, w := range accountWrites() {
		cases = append(cases, testCase{"RepeatAppliesOnce/" + w.name, func(t *testing.T, e *env) {
			if e.Faults == nil {
				t.Skip("the engine has no Faults")
			}
			for _, outcome := range []string{"AnswerLost", "Failed"} {
				t.Run(outcome, func(t *testing.T) {
					do, state := w.prepare(t, e)
					if outcome == "AnswerLost" {
						e.Faults.LoseAnswers(1)
						wantErr(t, "the write whose answer was lost", do(), nil)
					} else {
						e.Faults.FailWritesAfter(0)
						wantErr(t, "the failed write", do(), account.ErrUnavailable)
					}
					e.Faults.Heal()
					for i := range 2 {
						wantErr(t, fmt.Sprint("repeat ", i+1), do(), nil)
						if got := state(); got != w.after {
							t.Fatalf("after repeat %d: %s, want %s", i+1, got, w.after)
						}
					}
				})
			}
		}})
	}
	return cases
}
