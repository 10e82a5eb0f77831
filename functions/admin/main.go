// Command admin is the admin function: it serves the family declared in
// shared/families/admin.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/admin"
)

func main() { app.Main(admin.Family) }
