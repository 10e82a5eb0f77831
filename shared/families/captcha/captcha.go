// Package captcha declares the captcha function family.
package captcha

import (
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
)

// Family serves uni-id-co's captcha methods.
var Family = &families.Family{
	Name: "captcha",
	// The per-IP counter, the old captcha taken, the new one stored.
	Grants: []families.Grant{
		{Resource: families.Ephemeral, Actions: []string{families.DeleteItem, families.PutItem, families.UpdateItem}},
	},
	Methods: func(s *account.Service) cloudobj.Table {
		return cloudobj.Table{
			"createCaptcha":  cloudobj.Bind(cloudobj.Anyone, s.CreateCaptcha),
			"refreshCaptcha": cloudobj.Bind(cloudobj.Anyone, s.RefreshCaptcha),
		}
	},
}
