// Package account declares the account function family.
package account

import (
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
)

// Family serves the logged-in user's own account.
var Family = &families.Family{
	Name: "account",
	// The caller read and saved (sessions, status and profile fields only;
	// keys stay reserved).
	Grants: []families.Grant{
		{Resource: families.Users, Actions: []string{families.GetItem, families.PutItem}},
		// refreshToken reads the role catalog for the new token's
		// permissions (a user with a role other than admin); acceptInvite
		// finds the inviter by code.
		{Resource: families.Keys, Actions: []string{families.GetItem}},
		// acceptInvite adds the caller's (and its invitees') index entries;
		// getInvitedUser lists and counts them.
		{Resource: families.Invites, Actions: []string{families.PutItem, families.Query}},
		{Resource: families.Audit, Actions: []string{families.PutItem}}, // the audit log
	},
	Methods: func(s *account.Service) cloudobj.Table {
		return cloudobj.Table{
			"logout":         cloudobj.Bind(cloudobj.Access{Login: true, NoRefresh: true}, s.Logout),
			"refreshToken":   cloudobj.Bind(cloudobj.Anyone, s.RefreshToken),
			"getAccountInfo": cloudobj.Bind(cloudobj.LoggedIn, s.GetAccountInfo),
			"closeAccount":   cloudobj.Bind(cloudobj.RecentLogin, s.CloseAccount),

			"setPushCid":  cloudobj.Bind(cloudobj.LoggedIn, s.SetPushCid),
			"listDevices": cloudobj.Bind(cloudobj.LoggedIn, s.ListDevices),
			"endSession":  cloudobj.Bind(cloudobj.LoggedIn, s.EndSession),
			// personal access tokens (idco's)
			"createAccessToken":  cloudobj.Bind(cloudobj.RecentLogin, s.CreateAccessToken),
			"listAccessTokens":   cloudobj.Bind(cloudobj.LoggedIn, s.ListAccessTokens),
			"disableAccessToken": cloudobj.Bind(cloudobj.LoggedIn, s.DisableAccessToken),
			"enableAccessToken":  cloudobj.Bind(cloudobj.LoggedIn, s.EnableAccessToken),
			"deleteAccessToken":  cloudobj.Bind(cloudobj.LoggedIn, s.DeleteAccessToken),
			"getRealNameInfo":    cloudobj.Bind(cloudobj.LoggedIn, s.GetRealNameInfo),
			"getProfile":         cloudobj.Bind(cloudobj.LoggedIn, s.GetProfile),
			"updateProfile":      cloudobj.Bind(cloudobj.LoggedIn, s.UpdateProfile),
			"acceptInvite":       cloudobj.Bind(cloudobj.LoggedIn, s.AcceptInvite),
			"getInvitedUser":     cloudobj.Bind(cloudobj.LoggedIn, s.GetInvitedUser),
			"checkToken":         cloudobj.Bind(cloudobj.Anyone, s.CheckToken),
		}
	},
}
