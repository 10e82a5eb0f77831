package all

import (
	"testing"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
)

// TestOneURLTables: each one-URL route serves every method of its cloud
// object's families and nothing else, and each method name is served by
// one family only.
func TestOneURLTables(t *testing.T) {
	svc := &account.Service{}
	seen := map[string]string{}
	for _, f := range Families() {
		for _, m := range f.MethodNames() {
			if other, dup := seen[m]; dup {
				t.Errorf("%s is served by %s and %s", m, other, f.Name)
			}
			seen[m] = f.Name
			for _, obj := range []string{cloudobj.UniIDCo, cloudobj.UniCaptchaCo} {
				if _, ok := families.Object(obj, Families(), svc)[m]; ok != (f.CloudObject() == obj) {
					t.Errorf("/%s serves %s (family %s of %s): %v", obj, m, f.Name, f.CloudObject(), ok)
				}
			}
		}
	}
}

// TestNamesMatchDeclarations: cloudobj's generated names, which
// uni-id-wrong-function reads, are the declared families' methods and
// objects (infra/deploy's test keeps the file itself current).
func TestNamesMatchDeclarations(t *testing.T) {
	if len(cloudobj.Families) != len(Families()) {
		t.Errorf("cloudobj.Families has %d families, %d are declared: run make generate", len(cloudobj.Families), len(Families()))
	}
	for _, f := range Families() {
		for _, m := range f.MethodNames() {
			if got := cloudobj.FamilyOf(m); got != f.Name {
				t.Errorf("cloudobj.FamilyOf(%s) = %q, want %q: run make generate", m, got, f.Name)
			}
		}
		if got := cloudobj.ObjectOf(f.Name); got != f.CloudObject() {
			t.Errorf("cloudobj.ObjectOf(%s) = %q, want %q", f.Name, got, f.CloudObject())
		}
	}
}
