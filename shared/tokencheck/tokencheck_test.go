package tokencheck_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv"
	"github.com/idco-dev/idco/shared/tokencheck"
)

// TestChecker: a live token checks out with its uid and roles; a tampered
// one is refused; a logged-out one is refused once the kept answer is older
// than TTL (the stated revocation bound), and not before; idco down is
// ErrUnavailable, not a refusal.
func TestChecker(t *testing.T) {
	e := testenv.New(t, nil)
	var calls atomic.Int64
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		r.URL.Path = "/account/checkToken"
		resp, err := http.Post(e.URL+r.URL.Path, "application/json", r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		buf := make([]byte, 1<<16)
		n, _ := resp.Body.Read(buf)
		_, _ = w.Write(buf[:n])
	}))
	defer front.Close()
	c := testenv.NewClient("d1")
	e.Register(t, c, "alice_1", "a good password")
	ch := &tokencheck.Checker{URL: front.URL + "/uni-id-co", AppID: "__UNI__TEST", TTL: 10 * time.Second, Now: e.Clock.Now}
	id, err := ch.Check(context.Background(), c.Token)
	if err != nil || id.UID == "" || id.HasRole("admin") || id.Expires.Before(e.Clock.Now()) {
		t.Fatalf("Check: %+v, %v", id, err)
	}
	if _, err := ch.Check(context.Background(), c.Token+"x"); !errors.Is(err, tokencheck.ErrInvalid) {
		t.Errorf("a tampered token: %v", err)
	}
	before := calls.Load()
	e.Call(t, c, "account", "logout", nil)
	if _, err := ch.Check(context.Background(), c.Token); err != nil || calls.Load() != before {
		t.Errorf("within TTL the kept answer stands (no call): %v, %d calls", err, calls.Load()-before)
	}
	e.Clock.Advance(11 * time.Second)
	if _, err := ch.Check(context.Background(), c.Token); !errors.Is(err, tokencheck.ErrInvalid) {
		t.Errorf("after TTL a logged-out token: %v", err)
	}
	front.Close()
	d := testenv.NewClient("d2")
	e.Register(t, d, "bob_1", "a good password")
	if _, err := ch.Check(context.Background(), d.Token); !errors.Is(err, tokencheck.ErrUnavailable) {
		t.Errorf("idco down: %v", err)
	}
}
