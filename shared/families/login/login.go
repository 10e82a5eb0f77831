// Package login declares the login function family.
package login

import (
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/thirdparty"
	"github.com/idco-dev/idco/shared/wiring"
)

// Family serves the password, code and third-party logins.
var Family = &families.Family{
	Name:   "login",
	Argon2: true,
	// Failure counters, captcha and code checks; the key's owner and record
	// read; the user saved with its session, or created (unified login); a bind
	// ticket issued or redeemed, whose identity may claim and release identity
	// keys; a provider's session_key and the WeChat access token kept in the
	// cache.
	Grants: []families.Grant{
		{Resource: families.Users, Actions: []string{families.GetItem, families.PutItem}},
		{Resource: families.Keys, Actions: []string{families.DeleteItem, families.GetItem, families.PutItem}},
		{Resource: families.Ephemeral, Actions: []string{families.BatchGetItem, families.DeleteItem, families.GetItem, families.PutItem, families.UpdateItem}},
		{Resource: families.Audit, Actions: []string{families.PutItem}},   // the audit log
		{Resource: families.Invites, Actions: []string{families.PutItem}}, // an invited account's index entries
	},
	Wires: []*wiring.Wire{&thirdparty.Wire},
	Methods: func(s *account.Service) cloudobj.Table {
		return cloudobj.Table{
			"login":            cloudobj.Bind(cloudobj.Anyone, s.Login),
			"loginBySms":       cloudobj.Bind(cloudobj.Anyone, s.LoginBySms),
			"loginByEmailCode": cloudobj.Bind(cloudobj.Anyone, s.LoginByEmailCode),

			"loginByWeixin":       cloudobj.Bind(cloudobj.Anyone, s.LoginByWeixin),
			"loginByWeixinMobile": cloudobj.Bind(cloudobj.Anyone, s.LoginByWeixinMobile),
			"loginByQQ":           cloudobj.Bind(cloudobj.Anyone, s.LoginByQQ),
			"loginByAlipay":       cloudobj.Bind(cloudobj.Anyone, s.LoginByAlipay),
			"loginByApple":        cloudobj.Bind(cloudobj.Anyone, s.LoginByApple),
			"loginByUniverify":    cloudobj.Bind(cloudobj.Anyone, s.LoginByUniverify),
			"loginByOAuth":        cloudobj.Bind(cloudobj.Anyone, s.LoginByOAuth),

			"secureNetworkHandshakeByWeixin": cloudobj.Bind(cloudobj.Anyone, s.SecureNetworkHandshakeByWeixin),
		}
	},
}
