// Command generate rewrites what derives from the family declarations of
// shared/families: shared/families/all_gen.go (the list of declared
// families), shared/cloudobj/families_gen.go (their method names, for
// uni-id-wrong-function and the routes) and template.yaml's generated
// blocks (the functions with their policies, log groups and alarms, the
// reserved-concurrency parameters of the argon2id functions, the HTTP API
// routes, the function URL outputs). Run it from the repository root after
// adding or changing a family:
//
//	make generate      # both steps below
//	go run ./infra/deploy/generate/list    # step 1: all_gen.go from the source
//	go run ./infra/deploy/generate         # step 2: the rest, from all.Families()
//	go run ./infra/deploy/generate -check  # exit 1 when anything is stale
//
// Step 2 runs a binary built with the all_gen.go step 1 wrote, which is why
// they are two runs of two commands.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"

	"github.com/idco-dev/idco/infra/deploy"
	"github.com/idco-dev/idco/shared/families/all"
)

func main() {
	check := flag.Bool("check", false, "only report whether the generated files are up to date")
	flag.Parse()
	if err := run(*check); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

func run(check bool) error {
	files, err := deploy.Generated(".", all.Families())
	if err != nil {
		return err
	}
	paths := []string{deploy.FamiliesListFile, deploy.NamesFile, deploy.TemplateFile}
	var stale []string
	for _, p := range paths {
		old, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if bytes.Equal(old, files[p]) {
			continue
		}
		stale = append(stale, p)
		if check {
			continue
		}
		if err := os.WriteFile(p, files[p], 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: rewritten from shared/families\n", p)
	}
	if check && len(stale) > 0 {
		return fmt.Errorf("%v differ from shared/families: run %s", stale, deploy.GenerateCommand)
	}
	if len(stale) == 0 {
		fmt.Println("generated files up to date")
	}
	if !check && slices.Contains(stale, deploy.FamiliesListFile) {
		return fmt.Errorf("%s was stale: run %s again", deploy.FamiliesListFile, deploy.GenerateCommand)
	}
	return nil
}
