package all

import (
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/cloudobj"
)

// TestClientTypesMatchTables: the TypeScript declarations of the uni-app
// adapter (shared/idco-client/index.d.ts) declare exactly the methods each
// cloud object serves, so a method added to a table shows up in the types.
func TestClientTypesMatchTables(t *testing.T) {
	src, err := os.ReadFile("../../idco-client/index.d.ts")
	if err != nil {
		t.Fatal(err)
	}
	for iface, object := range map[string]string{"UniIdCo": cloudobj.UniIDCo, "UniCaptchaCo": cloudobj.UniCaptchaCo} {
		got := declaredMethods(t, string(src), iface)
		want := map[string]bool{}
		for family, methods := range cloudobj.Families {
			if cloudobj.ObjectOf(family) == object {
				for _, m := range methods {
					want[m] = true
				}
			}
		}
		if g, w := slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)); !slices.Equal(g, w) {
			t.Errorf("index.d.ts interface %s declares %v, the %s tables serve %v", iface, g, object, w)
		}
	}
}

var methodLine = regexp.MustCompile(`^  ([a-zA-Z]+)\(`)

// declaredMethods returns the method names of `export interface name {`.
func declaredMethods(t *testing.T, src, name string) map[string]bool {
	t.Helper()
	_, body, ok := strings.Cut(src, "export interface "+name+" {\n")
	if !ok {
		t.Fatalf("index.d.ts has no interface %s", name)
	}
	body, _, _ = strings.Cut(body, "\n}")
	out := map[string]bool{}
	for line := range strings.Lines(body) {
		if m := methodLine.FindStringSubmatch(line); m != nil {
			out[m[1]] = true
		}
	}
	return out
}
