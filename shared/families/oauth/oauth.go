// Package oauth declares the oauth function family: the open platform's
// cloud-object methods (the seed's 开放授权), for apps and their users:
// apply for an authorisation code, exchange it, list and withdraw a user's
// authorisations.
package oauth

import (
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/oidc"
	"github.com/idco-dev/idco/shared/wiring"
)

// Family serves open authorisation.
var Family = &families.Family{
	Name: "oauth",
	// The caller or the code's user read and saved (a grant, an app's
	// session); the client catalog read; codes kept, taken and marked used
	// in the ephemeral table; the audit log.
	Grants: []families.Grant{
		{Resource: families.Users, Actions: []string{families.GetItem, families.PutItem}},
		{Resource: families.Keys, Actions: []string{families.GetItem}},
		{Resource: families.Ephemeral, Actions: []string{families.DeleteItem, families.GetItem, families.PutItem}},
		{Resource: families.Audit, Actions: []string{families.PutItem}},
		{Resource: families.ResourceOIDCKeysParameter, Actions: []string{"ssm:GetParameter"}}, // the signing keys
	},
	// exchangeAuthorizationCode signs ID and access tokens.
	Wires: []*wiring.Wire{&oidc.KeysWire},
	Methods: func(s *account.Service) cloudobj.Table {
		return cloudobj.Table{
			"applyAuthorizationCode":    cloudobj.Bind(cloudobj.LoggedIn, s.ApplyAuthorizationCode),
			"exchangeAuthorizationCode": cloudobj.Bind(cloudobj.Anyone, s.ExchangeAuthorizationCode),
			"getAuthorizations":         cloudobj.Bind(cloudobj.LoggedIn, s.GetAuthorizations),
			"deleteAuthorization":       cloudobj.Bind(cloudobj.LoggedIn, s.DeleteAuthorization),
		}
	},
}
