// Package bind declares the bind function family.
package bind

import (
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/senders/emailsender"
	"github.com/idco-dev/idco/shared/senders/smssender"
	"github.com/idco-dev/idco/shared/thirdparty"
	"github.com/idco-dev/idco/shared/wiring"
)

// Family binds and unbinds a mobile, an email and third-party identities.
var Family = &families.Family{
	Name: "bind",
	// Code checks, the session_key and the WeChat access token in the cache,
	// then the caller saved claiming the new key and releasing the old one in
	// one transaction.
	Grants: append([]families.Grant{
		{Resource: families.Users, Actions: []string{families.GetItem, families.PutItem}},
		{Resource: families.Keys, Actions: []string{families.DeleteItem, families.PutItem}},
		{Resource: families.Ephemeral, Actions: []string{families.BatchGetItem, families.DeleteItem, families.GetItem, families.PutItem, families.UpdateItem}},
		{Resource: families.Audit, Actions: []string{families.PutItem}}, // the audit log
	}, families.NoticeGrants...), // the security notices to the old channel (account.notifyChanges)
	Wires: []*wiring.Wire{&thirdparty.Wire, &emailsender.Wire, &smssender.Wire},
	Methods: func(s *account.Service) cloudobj.Table {
		return cloudobj.Table{
			"bindMobileBySms": cloudobj.Bind(cloudobj.RecentLogin, s.BindMobileBySms),
			"bindEmailByCode": cloudobj.Bind(cloudobj.RecentLogin, s.BindEmailByCode),

			"bindMobileByUniverify": cloudobj.Bind(cloudobj.RecentLogin, s.BindMobileByUniverify),
			"bindMobileByMpWeixin":  cloudobj.Bind(cloudobj.RecentLogin, s.BindMobileByMpWeixin),
			"bindWeixin":            cloudobj.Bind(cloudobj.RecentLogin, s.BindWeixin),
			"bindQQ":                cloudobj.Bind(cloudobj.RecentLogin, s.BindQQ),
			"bindAlipay":            cloudobj.Bind(cloudobj.RecentLogin, s.BindAlipay),
			"bindApple":             cloudobj.Bind(cloudobj.RecentLogin, s.BindApple),
			"unbindWeixin":          cloudobj.Bind(cloudobj.RecentLogin, s.UnbindWeixin),
			"unbindQQ":              cloudobj.Bind(cloudobj.RecentLogin, s.UnbindQQ),
			"unbindAlipay":          cloudobj.Bind(cloudobj.RecentLogin, s.UnbindAlipay),
			"unbindApple":           cloudobj.Bind(cloudobj.RecentLogin, s.UnbindApple),
			"bindOAuth":             cloudobj.Bind(cloudobj.RecentLogin, s.BindOAuth),
			"unbindOAuth":           cloudobj.Bind(cloudobj.RecentLogin, s.UnbindOAuth),
		}
	},
}
