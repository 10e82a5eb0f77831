package fakeprov_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/providers/univerify"
)

func TestUniverify(t *testing.T) {
	f, clk := newFake(t)
	if len(f.UniverifySecret) < univerify.MinSecretLen {
		t.Fatalf("secret of %d bytes", len(f.UniverifySecret))
	}
	c := &univerify.Client{URL: f.UniverifyURL(), Secret: f.UniverifySecret, AppID: "__UNI__ABCDEF", Now: clk.Now, Timeout: 2 * time.Second}
	ctx := t.Context()

	f.UniverifyToken("tok-1", "oid-1", "13800138000")
	phone, err := c.PhoneNumber(ctx, "tok-1", "oid-1")
	if err != nil || phone != "13800138000" {
		t.Fatalf("phone %q, %v", phone, err)
	}
	_, err = c.PhoneNumber(ctx, "tok-1", "oid-1")
	if ue := as[*univerify.Error](t, err); ue.Code != 40047 || ue.Retryable() {
		t.Fatalf("reused token: %v", err)
	}
	f.UniverifyToken("tok-2", "oid-2", "13900139000")
	if _, err := c.PhoneNumber(ctx, "tok-2", "oid-X"); as[*univerify.Error](t, err).Code != 40047 {
		t.Fatalf("token with another openid: %v", err)
	}

	wrong := *c
	wrong.Secret = strings.Repeat("k", 40)
	if _, err := wrong.PhoneNumber(ctx, "tok-2", "oid-2"); !errors.Is(err, univerify.ErrUnauthorized) {
		t.Fatalf("wrong secret: %v", err)
	}
	stale := *c
	stale.Now = func() time.Time { return clk.Now().Add(-6 * time.Minute) }
	if _, err := stale.PhoneNumber(ctx, "tok-2", "oid-2"); !errors.Is(err, univerify.ErrUnauthorized) {
		t.Fatalf("stale request: %v", err)
	}
	wall := *c
	wall.Now = nil // the wall clock, a year off the fake's
	if _, err := wall.PhoneNumber(ctx, "tok-2", "oid-2"); !errors.Is(err, univerify.ErrUnauthorized) {
		t.Fatalf("request on the wall clock: %v", err)
	}
	// Refused requests never reached getPhoneNumber: the token still works.
	if phone, err := c.PhoneNumber(ctx, "tok-2", "oid-2"); err != nil || phone != "13900139000" {
		t.Fatalf("tok-2: %q, %v", phone, err)
	}

	// The client checks the answer is signed for its own request.
	f.UniverifyToken("tok-3", "oid-3", "13700137000")
	f.UniverifySecret = strings.Repeat("z", 40)
	other := *c
	other.Secret = f.UniverifySecret
	if phone, err := other.PhoneNumber(ctx, "tok-3", "oid-3"); err != nil || phone != "13700137000" {
		t.Fatalf("after changing the secret: %q, %v", phone, err)
	}
}
