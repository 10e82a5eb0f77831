// Package sendemailcode declares the send-email-code function family.
package sendemailcode

import (
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/senders/emailsender"
	"github.com/idco-dev/idco/shared/wiring"
)

// Family sends email codes.
var Family = &families.Family{
	Name: "send-email-code",
	// As send-sms-code.
	Grants: []families.Grant{
		{Resource: families.Ephemeral, Actions: []string{families.BatchGetItem, families.DeleteItem, families.GetItem, families.PutItem, families.UpdateItem}},
		// The caller's token, read when a destination's daily cap asks for
		// its owner.
		{Resource: families.Users, Actions: []string{families.GetItem}},
		{Resource: families.ResourceSESIdentity, Actions: []string{families.SESSendEmail}},
		{Resource: families.ResourceSESConfigurationSet, Actions: []string{families.SESSendEmail}},
		{Resource: families.Audit, Actions: []string{families.PutItem}}, // the audit log
	},
	Wires: []*wiring.Wire{&emailsender.Wire},
	Methods: func(s *account.Service) cloudobj.Table {
		return cloudobj.Table{"sendEmailCode": cloudobj.Bind(cloudobj.Anyone, s.SendEmailCode)}
	},
}
