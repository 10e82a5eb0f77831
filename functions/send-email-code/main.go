// Command send-email-code is the send-email-code function: it serves the send-email-code family's methods.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families"
)

func main() { app.Main("send-email-code", families.SendEmailCode) }
