// Command routes rewrites the generated block of template.yaml (between the
// "# BEGIN GENERATED HTTP API ROUTES" and "# END GENERATED HTTP API ROUTES"
// lines) from shared/cloudobj.Families: per family an HTTP API integration
// with its function and the permission to invoke it, and per method the
// route "POST /<object>/<method>". Run it from the repository root after
// changing the families' methods:
//
//	make routes                  # or: go run ./infra/deploy/routes
//	go run ./infra/deploy/routes -check   # exit 1 when the block is stale
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/idco-dev/idco/infra/deploy"
	"github.com/idco-dev/idco/shared/cloudobj"
)

func main() {
	path := flag.String("template", "template.yaml", "the SAM template to rewrite")
	check := flag.Bool("check", false, "only report whether the block is up to date")
	flag.Parse()
	if err := run(*path, *check); err != nil {
		fmt.Fprintln(os.Stderr, "routes:", err)
		os.Exit(1)
	}
}

func run(path string, check bool) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	block, err := deploy.Routes(cloudobj.Families)
	if err != nil {
		return err
	}
	updated, err := deploy.ReplaceRoutes(old, block)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	switch {
	case bytes.Equal(old, updated):
		fmt.Printf("%s: HTTP API routes up to date\n", path)
		return nil
	case check:
		return fmt.Errorf("%s: HTTP API routes differ from shared/cloudobj.Families: run %s", path, deploy.RoutesCommand)
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, updated, info.Mode().Perm()); err != nil {
		return err
	}
	fmt.Printf("%s: HTTP API routes rewritten from shared/cloudobj.Families\n", path)
	return nil
}
