package main

import (
	"os"
	"testing"
)

// TestLoadRuns runs the load command small, from the repo root as `make
// load` does, so the README's command keeps working: every registration
// and login succeeds and the burst is answered.
func TestLoadRuns(t *testing.T) {
	if err := os.Chdir("../.."); err != nil {
		t.Fatal(err)
	}
	if err := run(3, 20); err != nil {
		t.Fatal(err)
	}
}
