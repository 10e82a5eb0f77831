// Command realname is the realname function: it serves the family declared in
// shared/families/realname.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/realname"
)

func main() { app.Main(realname.Family) }
