// Package lazyre holds regular expressions compiled on first use. A
// package-level regexp.MustCompile runs at every process start: idco's
// validators' patterns cost each Lambda function about 0.5 ms of its cold
// start, though an invocation uses one or two of them, or none.
package lazyre

import (
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled the first time it is used. It is
// safe for concurrent use.
type Regexp struct {
	re func() *regexp.Regexp
}

// New returns expr, to be compiled on first use. Like regexp.MustCompile,
// the first use panics if expr does not parse; each package's tests use its
// patterns.
func New(expr string) *Regexp {
	return &Regexp{re: sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })}
}

// MatchString reports whether s contains any match of the expression.
func (r *Regexp) MatchString(s string) bool { return r.re().MatchString(s) }
