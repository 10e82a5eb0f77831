package account_test

import (
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/idco-dev/idco/shared/app"
	accountfamily "github.com/idco-dev/idco/shared/families/account"
	"github.com/idco-dev/idco/shared/lambdafn"
	"github.com/idco-dev/idco/shared/testenv"
)

// TestTokenAuthorizer: the account function answers an HTTP API Lambda
// authorizer request for another API: a live token is authorized with the
// user's uid, roles and permissions as context; a logged-out, missing or
// forged token is not.
func TestTokenAuthorizer(t *testing.T) {
	e := testenv.New(t, nil)
	h := lambdafn.Handler(app.Dispatcher("account", accountfamily.Family.Methods(e.Svc), e.Svc, slog.New(slog.DiscardHandler)))
	ask := func(identity string) lambdafn.AuthorizerResponse {
		t.Helper()
		event, _ := json.Marshal(map[string]any{"version": "2.0", "type": "REQUEST",
			"routeArn":       "arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/GET/orders",
			"identitySource": []string{identity}, "headers": map[string]string{"authorization": identity},
			"stageVariables": map[string]string{"idcoAppId": "__UNI__TEST"}})
		out, err := h(t.Context(), event)
		if err != nil {
			t.Fatal(err)
		}
		return out.(lambdafn.AuthorizerResponse)
	}
	c := testenv.NewClient("d1")
	uid := e.Register(t, c, "alice_1", "a good password").Body["uid"]
	if r := ask("Bearer " + c.Token); !r.IsAuthorized || r.Context["uid"] != uid {
		t.Fatalf("a live token: %+v", r)
	}
	for _, bad := range []string{"", "Bearer ", "Bearer " + c.Token + "x", "Basic " + c.Token} {
		if r := ask(bad); r.IsAuthorized {
			t.Errorf("%q authorized", bad)
		}
	}
	e.Call(t, c, "account", "logout", nil)
	if r := ask("Bearer " + c.Token); r.IsAuthorized {
		t.Error("a logged-out token is authorized")
	}
}
