// Command list is step 1 of make generate: it rewrites
// shared/families/all_gen.go from the family declarations in the source,
// without importing them, so it runs when that file is stale or missing.
// Run it from the repository root.
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/idco-dev/idco/infra/deploy/familylist"
)

func main() {
	src, err := familylist.Source(familylist.Dir)
	if err == nil {
		old, _ := os.ReadFile(familylist.File)
		if bytes.Equal(old, src) {
			return
		}
		if err = os.WriteFile(familylist.File, src, 0o644); err == nil {
			fmt.Printf("%s: rewritten from shared/families\n", familylist.File)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "generate list:", err)
		os.Exit(1)
	}
}
