package families

import (
	"maps"
	"slices"
	"testing"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
)

// TestNamesMatchTables: cloudobj.Families, which uni-id-wrong-function and
// the one-URL routes read, lists exactly the methods each table serves.
func TestNamesMatchTables(t *testing.T) {
	svc := &account.Service{}
	tables := ByName()
	for name, f := range tables {
		got := slices.Sorted(maps.Keys(f(svc)))
		want := slices.Sorted(slices.Values(cloudobj.Families[name]))
		if !slices.Equal(got, want) {
			t.Errorf("family %s: table serves %v, cloudobj.Families lists %v", name, got, want)
		}
	}
	for name := range cloudobj.Families {
		if _, ok := tables[name]; !ok {
			t.Errorf("cloudobj.Families lists %s, which no table serves", name)
		}
	}
}

// TestOneURLTables: /uni-id-co serves every uni-id-co method and nothing of
// uni-captcha-co, and each method name is served by one family only.
func TestOneURLTables(t *testing.T) {
	all := All(&account.Service{})
	seen := map[string]string{}
	for name, methods := range cloudobj.Families {
		for _, m := range methods {
			if other, dup := seen[m]; dup {
				t.Errorf("%s is served by %s and %s", m, other, name)
			}
			seen[m] = name
			if _, ok := all[m]; ok != (cloudobj.ObjectOf(name) == cloudobj.UniIDCo) {
				t.Errorf("/uni-id-co serves %s (family %s): %v", m, name, ok)
			}
		}
	}
}
