package main

import (
	"fmt"

	"github.com/idco-dev/idco/shared/account"
)

// emailText renders a dev-mode email's subject and text.
func emailText(m account.Email) (string, string) {
	if m.Scene == "welcome" {
		return "Welcome to " + m.AppName, "Your account is ready."
	}
	return fmt.Sprintf("%s verification code", m.AppName),
		fmt.Sprintf("Your verification code is %s, valid for %d minutes.", m.Code, m.Minutes)
}
