// Command oidc is the oidc function: it serves the family declared in
// shared/families/oidc.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/oidc"
)

func main() { app.Main(oidc.Family) }
