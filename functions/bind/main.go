// Command bind is the bind function: it serves the bind family's methods.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/thirdparty"
)

func main() { app.Main("bind", families.Bind, thirdparty.Wire) }
