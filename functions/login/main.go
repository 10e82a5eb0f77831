// Command login is the login function: it serves the login family's methods.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/thirdparty"
)

func main() { app.Main("login", families.Login, thirdparty.Wire) }
