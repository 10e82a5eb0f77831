// Command send-email-code is the send-email-code function: it serves the
// send-email-code family's methods.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/senders/emailsender"
)

func main() { app.Main("send-email-code", families.SendEmailCode, emailsender.Wire) }
