package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/idco-dev/idco/shared/account"
)

// roleCases share one catalog per engine, so they are one case, run in
// order.
var roleCases = []testCase{
	{"Catalog", testCatalog},
}

// testCatalog: the catalog reads empty (Version 0) until saved; a save
// round-trips every field and moves Version by one; a save from a stale
// version returns ErrConflict and writes nothing; of concurrent saves from
// one version exactly one wins; a save whose answer was lost and is
// retried applies once. Cases of other engines' data may have saved
// the catalog before (shared tables), so the case starts from what it reads.
func testCatalog(t *testing.T, e *env) {
	c, err := e.Roles.Catalog(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Roles == nil || c.Permissions == nil {
		t.Fatalf("Catalog: nil maps: %+v", c)
	}
	v := c.Version
	c.Permissions["p-read"] = account.Permission{PermissionID: "p-read", PermissionName: "Read", Comment: "reads", CreateDate: 1}
	c.Roles["r-editor"] = account.Role{RoleID: "r-editor", RoleName: "Editor", Permission: []string{"p-read"}, CreateDate: 2}
	if err := e.Roles.SaveCatalog(e.ctx, c); err != nil || c.Version != v+1 {
		t.Fatalf("SaveCatalog: %v, version %d, want %d", err, c.Version, v+1)
	}
	got, err := e.Roles.Catalog(e.ctx)
	if err != nil || got.Version != v+1 || fmt.Sprint(got.Roles["r-editor"]) != fmt.Sprint(c.Roles["r-editor"]) ||
		got.Permissions["p-read"] != c.Permissions["p-read"] {
		t.Fatalf("read back: %+v, %v", got, err)
	}
	stale := *got
	stale.Version = v
	stale.Roles = map[string]account.Role{}
	if err := e.Roles.SaveCatalog(e.ctx, &stale); !errors.Is(err, account.ErrConflict) {
		t.Errorf("a stale save: %v, want ErrConflict", err)
	}
	if again, _ := e.Roles.Catalog(e.ctx); again.Version != v+1 || len(again.Roles) == 0 {
		t.Errorf("a stale save wrote: %+v", again)
	}
	errs := race(races, func(i int) error {
		mine := *got
		mine.Roles = map[string]account.Role{fmt.Sprint("r-", i): {RoleID: fmt.Sprint("r-", i)}}
		return e.Roles.SaveCatalog(e.ctx, &mine)
	})
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, account.ErrConflict):
			t.Errorf("a racing save: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d racing saves won, want 1", won, races)
	}
	if e.Faults == nil {
		return
	}
	// A save whose answer is lost, retried, applies once and succeeds.
	cur, err := e.Roles.Catalog(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	cur.Roles["r-lost"] = account.Role{RoleID: "r-lost"}
	e.Faults.LoseAnswers(1)
	err = e.Roles.SaveCatalog(e.ctx, cur)
	e.Faults.Heal()
	if after, _ := e.Roles.Catalog(e.ctx); err != nil || after.Version != cur.Version || cur.Version != v+3 {
		t.Errorf("a save with its answer lost: %v, version %d (want %d)", err, after.Version, v+3)
	}
}
