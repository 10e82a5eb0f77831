// Command uni-captcha-co is uni-captcha's cloud object: getImageCaptcha,
// which makes every captcha picture uni-id-pages shows.
package main

import (
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/families"
)

func main() { app.Main("uni-captcha-co", families.UniCaptchaCo) }
