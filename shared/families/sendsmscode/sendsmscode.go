// Package sendsmscode declares the send-sms-code function family.
package sendsmscode

import (
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/senders/smssender"
	"github.com/idco-dev/idco/shared/wiring"
)

// Family sends SMS codes.
var Family = &families.Family{
	Name: "send-sms-code",
	// The captcha taken, the source's verify failures read, then cooldown,
	// limits and code in one transaction (the cooldown read when it
	// refuses), given back if the delivery fails; the budget read after.
	Grants: []families.Grant{
		{Resource: families.Ephemeral, Actions: []string{families.BatchGetItem, families.DeleteItem, families.GetItem, families.PutItem, families.UpdateItem}},
		// The caller's token, read when a destination's daily cap asks for
		// its owner.
		{Resource: families.Users, Actions: []string{families.GetItem}},
		{Resource: families.ResourceSMSOriginationIdentity, Actions: []string{families.SMSSendText}},
		{Resource: families.ResourceSMSConfigurationSet, Actions: []string{families.SMSSendText}},
		{Resource: families.ResourceSMSPhoneNumbers, Actions: []string{families.SNSPublish}},
		{Resource: families.Audit, Actions: []string{families.PutItem}}, // the audit log
	},
	Wires: []*wiring.Wire{&smssender.Wire},
	Methods: func(s *account.Service) cloudobj.Table {
		return cloudobj.Table{"sendSmsCode": cloudobj.Bind(cloudobj.Anyone, s.SendSmsCode)}
	},
}
