// Command register is the register function: it serves the register
// family's methods. It sends email only for the optional welcome message.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/senders/emailsender"
)

func main() { app.Main("register", families.Register, emailsender.Wire) }
