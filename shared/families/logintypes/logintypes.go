// Package logintypes declares the login-types function family.
package logintypes

import (
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
)

// Family answers which login types an app may offer.
var Family = &families.Family{
	Name: "login-types",
	// getSupportedLoginType and getOAuthProviders answer from the config
	// alone: no table.
	Methods: func(s *account.Service) cloudobj.Table {
		return cloudobj.Table{
			"getSupportedLoginType": cloudobj.Bind(cloudobj.Anyone, s.GetSupportedLoginType),
			"getOAuthProviders":     cloudobj.Bind(cloudobj.Anyone, s.GetOAuthProviders),
		}
	},
}
