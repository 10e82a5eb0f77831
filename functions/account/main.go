// Command account is the account function: it serves the family declared in
// shared/families/account.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/account"
)

func main() { app.Main(account.Family) }
