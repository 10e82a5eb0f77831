// Command send-sms-code is the send-sms-code function: it serves the
// send-sms-code family's methods.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/senders/smssender"
)

func main() { app.Main("send-sms-code", families.SendSmsCode, smssender.Wire) }
