// Command login is the login function: it serves the family declared in
// shared/families/login.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/login"
)

func main() { app.Main(login.Family) }
