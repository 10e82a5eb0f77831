package account_test

import (
	"github.com/idco-dev/idco/shared/testenv"
)

// oauthClient registers an app of the open platform (a confidential one)
// and returns its id and secret.
func (x *bench) oauthClient() (string, string) {
	x.tb.Helper()
	admin := x.client("web", 99)
	if r := x.RegisterAdmin(x.tb, admin, "root_bench", benchPassword); r.Code() != "0" {
		x.tb.Fatalf("registerAdmin: %s", r.Raw)
	}
	r := x.call(admin, "admin", "addOAuthClient", map[string]any{"name": "Bench App",
		"redirectUris": []string{"https://app.example.com/cb"}, "scopes": []string{"openid", "profile"}}, "0")
	return r.Body["clientId"].(string), r.Body["clientSecret"].(string)
}

// applyCode has c (already authorising the app) apply for a code.
func (x *bench) applyCode(c *testenv.Client, client string) string {
	x.tb.Helper()
	r := x.call(c, "oauth", "applyAuthorizationCode", map[string]any{"clientId": client,
		"redirectUri": "https://app.example.com/cb", "scope": "openid profile"}, "0")
	return r.Body["code"].(string)
}

// openPlatformBenches are the open authorisation methods' rows.
func openPlatformBenches() []methodBench {
	return []methodBench{
		{name: "applyAuthorizationCode", row: "`applyAuthorizationCode`, the app already authorised",
			what: "GetItem (the caller, with the token check), GetItem (the client catalog), PutItem (the code)",
			setup: func(x *bench) benchOp {
				id, _ := x.oauthClient()
				c := x.user("web", "alice")
				x.applyCode(c, id)
				return func(int, func(func())) { x.applyCode(c, id) }
			}},
		{name: "exchangeAuthorizationCode", row: "`exchangeAuthorizationCode` (as the token endpoint's code exchange)",
			what: "GetItem (the client catalog), DeleteItem (take the code), GetItem (the user), PutItem (the user with the app's session), PutItem (mark the code used)",
			setup: func(x *bench) benchOp {
				id, secret := x.oauthClient()
				c := x.user("web", "alice")
				app := x.client("web", 1)
				return func(_ int, pause func(func())) {
					var code string
					pause(func() { code = x.applyCode(c, id) })
					x.call(app, "oauth", "exchangeAuthorizationCode", map[string]any{"clientId": id, "clientSecret": secret,
						"code": code, "redirectUri": "https://app.example.com/cb"}, "0")
				}
			}},
		{name: "getAuthorizations", row: "`getAuthorizations`",
			what: "GetItem (the caller, with the token check), GetItem (the client catalog)",
			setup: func(x *bench) benchOp {
				id, _ := x.oauthClient()
				c := x.user("web", "alice")
				x.applyCode(c, id)
				return func(int, func(func())) { x.call(c, "oauth", "getAuthorizations", nil, "0") }
			}},
	}
}
