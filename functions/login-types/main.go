// Command login-types is the login-types function: it serves the login-types family's methods.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families"
)

func main() { app.Main("login-types", families.LoginTypes) }
