// Command uni-captcha-co is the uni-captcha-co function: it serves the family declared in
// shared/families/unicaptchaco.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families/unicaptchaco"
)

func main() { app.Main(unicaptchaco.Family) }
