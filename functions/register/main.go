// Command register is the register function: it serves the register family's methods.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families"
)

func main() { app.Main("register", families.Register) }
