package dynamo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/testenv"
)

// TestIssueCooldown: a second Issue while the cooldown holds is refused and
// changes nothing; after it, Issue works again.
func TestIssueCooldown(t *testing.T) {
	e := testenv.New(t, nil)
	st := e.Svc.Codes
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	cd := account.Cooldown{Key: "cooldown:test", Until: now.Add(time.Minute)}
	limits := []account.Limit{{Window: account.Window{Key: "cap", Size: time.Hour}, Max: 5}}
	if err := st.Issue(ctx, "code:test", []byte("h1"), now.Add(3*time.Minute), cd, limits, now); err != nil {
		t.Fatal(err)
	}
	var le *account.LimitError
	if err := st.Issue(ctx, "code:test", []byte("h2"), now.Add(3*time.Minute), cd, limits, now); !errors.As(err, &le) || le.Index != -1 {
		t.Fatalf("second Issue in the cooldown = %v, want the cooldown's LimitError", err)
	}
	if h, err := st.Attempt(ctx, "code:test", 5, now); err != nil || string(h) != "h1" {
		t.Fatalf("the first code = %q, %v", h, err)
	}
	later := now.Add(time.Minute)
	cd.Until = later.Add(time.Minute)
	if err := st.Issue(ctx, "code:test", []byte("h3"), later.Add(3*time.Minute), cd, limits, later); err != nil {
		t.Fatalf("Issue after the cooldown: %v", err)
	}
}
