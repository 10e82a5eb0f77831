// Package external declares the external function family: uni-id-co's
// methods for other systems, server to server, each call signed with the
// config's requestAuthSecret (uni-id's URL-call signature).
package external

import (
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
)

// Family serves external systems.
var Family = &families.Family{
	Name: "external",
	// updateUserInfoByExternal may set a password.
	Argon2: true,
	// The account found by its external key, created or saved with its
	// keys; the signature's nonce counted once; the role catalog for a
	// token; an invited account's index entries; the audit log.
	Grants: []families.Grant{
		{Resource: families.Users, Actions: []string{families.GetItem, families.PutItem}},
		{Resource: families.Keys, Actions: []string{families.DeleteItem, families.GetItem, families.PutItem}},
		{Resource: families.Ephemeral, Actions: []string{families.UpdateItem}},
		{Resource: families.Invites, Actions: []string{families.PutItem}},
		{Resource: families.Audit, Actions: []string{families.PutItem}},
	},
	Methods: func(s *account.Service) cloudobj.Table {
		return cloudobj.Table{
			"externalRegister":         cloudobj.Bind(cloudobj.Anyone, s.ExternalRegister),
			"externalLogin":            cloudobj.Bind(cloudobj.Anyone, s.ExternalLogin),
			"updateUserInfoByExternal": cloudobj.Bind(cloudobj.Anyone, s.UpdateUserInfoByExternal),
		}
	},
}
