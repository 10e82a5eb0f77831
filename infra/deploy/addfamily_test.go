package deploy

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/idco-dev/idco/infra/deploy/familylist"
	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/families/all"
)

// probe is a family that does not exist: adding it must need nothing but
// its declaration (and its functions/probe/main.go, which the Makefile's
// LAMBDA_FAMILIES and sam build find by directory). It hashes passwords, so
// it gets a reserved-concurrency parameter too.
var probe = &families.Family{
	Name:   "probe-family",
	Argon2: true,
	Grants: []families.Grant{{Resource: families.Users, Actions: []string{families.GetItem}}},
	Methods: func(*account.Service) cloudobj.Table {
		return cloudobj.Table{"probeMethod": {Access: cloudobj.Anyone, Handle: func(context.Context, *cloudobj.Call) (any, error) {
			return map[string]any{"probed": true}, nil
		}}}
	},
}

// TestAddingAFamily shows that every list derives from a family's
// declaration: one more declared package is found by make generate, and
// one more Family gets its method names (uni-id-wrong-function), its
// template function with exactly its grants, log group, alarms, alias,
// reserved-concurrency parameter, URL output and routes, and the dev
// server's routes, with no other list edited.
func TestAddingAFamily(t *testing.T) {
	t.Run("make generate lists the package", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "probefamily"), 0o755); err != nil {
			t.Fatal(err)
		}
		src := "package probefamily\n\nimport \"github.com/idco-dev/idco/shared/families\"\n\nvar Family = &families.Family{Name: \"probe-family\"}\n"
		if err := os.WriteFile(filepath.Join(dir, "probefamily", "probefamily.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := familylist.Source(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"github.com/idco-dev/idco/shared/families/probefamily"`, "probefamily.Family}"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("all_gen.go lacks %s:\n%s", want, out)
			}
		}
	})
	fams := append(all.Families(), probe)
	t.Run("method names", func(t *testing.T) {
		src, err := NamesSource(fams)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(src), `"probe-family":    {"probeMethod"},`) {
			t.Errorf("cloudobj's names lack the probe:\n%s", src)
		}
	})
	t.Run("template", func(t *testing.T) {
		tpl, err := os.ReadFile(filepath.Join(root, TemplateFile))
		if err != nil {
			t.Fatal(err)
		}
		out, err := RenderTemplate(tpl, fams)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "template.yaml")
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		id := FunctionID(probe.Name)
		if _, ok := got.Resources[id]; !ok {
			t.Fatalf("no %s in the rendered template", id)
		}
		grants := policyGrants(t, id, got.FunctionProperties(id)["Policies"], tableIDsByLogical())
		want := []string{"users dynamodb:GetItem", families.ResourceConfigParameter + " ssm:GetParameter", families.ResourceConfigKey + " kms:Decrypt"}
		if strings.Join(grants, ",") != strings.Join(want, ",") {
			t.Errorf("%s grants %q, want %q", id, grants, want)
		}
		for _, res := range []string{LogGroupID(probe.Name), ErrorsAlarmID(probe.Name), ThrottlesAlarmID(probe.Name),
			IntegrationID(probe.Name), PermissionID(probe.Name), RouteID(cloudobj.UniIDCo, "probeMethod"),
			URLID(probe.Name), URLPermissionID(probe.Name), URLInvokeID(probe.Name)} {
			if _, ok := got.Resources[res]; !ok {
				t.Errorf("no resource %s for the probe", res)
			}
		}
		p := got.FunctionProperties(id)
		if p["CodeUri"] != "functions/probe-family" || p["AutoPublishAlias"] != Alias {
			t.Errorf("%s CodeUri %v, AutoPublishAlias %v; want functions/probe-family, %s", id, p["CodeUri"], p["AutoPublishAlias"], Alias)
		}
		if uri := got.Resources[IntegrationID(probe.Name)].Properties["IntegrationUri"]; !reflect.DeepEqual(uri, ref(id+".Alias")) {
			t.Errorf("%s IntegrationUri = %v, want the alias", IntegrationID(probe.Name), uri)
		}
		param, cond := ReservedConcurrencyParam(probe.Name), ReservedConcurrencyCondition(probe.Name)
		if _, ok := got.Parameters[param]; !ok {
			t.Errorf("no parameter %s", param)
		}
		if _, ok := got.Conditions[cond]; !ok {
			t.Errorf("no condition %s", cond)
		}
		if rc := p["ReservedConcurrentExecutions"]; !reflect.DeepEqual(rc, map[string]any{"Fn::If": []any{cond, ref(param), ref("AWS::NoValue")}}) {
			t.Errorf("%s ReservedConcurrentExecutions = %v", id, rc)
		}
		if !strings.Contains(string(out), "  ProbeFamilyUrl:\n") {
			t.Error("no ProbeFamilyUrl output")
		}
	})
	t.Run("dev server", func(t *testing.T) {
		srv := httptest.NewServer(app.Mount(&account.Service{}, slog.New(slog.DiscardHandler), fams))
		defer srv.Close()
		for _, path := range []string{"/probe-family/probeMethod", "/uni-id-co/probeMethod"} {
			res, err := http.Post(srv.URL+path, "application/json", strings.NewReader(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.Contains(string(body), `"probed":true`) {
				t.Errorf("POST %s = %d %s, want the probe's answer", path, res.StatusCode, body)
			}
		}
	})
}

// tableIDsByLogical maps each table's logical id to its name, as
// policyGrants reads them.
func tableIDsByLogical() map[string]string {
	out := map[string]string{}
	for name, id := range tableIDs() {
		out[id] = name
	}
	return out
}
