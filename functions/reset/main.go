// Command reset is the reset function: it serves the family declared in
// shared/families/reset.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/reset"
)

func main() { app.Main(reset.Family) }
