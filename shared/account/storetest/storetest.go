// Package storetest is the conformance suite of the account stores: each
// guarantee that shared/account documents for Users, Captchas, Counters,
// Codes, Cache, Roles and AuditLog, stated once as a test that every engine runs (as dex's
// storage/conformance). An engine's own test package calls Run.
//
// Times are the suite's own, from a test clock: stores take now as an
// argument, so no case waits for the wall clock, and expiry is always
// judged at the now a call is given, never by whether the engine has
// deleted an item yet.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/testenv/clock"
)

// Stores are one engine's account stores, as the suite gets them for one
// case.
type Stores struct {
	Users    account.Users
	Captchas account.Captchas
	Counters account.Counters
	Codes    account.Codes
	Cache    account.Cache
	Roles    account.Roles
	Audit    account.AuditLog
	// Faults breaks the engine on purpose; nil skips the cases that need it.
	Faults Faults
}

// Faults breaks an engine's writes on purpose, so the suite can check that
// a failed write leaves nothing half-written and that a write whose answer
// is lost is not applied twice. A write is one request that may change
// data (for DynamoDB: PutItem, UpdateItem, DeleteItem, BatchWriteItem,
// TransactWriteItems), retries included; reads are never broken.
type Faults interface {
	// FailWritesAfter lets the next n writes through and fails every later
	// one, unapplied, until Heal.
	FailWritesAfter(n int)
	// LoseAnswers applies the next n writes but answers each with a
	// retryable failure, as when the answer is lost on its way back.
	LoseAnswers(n int)
	// Heal ends every fault.
	Heal()
}

// Run runs the suite, each case as a subtest of its interface's
// ("Users/ConcurrentCreatesClaimOnce", ...), in parallel. open returns the
// stores for one case; it may hand several cases stores over the same data
// (one set of tables, say), since every case names its uids and keys
// afresh.
func Run(t *testing.T, open func(t *testing.T) Stores) {
	groups := []struct {
		name  string
		cases []testCase
	}{
		{"Users", usersCases},
		{"Captchas", captchaCases},
		{"Cache", cacheCases},
		{"Counters", counterCases},
		{"Codes", codeCases},
		{"Roles", roleCases},
		{"Audit", auditCases},
		{"Faults", faultCases},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.run(t, newEnv(t, open(t)))
				})
			}
		})
	}
}

// testCase is one guarantee; its doc comment states it.
type testCase struct {
	name string
	run  func(t *testing.T, e *env)
}

// start is the suite's time: a window boundary for every window size used,
// and in the future, so an engine's own expiry (DynamoDB's TTL) never
// removes an item a case still reads.
var start = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// races is how many goroutines race for one thing.
const races = 8

// env is what a case runs with.
type env struct {
	Stores
	ctx   context.Context
	clock *clock.Clock
}

func newEnv(t *testing.T, s Stores) *env {
	return &env{Stores: s, ctx: t.Context(), clock: clock.New(start)}
}

// now is the test clock's time.
func (e *env) now() time.Time { return e.clock.Now() }

// uid returns a fresh account id, 24 hex digits as uni-id's.
func uid() string { return random(12) }

// unique returns a fresh key of kind ("username:3f2a...").
func unique(kind string) string { return kind + ":" + random(8) }

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// race runs f in n goroutines at once and returns their errors.
func race(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var ready, wg sync.WaitGroup
	ready.Add(1)
	for i := range n {
		wg.Go(func() {
			ready.Wait()
			errs[i] = f(i)
		})
	}
	ready.Done()
	wg.Wait()
	return errs
}
