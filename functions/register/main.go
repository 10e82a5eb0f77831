// Command register is the register function: it serves the family declared in
// shared/families/register.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/register"
)

func main() { app.Main(register.Family) }
