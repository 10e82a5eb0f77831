// Package all lists every declared family (all_gen.go, written by make
// generate). Only the dev server, the tests and the generators import it:
// a function's binary imports its own family alone.
package all

import "github.com/idco-dev/idco/shared/families"

// ByName maps each family's name to its declaration.
func ByName() map[string]*families.Family {
	out := map[string]*families.Family{}
	for _, f := range Families() {
		out[f.Name] = f
	}
	return out
}

// Access returns the grants of family's function, and false for a family
// that is not declared.
func Access(family string) ([]families.Grant, bool) {
	f, ok := ByName()[family]
	if !ok {
		return nil, false
	}
	return f.Access(), true
}
