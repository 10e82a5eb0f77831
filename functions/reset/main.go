// Command reset is the reset function: it serves the reset family's methods.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families"
)

func main() { app.Main("reset", families.Reset) }
