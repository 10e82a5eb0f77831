package apple

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv/clock"
)

// step is one Verify call in a cache scenario: what the JWKS looks like,
// how far the clock moves first, which key signs the token, and what
// Verify must answer and how many fetches there must have been by then.
type step struct {
	name        string
	setup       func(f *fakeJWKS)
	advance     time.Duration
	signer, kid string
	want        error // nil, ErrInvalid or ErrUnavailable
	fetches     int32
}

func TestKeyCache(t *testing.T) {
	keyA, keyB := newKey(t), newKey(t)
	signers := map[string]*rsa.PrivateKey{"A": keyA, "B": keyB}
	onlyA := func(f *fakeJWKS) { f.keys = map[string]*rsa.PublicKey{"A": &keyA.PublicKey} }
	down := func(f *fakeJWKS) { f.down = true }
	up := func(f *fakeJWKS) { f.down = false }
	const window = 5 * time.Minute

	scenarios := map[string][]step{
		"unknown kid refetches once per window": {
			{name: "first use fetches", signer: "A", kid: "A", fetches: 1},
			{name: "unknown kid within window", signer: "B", kid: "B", want: ErrInvalid, fetches: 1},
			{name: "unknown kid after window", advance: window + time.Second, signer: "B", kid: "B", want: ErrInvalid, fetches: 2},
			{name: "and not again at once", signer: "B", kid: "B", want: ErrInvalid, fetches: 2},
			{name: "known kid never fetches", advance: time.Hour, signer: "A", kid: "A", fetches: 2},
		},
		"rotation is picked up": {
			{name: "old key", signer: "A", kid: "A", fetches: 1},
			{name: "Apple adds B", setup: func(f *fakeJWKS) {
				f.keys = map[string]*rsa.PublicKey{"A": &keyA.PublicKey, "B": &keyB.PublicKey}
			}, signer: "B", kid: "B", want: ErrInvalid, fetches: 1},
			{name: "B after window", advance: window, signer: "B", kid: "B", fetches: 2},
			{name: "Apple retires A", setup: func(f *fakeJWKS) {
				f.keys = map[string]*rsa.PublicKey{"B": &keyB.PublicKey}
			}, advance: window, signer: "B", kid: "unknown", want: ErrInvalid, fetches: 3},
			{name: "A is gone", signer: "A", kid: "A", want: ErrInvalid, fetches: 3},
		},
		"outage": {
			{name: "cache A", signer: "A", kid: "A", fetches: 1},
			{name: "down, cached key still verifies", setup: down, advance: time.Hour, signer: "A", kid: "A", fetches: 1},
			{name: "down, unknown kid", signer: "B", kid: "B", want: ErrUnavailable, fetches: 2},
			{name: "failed fetch does not start the window", signer: "B", kid: "B", want: ErrUnavailable, fetches: 3},
			{name: "back up", setup: up, signer: "B", kid: "B", want: ErrInvalid, fetches: 4},
		},
		"down from the start": {
			{name: "no cache", setup: down, signer: "A", kid: "A", want: ErrUnavailable, fetches: 1},
			{name: "recovers", setup: up, signer: "A", kid: "A", fetches: 2},
		},
		"forged kid with a known key": {
			{name: "kid B signed by A", signer: "A", kid: "B", want: ErrInvalid, fetches: 1},
		},
	}
	for name, steps := range scenarios {
		t.Run(name, func(t *testing.T) {
			jwks := newFakeJWKS(t, nil)
			jwks.set(onlyA)
			clk := clock.New(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
			v := &Verifier{JWKSURL: jwks.URL, HTTP: jwks.Client(), Now: clk.Now, RefetchEvery: window}
			for _, s := range steps {
				if s.setup != nil {
					jwks.set(s.setup)
				}
				clk.Advance(s.advance)
				token := mint(t, signers[s.signer], s.kid, appleClaims(clk.Now()))
				_, err := v.Verify(t.Context(), token, []string{"com.example.app"}, "")
				if !matches(err, s.want) {
					t.Fatalf("%s: got %v, want %v", s.name, err, s.want)
				}
				if got := jwks.fetches.Load(); got != s.fetches {
					t.Fatalf("%s: %d fetches, want %d", s.name, got, s.fetches)
				}
			}
		})
	}
}

func matches(err, want error) bool {
	if want == nil {
		return err == nil
	}
	other := ErrInvalid
	if want == ErrInvalid {
		other = ErrUnavailable
	}
	return errors.Is(err, want) && !errors.Is(err, other)
}

func TestJWKSTimeout(t *testing.T) {
	key := newKey(t)
	jwks := newFakeJWKS(t, map[string]*rsa.PublicKey{"A": &key.PublicKey})
	hold := make(chan struct{})
	defer close(hold)
	jwks.set(func(f *fakeJWKS) { f.hold = hold })
	v := &Verifier{JWKSURL: jwks.URL, HTTP: jwks.Client(), Timeout: 50 * time.Millisecond}
	start := time.Now()
	_, err := v.Verify(t.Context(), mint(t, key, "A", appleClaims(time.Now())), []string{"com.example.app"}, "")
	if !matches(err, ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Verify took %v despite a 50ms timeout", d)
	}
}

// TestConcurrentVerify runs many Verify calls on one cold Verifier: all
// must agree, and they must share one fetch instead of stampeding Apple.
func TestConcurrentVerify(t *testing.T) {
	keyA, keyB := newKey(t), newKey(t)
	jwks := newFakeJWKS(t, map[string]*rsa.PublicKey{"A": &keyA.PublicKey})
	release := make(chan struct{})
	jwks.set(func(f *fakeJWKS) { f.hold = release })
	v := &Verifier{JWKSURL: jwks.URL, HTTP: jwks.Client()}
	good := mint(t, keyA, "A", appleClaims(time.Now()))
	forged := mint(t, keyB, "B", appleClaims(time.Now()))

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Go(func() {
			token, want := good, error(nil)
			if i%4 == 0 {
				token, want = forged, ErrInvalid
			}
			if _, err := v.Verify(t.Context(), token, []string{"com.example.app"}, ""); !matches(err, want) {
				errs <- fmt.Errorf("call %d: got %v, want %v", i, err, want)
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // let the calls pile up on the fetch
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := jwks.fetches.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}
