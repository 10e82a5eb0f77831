// Package reset declares the reset function family.
package reset

import (
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/senders/emailsender"
	"github.com/idco-dev/idco/shared/senders/smssender"
	"github.com/idco-dev/idco/shared/wiring"
)

// Family serves password changes and resets.
var Family = &families.Family{
	Name:   "reset",
	Argon2: true,
	// updatePwd and setPwd save the caller; resetPwdBySms/ByEmail check the
	// code, find the account by its key and save it. No key changes.
	Grants: append([]families.Grant{
		{Resource: families.Users, Actions: []string{families.GetItem, families.PutItem}},
		{Resource: families.Keys, Actions: []string{families.GetItem}},
		{Resource: families.Ephemeral, Actions: []string{families.BatchGetItem, families.DeleteItem, families.PutItem, families.UpdateItem}}, // PutItem: the source that proved a code
		{Resource: families.Audit, Actions: []string{families.PutItem}},                                                                      // the audit log
	}, families.NoticeGrants...), // the security notices to the old channel (account.notifyChanges)
	Wires: []*wiring.Wire{&emailsender.Wire, &smssender.Wire},
	Methods: func(s *account.Service) cloudobj.Table {
		return cloudobj.Table{
			"updatePwd":       cloudobj.Bind(cloudobj.LoggedIn, s.UpdatePwd),
			"setPwd":          cloudobj.Bind(cloudobj.LoggedIn, s.SetPwd),
			"resetPwdBySms":   cloudobj.Bind(cloudobj.Anyone, s.ResetPwdBySms),
			"resetPwdByEmail": cloudobj.Bind(cloudobj.Anyone, s.ResetPwdByEmail),
		}
	},
}
