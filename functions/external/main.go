// Command external is the external function: it serves the family declared
// in shared/families/external.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/external"
)

func main() { app.Main(external.Family) }
