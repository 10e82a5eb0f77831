// Command captcha is the captcha function: it serves the family declared in
// shared/families/captcha.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/captcha"
)

func main() { app.Main(captcha.Family) }
