// Package admin declares the admin function family: uni-id-co's user
// administration and idco's role and permission catalog, for the
// administrator (role admin, or what idco.access allows) and the
// operator's direct invocations.
package admin

import (
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
)

// adminOnly is uni-id-co's permission.js rule for its admin methods.
var adminOnly = cloudobj.Access{Roles: []string{account.AdminRole}}

// Family serves user administration.
var Family = &families.Family{
	Name: "admin",
	// addUser and updateUser hash passwords.
	Argon2: true,
	// The caller read (token check); the account read, created or saved
	// with its keys claimed and released in one transaction; the role
	// catalog read and saved (an item of the keys table).
	Grants: []families.Grant{
		// listUsers scans a page of the users table; deleteUser deletes the
		// user and its keys in one transaction.
		{Resource: families.Users, Actions: []string{families.DeleteItem, families.GetItem, families.PutItem, families.Scan}},
		{Resource: families.Keys, Actions: []string{families.DeleteItem, families.GetItem, families.PutItem}},
		// Its own calls recorded; getAuditLog queries an account's events.
		{Resource: families.Audit, Actions: []string{families.PutItem, families.Query}},
		// deleteUser releases an account's invite index entries; importUsers
		// writes an imported account's.
		{Resource: families.Invites, Actions: []string{families.DeleteItem, families.PutItem}},
	},
	Methods: func(s *account.Service) cloudobj.Table {
		return cloudobj.Table{
			"addUser":             cloudobj.Bind(adminOnly, s.AddUser),
			"updateUser":          cloudobj.Bind(adminOnly, s.UpdateUser),
			"authorizeAppLogin":   cloudobj.Bind(adminOnly, s.AuthorizeAppLogin),
			"removeAuthorizedApp": cloudobj.Bind(adminOnly, s.RemoveAuthorizedApp),
			"setAuthorizedApp":    cloudobj.Bind(adminOnly, s.SetAuthorizedApp),

			"getUser":         cloudobj.Bind(adminOnly, s.GetUser),
			"listUsers":       cloudobj.Bind(adminOnly, s.ListUsers),
			"banUser":         cloudobj.Bind(adminOnly, s.BanUser),
			"unbanUser":       cloudobj.Bind(adminOnly, s.UnbanUser),
			"closeUser":       cloudobj.Bind(adminOnly, s.CloseUser),
			"endUserSessions": cloudobj.Bind(adminOnly, s.EndUserSessions),
			"setUserRoles":    cloudobj.Bind(adminOnly, s.SetUserRoles),
			"deleteUser":      cloudobj.Bind(adminOnly, s.DeleteUser),
			"getAuditLog":     cloudobj.Bind(adminOnly, s.GetAuditLog),
			"importUsers":     cloudobj.Bind(adminOnly, s.ImportUsers),
			"exportUsers":     cloudobj.Bind(adminOnly, s.ExportUsers),

			"getRoles":         cloudobj.Bind(adminOnly, s.GetRoles),
			"createRole":       cloudobj.Bind(adminOnly, s.CreateRole),
			"updateRole":       cloudobj.Bind(adminOnly, s.UpdateRole),
			"deleteRole":       cloudobj.Bind(adminOnly, s.DeleteRole),
			"createPermission": cloudobj.Bind(adminOnly, s.CreatePermission),
			"updatePermission": cloudobj.Bind(adminOnly, s.UpdatePermission),
			"deletePermission": cloudobj.Bind(adminOnly, s.DeletePermission),

			// the open platform's registered apps (an item of the keys table)
			"addOAuthClient":         cloudobj.Bind(adminOnly, s.AddOAuthClient),
			"updateOAuthClient":      cloudobj.Bind(adminOnly, s.UpdateOAuthClient),
			"resetOAuthClientSecret": cloudobj.Bind(adminOnly, s.ResetOAuthClientSecret),
			"removeOAuthClient":      cloudobj.Bind(adminOnly, s.RemoveOAuthClient),
			"listOAuthClients":       cloudobj.Bind(adminOnly, s.ListOAuthClients),
		}
	},
}
