// Command bind is the bind function: it serves the family declared in
// shared/families/bind.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/bind"
)

func main() { app.Main(bind.Family) }
