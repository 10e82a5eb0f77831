// Package realname declares the realname function family.
package realname

import (
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/thirdparty/frv"
	"github.com/idco-dev/idco/shared/wiring"
)

// Family is face verification, the one family that handles ID numbers.
var Family = &families.Family{
	Name: "realname",
	// getFrvCertifyId: the ID number's slot keys read, the daily count read
	// then hit, the started verification put in the cache. getFrvAuthResult:
	// that record read, rewritten as failed or taken once realname_auth is
	// saved with the ID number's slot key claimed in the same transaction
	// (nothing is released).
	Grants: []families.Grant{
		{Resource: families.Users, Actions: []string{families.GetItem, families.PutItem}},
		{Resource: families.Keys, Actions: []string{families.GetItem, families.PutItem}},
		{Resource: families.Ephemeral, Actions: []string{families.BatchGetItem, families.DeleteItem, families.GetItem, families.PutItem, families.UpdateItem}},
		{Resource: families.Audit, Actions: []string{families.PutItem}}, // the audit log
	},
	Wires: []*wiring.Wire{&frv.Wire},
	Methods: func(s *account.Service) cloudobj.Table {
		return cloudobj.Table{
			"getFrvCertifyId":  cloudobj.Bind(cloudobj.LoggedIn, s.GetFrvCertifyID),
			"getFrvAuthResult": cloudobj.Bind(cloudobj.LoggedIn, s.GetFrvAuthResult),
		}
	},
}
