// Command account is the account function: it serves the account family's methods.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families"
)

func main() { app.Main("account", families.Account) }
