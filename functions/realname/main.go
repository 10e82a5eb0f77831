// Command realname is the realname function: it serves the realname family's
// methods (face verification).
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/thirdparty/frv"
)

func main() { app.Main("realname", families.Realname, frv.Wire) }
