// Package oauth declares the oauth function family: the open platform's
// cloud-object methods (the seed's 开放授权), for apps and their users:
// apply for an authorisation code, exchange it, list and withdraw a user's
// authorisations; and QR-code login (the seed's 微信小程序扫码登录), a web
// page signed in by the user's confirmation in the WeChat mini program.
package oauth

import (
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/oidckeys"
	"github.com/idco-dev/idco/shared/qrpng"
	"github.com/idco-dev/idco/shared/thirdparty/weixin"
	"github.com/idco-dev/idco/shared/wiring"
)

// Family serves open authorisation.
var Family = &families.Family{
	Name: "oauth",
	// pollQrLogin waits up to 20 s.
	Timeout: 25,
	// The caller or the code's user read and saved (a grant, an app's
	// session, a QR login's session); the client catalog read; codes kept,
	// taken and marked used, QR tickets kept, moved on (a conditional
	// update) and taken, their limits counted, and the mini program's
	// access token kept, in the ephemeral table; the audit log.
	Grants: []families.Grant{
		{Resource: families.Users, Actions: []string{families.GetItem, families.PutItem}},
		{Resource: families.Keys, Actions: []string{families.GetItem}},
		{Resource: families.Ephemeral, Actions: []string{families.DeleteItem, families.GetItem, families.PutItem, families.UpdateItem}},
		{Resource: families.Audit, Actions: []string{families.PutItem}},
		{Resource: families.ResourceOIDCKeysParameter, Actions: []string{"ssm:GetParameter"}}, // the signing keys
	},
	// exchangeAuthorizationCode signs ID and access tokens;
	// createQrLogin draws mini-program codes.
	Wires: []*wiring.Wire{&oidckeys.Wire, &weixin.CodesWire, &qrpng.Wire},
	Methods: func(s *account.Service) cloudobj.Table {
		return cloudobj.Table{
			"applyAuthorizationCode":    cloudobj.Bind(cloudobj.LoggedIn, s.ApplyAuthorizationCode),
			"exchangeAuthorizationCode": cloudobj.Bind(cloudobj.Anyone, s.ExchangeAuthorizationCode),
			"getAuthorizations":         cloudobj.Bind(cloudobj.LoggedIn, s.GetAuthorizations),
			"deleteAuthorization":       cloudobj.Bind(cloudobj.LoggedIn, s.DeleteAuthorization),

			"createQrLogin":  cloudobj.Bind(cloudobj.Anyone, s.CreateQrLogin),
			"pollQrLogin":    cloudobj.Bind(cloudobj.Anyone, s.PollQrLogin),
			"getQrLoginInfo": cloudobj.Bind(cloudobj.LoggedIn, s.GetQrLoginInfo),
			"confirmQrLogin": cloudobj.Bind(cloudobj.LoggedIn, s.ConfirmQrLogin),
			"cancelQrLogin":  cloudobj.Bind(cloudobj.LoggedIn, s.CancelQrLogin),
		}
	},
}
