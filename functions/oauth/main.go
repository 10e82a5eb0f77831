// Command oauth is the oauth function: it serves the family declared in
// shared/families/oauth.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/oauth"
)

func main() { app.Main(oauth.Family) }
