// Package oidc declares the oidc function family: the open platform's
// OpenID Connect provider and hosted pages, served as plain HTTP
// (shared/oidc). Its pages log users in through the login family's
// methods, so it links and is granted what those need.
package oidc

import (
	"maps"
	"net/http"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
	accountfamily "github.com/idco-dev/idco/shared/families/account"
	"github.com/idco-dev/idco/shared/families/captcha"
	"github.com/idco-dev/idco/shared/families/login"
	"github.com/idco-dev/idco/shared/families/logintypes"
	"github.com/idco-dev/idco/shared/families/sendemailcode"
	"github.com/idco-dev/idco/shared/families/sendsmscode"
	"github.com/idco-dev/idco/shared/oidc"
	"github.com/idco-dev/idco/shared/oidckeys"
	"github.com/idco-dev/idco/shared/senders/emailsender"
	"github.com/idco-dev/idco/shared/senders/smssender"
	"github.com/idco-dev/idco/shared/thirdparty"
	"github.com/idco-dev/idco/shared/wiring"
)

// Family serves the OpenID Connect provider.
var Family = &families.Family{
	Name: "oidc",
	// The pages' methods (login, loginBySms, loginByEmailCode,
	// loginByOAuth, sendSmsCode, sendEmailCode, createCaptcha, logout,
	// getSupportedLoginType, getOAuthProviders) hash passwords.
	Argon2: true,
	// What the pages' methods need (the login, send-sms-code,
	// send-email-code, captcha and account families' grants:
	// TestOIDCGrantsCoverItsPages keeps them so), and the provider's own:
	// the client catalog read, transactions and codes in the ephemeral
	// table, the code's user saved with the app's grant and session.
	Grants: []families.Grant{
		{Resource: families.Users, Actions: []string{families.GetItem, families.PutItem}},
		{Resource: families.Keys, Actions: []string{families.DeleteItem, families.GetItem, families.PutItem}},
		{Resource: families.Ephemeral, Actions: []string{families.BatchGetItem, families.DeleteItem, families.GetItem, families.PutItem, families.UpdateItem}},
		{Resource: families.Audit, Actions: []string{families.PutItem}},
		{Resource: families.ResourceOIDCKeysParameter, Actions: []string{"ssm:GetParameter"}}, // the signing keys
		{Resource: families.Invites, Actions: []string{families.PutItem}},
		{Resource: families.ResourceSMSOriginationIdentity, Actions: []string{families.SMSSendText}},
		{Resource: families.ResourceSMSConfigurationSet, Actions: []string{families.SMSSendText}},
		{Resource: families.ResourceSMSPhoneNumbers, Actions: []string{families.SNSPublish}},
		{Resource: families.ResourceSESIdentity, Actions: []string{families.SESSendEmail}},
		{Resource: families.ResourceSESConfigurationSet, Actions: []string{families.SESSendEmail}},
	},
	Wires:  []*wiring.Wire{&oidckeys.Wire, &thirdparty.Wire, &smssender.Wire, &emailsender.Wire},
	Routes: oidc.Routes,
	Web: func(s *account.Service, dispatch func(cloudobj.Table) *cloudobj.Dispatcher) http.Handler {
		return &oidc.Handler{Svc: s, Pages: dispatch(Pages(s))}
	},
}

// PageFamilies are the families whose methods the hosted pages run.
var PageFamilies = []*families.Family{login.Family, sendsmscode.Family, sendemailcode.Family, captcha.Family, accountfamily.Family,
	logintypes.Family}

// Pages is the hosted pages' method table.
func Pages(s *account.Service) cloudobj.Table {
	all := cloudobj.Table{}
	for _, f := range PageFamilies {
		maps.Copy(all, f.Methods(s))
	}
	return all
}
