// Package register declares the register function family.
package register

import (
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/senders/emailsender"
	"github.com/idco-dev/idco/shared/wiring"
)

// Family serves registration.
var Family = &families.Family{
	Name:   "register",
	Argon2: true,
	// registerUser takes the captcha; registerUserByEmail checks the code
	// (failure counters, tries, consume), may redeem a bind ticket and sends
	// the welcome email; both create the user and claim its keys in one
	// transaction. registerAdmin and hasAdmin read the admin sentinel and
	// record.
	Grants: []families.Grant{
		{Resource: families.Users, Actions: []string{families.GetItem, families.PutItem}},
		{Resource: families.Keys, Actions: []string{families.GetItem, families.PutItem}},
		{Resource: families.Ephemeral, Actions: []string{families.BatchGetItem, families.DeleteItem, families.PutItem, families.UpdateItem}}, // PutItem: the source that proved a code
		{Resource: families.ResourceSESIdentity, Actions: []string{families.SESSendEmail}},
		{Resource: families.ResourceSESConfigurationSet, Actions: []string{families.SESSendEmail}},
		{Resource: families.Audit, Actions: []string{families.PutItem}},   // the audit log
		{Resource: families.Invites, Actions: []string{families.PutItem}}, // an invited account's index entries
	},
	Wires: []*wiring.Wire{&emailsender.Wire},
	Methods: func(s *account.Service) cloudobj.Table {
		return cloudobj.Table{
			"registerAdmin": cloudobj.Bind(cloudobj.Anyone, s.RegisterAdmin),
			"registerUser":  cloudobj.Bind(cloudobj.Anyone, s.RegisterUser),

			"registerUserByEmail": cloudobj.Bind(cloudobj.Anyone, s.RegisterUserByEmail),
			"hasAdmin":            cloudobj.Bind(cloudobj.Anyone, s.HasAdmin),
		}
	},
}
