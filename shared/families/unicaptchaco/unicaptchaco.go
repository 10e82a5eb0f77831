// Package unicaptchaco declares the uni-captcha-co function family.
package unicaptchaco

import (
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
)

// Family is uni-captcha's own cloud object, uni-captcha-co: every
// captcha picture uni-id-pages shows comes from its getImageCaptcha.
var Family = &families.Family{
	Name:   "uni-captcha-co",
	Object: cloudobj.UniCaptchaCo,
	// As createCaptcha.
	Grants: []families.Grant{
		{Resource: families.Ephemeral, Actions: []string{families.DeleteItem, families.PutItem, families.UpdateItem}},
	},
	Methods: func(s *account.Service) cloudobj.Table {
		return cloudobj.Table{"getImageCaptcha": cloudobj.Bind(cloudobj.Anyone, s.GetImageCaptcha)}
	},
}
