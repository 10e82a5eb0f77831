package main

import (
	"fmt"
	"strings"

	"github.com/idco-dev/idco/shared/account"
)

// emailText renders a dev-mode email's subject and text.
func emailText(m account.Email) (string, string) {
	if m.Scene == "welcome" {
		return "Welcome to " + m.AppName, "Your account is ready."
	}
	if strings.HasSuffix(m.Scene, "-changed") { // a security notice
		what := strings.TrimSuffix(m.Scene, "-changed")
		return fmt.Sprintf("Your %s %s was changed", m.AppName, what),
			fmt.Sprintf("The %s of your %s account was just changed. If this was not you, sign in and change your password now.", what, m.AppName)
	}
	return fmt.Sprintf("%s verification code", m.AppName),
		fmt.Sprintf("Your verification code is %s, valid for %d minutes.", m.Code, m.Minutes)
}
