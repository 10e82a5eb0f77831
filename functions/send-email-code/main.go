// Command send-email-code is the send-email-code function: it serves the family declared in
// shared/families/sendemailcode.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/sendemailcode"
)

func main() { app.Main(sendemailcode.Family) }
