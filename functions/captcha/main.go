// Command captcha is the captcha function: it serves the captcha family's methods.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families"
)

func main() { app.Main("captcha", families.Captcha) }
