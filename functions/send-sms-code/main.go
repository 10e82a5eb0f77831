// Command send-sms-code is the send-sms-code function: it serves the family declared in
// shared/families/sendsmscode.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/sendsmscode"
)

func main() { app.Main(sendsmscode.Family) }
