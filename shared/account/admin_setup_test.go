package account_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/idco-dev/idco/shared/app"
	registerfamily "github.com/idco-dev/idco/shared/families/register"
	"github.com/idco-dev/idco/shared/lambdafn"
	"github.com/idco-dev/idco/shared/testenv"
)

// TestFirstAdminSetup: over the network, registerAdmin needs the setup
// secret and a captcha, and refuses without writing when either is
// missing or wrong; with no secret in the config nobody on the network can
// become admin. A direct invocation (trusted: IAM decided who may make it)
// needs neither. Once an admin exists, everyone gets uni-id's
// admin-exists, secret or not.
func TestFirstAdminSetup(t *testing.T) {
	t.Run("no setup secret configured", func(t *testing.T) {
		e := testenv.New(t, func(cfg map[string]any) { delete(cfg["idco"].(map[string]any), "admin") })
		c := testenv.NewClient("d1")
		captcha := e.Captcha(t, c, "register")
		before := fmt.Sprint(e.ItemCount(t))
		r := e.Call(t, c, "register", "registerAdmin", map[string]any{"username": "root_1", "password": "a good password",
			"setupSecret": testenv.SetupSecret, "captcha": captcha})
		if r.Code() != "uni-id-admin-setup-required" || r.Status != 403 {
			t.Fatalf("registerAdmin without a configured secret: %d %s", r.Status, r.Raw)
		}
		if after := fmt.Sprint(e.ItemCount(t)); after != before {
			t.Errorf("a refused registerAdmin wrote: %s -> %s", before, after)
		}
	})
	t.Run("network caller", func(t *testing.T) {
		e := testenv.New(t, nil)
		c := testenv.NewClient("d1")
		cases := []struct {
			name   string
			params map[string]any
			want   string
		}{
			{"no secret", map[string]any{"captcha": e.Captcha(t, c, "register")}, "uni-id-permission-error"},
			{"wrong secret", map[string]any{"setupSecret": testenv.SetupSecret + "x", "captcha": e.Captcha(t, c, "register")}, "uni-id-permission-error"},
			{"no captcha", map[string]any{"setupSecret": testenv.SetupSecret}, "uni-id-captcha-required"},
			{"wrong captcha", map[string]any{"setupSecret": testenv.SetupSecret, "captcha": "zzzz"}, "uni-captcha-verify-fail"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				tc.params["username"], tc.params["password"] = "root_1", "a good password"
				if r := e.Call(t, c, "register", "registerAdmin", tc.params); r.Code() != tc.want {
					t.Errorf("%d %s, want %s", r.Status, r.Raw, tc.want)
				}
				if r := e.Call(t, c, "register", "hasAdmin", nil); r.Body["exists"] != false {
					t.Errorf("an admin exists after a refused registerAdmin: %s", r.Raw)
				}
			})
		}
		if r := e.RegisterAdmin(t, c, "root_1", "a good password"); r.Code() != "0" {
			t.Fatalf("with the secret and a captcha: %s", r.Raw)
		}
		r := e.Call(t, testenv.NewClient("d2"), "register", "registerAdmin", map[string]any{"username": "root_2", "password": "a good password"})
		if r.Code() != "uni-id-admin-exists" {
			t.Errorf("once an admin exists: %s", r.Raw)
		}
	})
	t.Run("direct invocation", func(t *testing.T) {
		e := testenv.New(t, func(cfg map[string]any) { delete(cfg["idco"].(map[string]any), "admin") })
		h := lambdafn.Handler(app.Dispatcher("register", registerfamily.Family.Methods(e.Svc), e.Svc, slog.New(slog.DiscardHandler)))
		event := `{"method":"registerAdmin","params":{"username":"root_1","password":"a good password"},` +
			`"clientInfo":{"appId":"__UNI__TEST","uniPlatform":"web","deviceId":"cli","locale":"en"}}`
		out, err := h(t.Context(), json.RawMessage(event))
		if err != nil {
			t.Fatal(err)
		}
		var res map[string]any
		_ = json.Unmarshal(out.(json.RawMessage), &res)
		if res["errCode"] != float64(0) && res["errCode"] != "0" {
			t.Fatalf("direct registerAdmin: %v", res)
		}
		r := e.Call(t, testenv.NewClient("d3"), "login", "login", map[string]any{"username": "root_1", "password": "a good password"})
		if r.Code() != "0" {
			t.Fatalf("the admin logs in: %s", r.Raw)
		}
	})
}
