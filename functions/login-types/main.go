// Command login-types is the login-types function: it serves the family declared in
// shared/families/logintypes.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/logintypes"
)

func main() { app.Main(logintypes.Family) }
