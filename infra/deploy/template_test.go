package deploy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/dynamo"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/families/all"
	"github.com/idco-dev/idco/shared/oidckeys"
)

// root is the repository root, seen from this package's directory.
const root = "../.."

// notInLambda lists the variables of app.Env() a deployed function must not
// set, and why. Every other variable app.Env() lists must be set on every
// function.
var notInLambda = map[string]string{
	app.EnvDynamoEndpoint: "local only: points the DynamoDB client at DynamoDB Local or the embedded server",
	app.EnvConfigFile:     "local only: a config file on disk; Lambda reads the SSM parameter instead",
	app.EnvConfigSecret:   "the alternative config source (Secrets Manager); the template uses SSM, and exactly one source may be set",
	oidckeys.EnvKeysFile:  "local only: the dev server's signing keys on disk; Lambda reads the SSM parameter instead",
}

func load(t *testing.T) *Template {
	t.Helper()
	tpl, err := Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// functionDirs lists functions/<family> directories holding a main.go.
func functionDirs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(root, "functions", e.Name(), "main.go")); e.IsDir() && err == nil {
			out = append(out, e.Name())
		}
	}
	return out
}

func sub(s string) map[string]any { return map[string]any{"Fn::Sub": s} }
func ref(s string) map[string]any { return map[string]any{"Ref": s} }

// TestEveryFamilyHasOneFunction: each declared family has its
// functions/<name>/main.go serving that declaration, and one template
// function; no directory or function is left without a family.
func TestEveryFamilyHasOneFunction(t *testing.T) {
	tpl := load(t)
	dirs := functionDirs(t)
	byName := all.ByName()
	var want []string
	for _, f := range dirs {
		want = append(want, FunctionID(f))
		if _, ok := byName[f]; !ok {
			t.Errorf("functions/%s: no family of that name in shared/families", f)
		}
		src, err := os.ReadFile(filepath.Join(root, "functions", f, "main.go"))
		pkg := strings.ReplaceAll(f, "-", "")
		if err == nil && (!strings.Contains(string(src), "app.Main("+pkg+".Family)") ||
			!strings.Contains(string(src), `"github.com/idco-dev/idco/shared/families/`+pkg+`"`)) {
			t.Errorf("functions/%s/main.go does not call app.Main(%s.Family) of shared/families/%s", f, pkg, pkg)
		}
	}
	for f := range byName {
		if !slices.Contains(dirs, f) {
			t.Errorf("family %q is declared in shared/families but has no functions/%s/main.go", f, f)
		}
	}
	got := tpl.OfType("AWS::Serverless::Function")
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("template functions = %v, want one per functions/ directory: %v", got, want)
	}
}

func TestFunctionSettings(t *testing.T) {
	tpl := load(t)
	for _, f := range functionDirs(t) {
		id := FunctionID(f)
		r, ok := tpl.Resources[id]
		if !ok {
			continue // reported by TestEveryFamilyHasOneFunction
		}
		p := tpl.FunctionProperties(id)
		check := func(key string, want any) {
			t.Helper()
			if got := p[key]; !reflect.DeepEqual(got, want) {
				t.Errorf("%s.%s = %#v, want %#v", id, key, got, want)
			}
		}
		check("Runtime", "provided.al2023")
		check("Architectures", []any{"arm64"})
		check("Handler", "bootstrap")
		check("CodeUri", CodeURI(f))
		check("FunctionName", sub("${AWS::StackName}-"+f))
		check("AutoPublishAlias", Alias)
		check("AutoPublishAliasAllProperties", true)
		// sam build copies CodeUri and runs ContextPath's Makefile in
		// WorkingDirectory: the root's, in the repository itself
		// (TestSamBuild runs it so).
		wantMeta := map[string]any{"BuildMethod": "makefile", "ContextPath": ".", "WorkingDirectory": "."}
		if !reflect.DeepEqual(r.Metadata, wantMeta) {
			t.Errorf("%s Metadata = %v, want %v", id, r.Metadata, wantMeta)
		}
		if to, _ := p["Timeout"].(int); to < 3 || to > 30 {
			t.Errorf("%s Timeout = %v, want 3..30 s", id, p["Timeout"])
		}
		mem, _ := p["MemorySize"].(int)
		switch {
		case all.ByName()[f].Argon2 && mem < 512:
			t.Errorf("%s MemorySize = %d, want >= 512: it runs argon2id", id, mem)
		case !all.ByName()[f].Argon2 && (mem < 128 || mem > 512):
			t.Errorf("%s MemorySize = %d, want 128..512", id, mem)
		}
		for _, k := range []string{"Role", "Layers", "VpcConfig"} {
			if _, ok := p[k]; ok {
				t.Errorf("%s sets %s: the template relies on SAM's role from Policies, no layers, no VPC", id, k)
			}
		}

		log := mapOf(p["LoggingConfig"])
		want := map[string]any{"LogFormat": "JSON", "ApplicationLogLevel": ref("LogLevel"), "LogGroup": ref(Camel(f) + "LogGroup")}
		if !reflect.DeepEqual(log, want) {
			t.Errorf("%s LoggingConfig = %v, want %v", id, log, want)
		}
		lg := tpl.Resources[Camel(f)+"LogGroup"]
		if lg.Type != "AWS::Logs::LogGroup" || !reflect.DeepEqual(lg.Properties["LogGroupName"], sub("/aws/lambda/${AWS::StackName}-"+f)) ||
			!reflect.DeepEqual(lg.Properties["RetentionInDays"], ref("LogRetentionDays")) {
			t.Errorf("%sLogGroup = %+v, want the function's log group with LogRetentionDays", Camel(f), lg)
		}

		if _, ok := p["FunctionUrlConfig"]; ok {
			t.Errorf("%s sets FunctionUrlConfig: SAM would make its URL in every region, China's included", id)
		}
		checkFunctionURL(t, tpl, f)
	}
}

// checkFunctionURL checks a family's function URL: public (AuthType NONE:
// idco checks tokens itself) on the function's alias, with the HTTP API's
// CORS, the two permissions a public URL needs (the second only for calls
// through the URL), and its output, each under HasFunctionUrls.
func checkFunctionURL(t *testing.T, tpl *Template, f string) {
	t.Helper()
	alias := ref(AliasRef(f))
	want := map[string]Resource{
		URLID(f): {Type: "AWS::Lambda::Url", Properties: map[string]any{
			"TargetFunctionArn": alias, "AuthType": "NONE", "Cors": tpl.Resources[HTTPAPI].Properties["CorsConfiguration"]}},
		URLPermissionID(f): {Type: "AWS::Lambda::Permission", Properties: map[string]any{
			"Action": "lambda:InvokeFunctionUrl", "FunctionName": alias, "Principal": "*", "FunctionUrlAuthType": "NONE"}},
		URLInvokeID(f): {Type: "AWS::Lambda::Permission", Properties: map[string]any{
			"Action": "lambda:InvokeFunction", "FunctionName": alias, "Principal": "*", "InvokedViaFunctionUrl": true}},
	}
	for rid, w := range want {
		got, ok := tpl.Resources[rid]
		if !ok {
			t.Errorf("no %s: run %s", rid, GenerateCommand)
			continue
		}
		if got.Type != w.Type || got.Condition != FunctionURLCondition || !reflect.DeepEqual(got.Properties, w.Properties) {
			t.Errorf("%s = %s under %q %v\nwant %s under %q %v", rid, got.Type, got.Condition, got.Properties,
				w.Type, FunctionURLCondition, w.Properties)
		}
	}
	out := mapOf(tpl.Outputs[Camel(f)+"Url"])
	if !reflect.DeepEqual(out["Value"], map[string]any{"Fn::GetAtt": []any{URLID(f), "FunctionUrl"}}) || out["Condition"] != FunctionURLCondition {
		t.Errorf("output %sUrl = %v, want the function URL of %s under %s", Camel(f), out, FunctionID(f), FunctionURLCondition)
	}
}

// deletableTables are the tables a stack deletion may delete, and why;
// every other table holds user data and is kept (Retain) when the stack is
// deleted or the table would be replaced.
var deletableTables = map[string]string{
	"ephemeral": "only what expires and may be lost (captchas, codes, cooldowns, counters, caches), rebuilt on demand",
}

func TestTablesMatchGo(t *testing.T) {
	tpl := load(t)
	var want []string
	for _, tb := range dynamo.Tables() {
		id := Camel(tb.Name) + "Table"
		want = append(want, id)
		r := tpl.Resources[id]
		wantDel := "Retain"
		if deletableTables[tb.Name] != "" {
			wantDel = "Delete"
		}
		if r.DeletionPolicy != wantDel || r.UpdateReplacePolicy != "Retain" {
			t.Errorf("%s DeletionPolicy %q, UpdateReplacePolicy %q; want %s, Retain", id, r.DeletionPolicy, r.UpdateReplacePolicy, wantDel)
		}
		p := r.Properties
		check := func(key string, want any) {
			t.Helper()
			if got := p[key]; !reflect.DeepEqual(got, want) {
				t.Errorf("%s.%s = %#v, want %#v", id, key, got, want)
			}
		}
		check("TableName", sub("${AWS::StackName}-"+tb.Name))
		check("BillingMode", "PAY_PER_REQUEST")
		schema := []any{map[string]any{"AttributeName": tb.HashKey, "KeyType": "HASH"}}
		defs := []any{map[string]any{"AttributeName": tb.HashKey, "AttributeType": "S"}}
		if tb.SortKey != "" {
			schema = append(schema, map[string]any{"AttributeName": tb.SortKey, "KeyType": "RANGE"})
			defs = append(defs, map[string]any{"AttributeName": tb.SortKey, "AttributeType": "S"})
		}
		check("KeySchema", schema)
		check("AttributeDefinitions", defs)
		check("PointInTimeRecoverySpecification", map[string]any{"PointInTimeRecoveryEnabled": true})
		check("DeletionProtectionEnabled", ref("TableDeletionProtection"))
		// dynamo.Table has no indexes; a GSI in Go needs one here too.
		check("GlobalSecondaryIndexes", nil)
		check("LocalSecondaryIndexes", nil)
		if tb.TTL == "" {
			check("TimeToLiveSpecification", nil)
		} else {
			check("TimeToLiveSpecification", map[string]any{"AttributeName": tb.TTL, "Enabled": true})
		}
	}
	got := tpl.OfType("AWS::DynamoDB::Table")
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("template tables = %v, want those of dynamo.Tables(): %v", got, want)
	}
}

func TestEnvironment(t *testing.T) {
	tpl := load(t)
	known := app.Env()
	for k := range notInLambda {
		if !slices.Contains(known, k) {
			t.Errorf("notInLambda names %s, which app.Env() no longer lists", k)
		}
	}
	want := map[string]any{
		// The table names are the stack's prefix + dynamo Table.Name, as TableName.
		app.EnvTablePrefix:     sub("${AWS::StackName}-"),
		app.EnvConfigParameter: ref("ConfigParameterName"),
		// The namespace the custom-metric alarms read (TestAlarms).
		MetricsNamespaceEnv: ref("AWS::StackName"),
		// The open platform's issuer and signing keys (TestOIDCOutputs).
		oidckeys.EnvIssuer:        map[string]any{"Fn::If": []any{"HasCustomDomain", sub("https://${CustomDomainName}"), map[string]any{"Fn::GetAtt": []any{HTTPAPI, "ApiEndpoint"}}}},
		oidckeys.EnvKeysParameter: ref("OidcKeysParameterName"),
	}
	for _, k := range known {
		if _, ok := want[k]; !ok && notInLambda[k] == "" {
			t.Errorf("app.Env() lists %s: the template must set it, or notInLambda must say why not", k)
		}
	}
	for _, f := range functionDirs(t) {
		id := FunctionID(f)
		if _, ok := tpl.Resources[id]; !ok {
			continue
		}
		vars := mapOf(mapOf(tpl.FunctionProperties(id)["Environment"])["Variables"])
		if !reflect.DeepEqual(vars, want) {
			t.Errorf("%s environment = %v, want %v", id, vars, want)
		}
	}
}

func TestPoliciesMatchAccess(t *testing.T) {
	tpl := load(t)
	tables := map[string]string{} // table resource id -> dynamo Table.Name
	for _, tb := range dynamo.Tables() {
		tables[Camel(tb.Name)+"Table"] = tb.Name
	}
	for _, f := range functionDirs(t) {
		id := FunctionID(f)
		if _, ok := tpl.Resources[id]; !ok {
			continue
		}
		grants, ok := all.Access(f)
		if !ok {
			t.Errorf("shared/families Access has no grants for %q", f)
			continue
		}
		var want []string
		for _, g := range grants {
			_, known := resources[g.Resource]
			if !known && !slices.ContainsFunc(dynamo.Tables(), func(tb dynamo.Table) bool { return tb.Name == g.Resource }) {
				t.Errorf("Access(%q) grants on %q, which is neither a table of dynamo.Tables() nor a known resource", f, g.Resource)
			}
			for _, a := range g.Actions {
				want = append(want, g.Resource+" "+a)
			}
		}
		got := policyGrants(t, id, tpl.FunctionProperties(id)["Policies"], tables)
		sort.Strings(got)
		sort.Strings(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s policy grants\n got %q\nwant %q (shared/families/access.go)", id, got, want)
		}
	}
}

// templateResource is how template.yaml names one of the Resource* kinds of
// shared/families, and the condition its statement must sit under ("" for
// none).
type templateResource struct {
	resource  any
	condition string
}

// resources maps the Resource* kinds of shared/families to template.yaml.
// The optional ones exist only when their parameter is set, so their
// statements sit under the condition that tests it (infra/deploy's
// delivery test checks what each parameter value grants).
var resources = map[string]templateResource{
	families.ResourceConfigParameter:   {sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${ConfigParameterName}"), ""},
	families.ResourceOIDCKeysParameter: {sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${OidcKeysParameterName}"), ""},
	families.ResourceConfigKey:         {ref("ConfigKmsKeyArn"), "HasConfigKey"},

	families.ResourceSESIdentity:         {sub("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SesIdentityName}"), "HasSesIdentity"},
	families.ResourceSESConfigurationSet: {sub("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${SesConfigurationSetName}"), "HasSesConfigurationSet"},

	families.ResourceSMSOriginationIdentity: {ref("SmsOriginationIdentityArn"), "SmsViaEum"},
	families.ResourceSMSConfigurationSet:    {ref("SmsConfigurationSetArn"), "HasSmsConfigurationSet"},
	// The only wildcard resource allowed, and only for sns:Publish (see
	// wildcardActions): an SNS Publish to a phone number has no resource
	// ARN, IAM evaluates it against the number itself, so no narrower
	// Resource can allow it.
	families.ResourceSMSPhoneNumbers: {"*", "SmsViaSns"},
}

// wildcardActions are the only actions a statement with Resource "*" may
// hold: SNS Publish to a phone number (families.ResourceSMSPhoneNumbers).
var wildcardActions = []string{"sns:Publish"}

// policyGrants returns a function's inline policy as "resource action"
// pairs, failing on anything it cannot map back to a grant: managed
// policies and SAM policy templates, wildcards (but the sns:Publish to phone
// numbers), Deny, several resources.
func policyGrants(t *testing.T, id string, policies any, tables map[string]string) []string {
	t.Helper()
	list, ok := policies.([]any)
	if !ok {
		t.Errorf("%s Policies = %v, want a list of inline policy documents", id, policies)
		return nil
	}
	var out []string
	for _, p := range list {
		doc, ok := p.(map[string]any)
		if !ok || doc["Version"] != "2012-10-17" || doc["Statement"] == nil {
			t.Errorf("%s policy %v: want an inline document with Version 2012-10-17 and Statement (no managed policies or SAM policy templates)", id, p)
			continue
		}
		stmts, _ := doc["Statement"].([]any)
		for _, s := range stmts {
			st, conditional := statement(s)
			if st == nil {
				t.Errorf("%s statement %v: want a statement, or !If [condition, statement, !Ref AWS::NoValue]", id, s)
				continue
			}
			res, reason := resourceOf(st["Resource"], tables)
			if reason != "" {
				t.Errorf("%s statement %v: %s", id, st["Sid"], reason)
				continue
			}
			if st["Effect"] != "Allow" || st["NotAction"] != nil || st["NotResource"] != nil {
				t.Errorf("%s statement %v: want Effect Allow with Action and Resource", id, st["Sid"])
			}
			if want := resources[res].condition; conditional != want {
				t.Errorf("%s statement %v: under condition %q, want %q", id, st["Sid"], conditional, want)
			}
			if res == families.ResourceConfigKey {
				// ssm.<region>.amazonaws.com, or .amazonaws.com.cn in China.
				viaSSM := map[string]any{"StringEquals": map[string]any{"kms:ViaService": sub("ssm.${AWS::Region}.${AWS::URLSuffix}")}}
				if !reflect.DeepEqual(st["Condition"], viaSSM) {
					t.Errorf("%s statement %v: the config key grant must have condition %v", id, st["Sid"], viaSSM)
				}
			} else if st["Condition"] != nil {
				t.Errorf("%s statement %v: only the config key grant has a Condition", id, st["Sid"])
			}
			actions := actionsOf(st["Action"])
			if st["Resource"] == "*" && !reflect.DeepEqual(actions, wildcardActions) {
				t.Errorf("%s statement %v: Resource \"*\" with actions %q: only %q may have it", id, st["Sid"], actions, wildcardActions)
			}
			for _, a := range actions {
				if strings.Contains(a, "*") {
					t.Errorf("%s statement %v: wildcard action %q", id, st["Sid"], a)
				}
				out = append(out, res+" "+a)
			}
		}
	}
	return out
}

// statement unwraps an optional !If [cond, statement, !Ref AWS::NoValue].
func statement(s any) (st map[string]any, condition string) {
	m, _ := s.(map[string]any)
	if args, ok := m["Fn::If"].([]any); ok {
		if len(args) != 3 || !reflect.DeepEqual(args[2], ref("AWS::NoValue")) {
			return nil, ""
		}
		cond, _ := args[0].(string)
		inner, _ := args[1].(map[string]any)
		return inner, cond
	}
	if isIntrinsic(m) {
		return nil, ""
	}
	return m, ""
}

// resourceOf maps a statement's Resource to a grant resource, or says why
// it cannot.
func resourceOf(r any, tables map[string]string) (string, string) {
	if m, ok := r.(map[string]any); ok {
		if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) == 2 && ga[1] == "Arn" {
			if name, ok := tables[anyString(ga[0])]; ok {
				return name, ""
			}
		}
	} else if _, ok := r.(string); !ok {
		return "", "resource must be one table or one resource of shared/families, not " + anyString(r)
	}
	for name, tr := range resources {
		if reflect.DeepEqual(r, tr.resource) {
			return name, ""
		}
	}
	return "", "unknown resource " + anyString(r)
}

func actionsOf(a any) []string {
	switch v := a.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			out = append(out, anyString(x))
		}
		return out
	}
	return []string{"<missing>"}
}

func anyString(v any) string { return fmt.Sprint(v) }

func TestNoSecretsInTemplate(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, s := range []string{"tokenSecret", "passwordSecret", "appsecret", "appSecret", "privateKey", "AWS_SECRET_ACCESS_KEY"} {
		if strings.Contains(text, s) {
			t.Errorf("template.yaml mentions %q: secrets belong in the config parameter only", s)
		}
	}
	tpl := load(t)
	for name, p := range tpl.Parameters {
		if d, ok := mapOf(p)["NoEcho"]; ok {
			t.Errorf("parameter %s has NoEcho %v: no secret is passed as a parameter", name, d)
		}
	}
}

// TestBuildTargets runs make as sam build does for each function (the
// Makefile in Metadata.ContextPath, target build-<LogicalId>, in
// Metadata.WorkingDirectory, ARTIFACTS_DIR in the environment), dry, and
// checks the build; and make build's.
func TestBuildTargets(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not found")
	}
	tpl := load(t)
	for _, f := range functionDirs(t) {
		id := FunctionID(f)
		meta := tpl.Resources[id].Metadata
		makefile, err := filepath.Abs(filepath.Join(root, anyString(meta["ContextPath"]), "Makefile"))
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("make", "-s", "-n", "--makefile", makefile, "build-"+id)
		cmd.Dir = filepath.Join(root, anyString(meta["WorkingDirectory"]))
		cmd.Env = append(os.Environ(), "ARTIFACTS_DIR=/artifacts")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("make build-%s: %v\n%s", id, err, out)
			continue
		}
		got := strings.Join(strings.Fields(string(out)), " ")
		for _, want := range []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64", "go build", "-trimpath",
			`-ldflags "-s -w"`, "-tags lambda.norpc", "-o /artifacts/bootstrap ./functions/" + f} {
			if !strings.Contains(got, want) {
				t.Errorf("make build-%s runs %q, missing %q", id, got, want)
			}
		}
	}
	cmd := exec.Command("make", "-s", "-n", "-f", "infra/build.mk", "build")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make build: %v\n%s", err, out)
	}
	for _, f := range functionDirs(t) {
		if !strings.Contains(string(out), "-o bin/lambda/"+f+"/bootstrap ./functions/"+f) {
			t.Errorf("make build does not build functions/%s into bin/lambda/%s/bootstrap:\n%s", f, f, out)
		}
	}
}
