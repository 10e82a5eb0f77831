package deploy

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families/all"
)

// TestGenerated keeps every generated file equal to what make generate
// writes from the family declarations: all_gen.go, cloudobj's names and
// template.yaml's blocks.
func TestGenerated(t *testing.T) {
	files, err := Generated(root, all.Families())
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range files {
		t.Run(path, func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join(root, path))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("%s differs from shared/families: run %s\n%s", path, GenerateCommand, firstDiff(string(got), string(want)))
			}
		})
	}
}

// firstDiff shows the first line where the template's block and the
// generated one part.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "first difference in the block's line " + strconv.Itoa(i+1) + ":\n template: " + gl + "\ngenerated: " + wl
		}
	}
	return ""
}

// TestHTTPAPIRoutes reads the template as CloudFormation does: one HTTP API
// with a $default stage that deploys itself, a route "POST
// /<object>/<method>" for every method of cloudobj.Families and no other,
// each to its family's integration, and per family one AWS_PROXY payload
// 2.0 integration with the family's function and one permission, scoped to
// this API, for API Gateway to invoke it.
func TestHTTPAPIRoutes(t *testing.T) {
	tpl := load(t)
	if got := tpl.OfType("AWS::ApiGatewayV2::Api"); !reflect.DeepEqual(got, []string{HTTPAPI}) {
		t.Fatalf("AWS::ApiGatewayV2::Api resources = %v, want [%s]", got, HTTPAPI)
	}
	api := tpl.Resources[HTTPAPI]
	if api.Properties["ProtocolType"] != "HTTP" || api.Condition != "" {
		t.Errorf("%s: ProtocolType %v, condition %q; want HTTP, unconditional", HTTPAPI, api.Properties["ProtocolType"], api.Condition)
	}
	for _, k := range []string{"Body", "BodyS3Location", "Target", "RouteKey", "CredentialsArn"} {
		if _, ok := api.Properties[k]; ok {
			t.Errorf("%s sets %s: its routes are the template's Route resources", HTTPAPI, k)
		}
	}
	stages := tpl.OfType("AWS::ApiGatewayV2::Stage")
	if len(stages) != 1 {
		t.Fatalf("stages = %v, want one", stages)
	}
	st := tpl.Resources[stages[0]].Properties
	if !reflect.DeepEqual(st["ApiId"], ref(HTTPAPI)) || st["StageName"] != "$default" || st["AutoDeploy"] != true {
		t.Errorf("stage %s = %v, want ApiId !Ref %s, StageName $default, AutoDeploy true", stages[0], st, HTTPAPI)
	}
	// The one URL is open to anyone: API Gateway sheds a flood before it
	// costs Lambda runs and DynamoDB calls.
	if rs := mapOf(st["DefaultRouteSettings"]); !reflect.DeepEqual(rs["ThrottlingRateLimit"], ref("ApiThrottleRate")) ||
		!reflect.DeepEqual(rs["ThrottlingBurstLimit"], ref("ApiThrottleBurst")) {
		t.Errorf("stage %s DefaultRouteSettings = %v, want throttling by ApiThrottleRate and ApiThrottleBurst", stages[0], rs)
	}
	if mapOf(st["AccessLogSettings"])["DestinationArn"] == nil {
		t.Errorf("stage %s has no access log", stages[0])
	}

	wantRoutes := map[string]string{} // route key -> integration id
	for f, methods := range cloudobj.Families {
		for _, m := range methods {
			wantRoutes[RouteKey(cloudobj.ObjectOf(f), m)] = IntegrationID(f)
		}
	}
	// Any other method of an object reaches a function that answers uni-id's
	// envelope, on a path its permission covers.
	for _, obj := range []string{cloudobj.UniIDCo, cloudobj.UniCaptchaCo} {
		f := FallbackFamily(obj)
		if cloudobj.ObjectOf(f) != obj {
			t.Errorf("the fallback of %s is %s, whose permission covers only %s's paths", obj, f, cloudobj.ObjectOf(f))
		}
		wantRoutes[FallbackRouteKey(obj)] = IntegrationID(f)
	}
	// The web families' routes (the open platform) reach their function.
	for _, f := range all.Families() {
		for _, key := range f.Routes {
			wantRoutes[key] = IntegrationID(f.Name)
		}
	}
	gotRoutes := map[string]string{}
	for _, id := range tpl.OfType("AWS::ApiGatewayV2::Route") {
		r := tpl.Resources[id]
		p := r.Properties
		key, _ := p["RouteKey"].(string)
		if !reflect.DeepEqual(p["ApiId"], ref(HTTPAPI)) || r.Condition != "" {
			t.Errorf("route %s: ApiId %v, condition %q; want !Ref %s, unconditional", id, p["ApiId"], r.Condition, HTTPAPI)
		}
		target, _ := mapOf(p["Target"])["Fn::Sub"].(string)
		integ, ok := strings.CutPrefix(target, "integrations/${")
		integ, ok2 := strings.CutSuffix(integ, "}")
		if !ok || !ok2 {
			t.Errorf("route %s: Target %v, want !Sub integrations/${<Family>Integration}", id, p["Target"])
		}
		if _, dup := gotRoutes[key]; dup {
			t.Errorf("route %q twice", key)
		}
		gotRoutes[key] = integ
		for _, k := range []string{"AuthorizationType", "AuthorizerId", "ApiKeyRequired"} {
			if _, ok := p[k]; ok {
				t.Errorf("route %s sets %s: idco checks tokens itself, as behind the function URLs", id, k)
			}
		}
	}
	for key, integ := range wantRoutes {
		if got, ok := gotRoutes[key]; !ok {
			t.Errorf("no route %q (cloudobj.Families): run %s", key, GenerateCommand)
		} else if got != integ {
			t.Errorf("route %q goes to %s, want %s: run %s", key, got, integ, GenerateCommand)
		}
	}
	for key := range gotRoutes {
		if _, ok := wantRoutes[key]; !ok {
			t.Errorf("route %q serves no method of cloudobj.Families: run %s", key, GenerateCommand)
		}
	}

	var wantIntegrations, wantPermissions []string
	for f := range cloudobj.Families {
		wantIntegrations = append(wantIntegrations, IntegrationID(f))
		wantPermissions = append(wantPermissions, PermissionID(f), URLPermissionID(f), URLInvokeID(f))
		fn := FunctionID(f)
		if tpl.Resources[fn].Type != "AWS::Serverless::Function" {
			t.Errorf("family %s: no function %s for the HTTP API to call", f, fn)
		}
		integ := tpl.Resources[IntegrationID(f)].Properties
		want := map[string]any{
			"ApiId":                ref(HTTPAPI),
			"IntegrationType":      "AWS_PROXY",
			"IntegrationUri":       ref(AliasRef(f)),
			"PayloadFormatVersion": "2.0",
		}
		if !reflect.DeepEqual(integ, want) {
			t.Errorf("%s = %v, want %v", IntegrationID(f), integ, want)
		}
		perm := tpl.Resources[PermissionID(f)].Properties
		want = map[string]any{
			"Action":       "lambda:InvokeFunction",
			"FunctionName": ref(AliasRef(f)),
			"Principal":    "apigateway.amazonaws.com",
			"SourceArn":    sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/POST/" + cloudobj.ObjectOf(f) + "/*"),
		}
		if all.ByName()[f].Web != nil { // its own routes only lead to it
			want["SourceArn"] = sub(WebPermissionSourceArn())
		}
		if !reflect.DeepEqual(perm, want) {
			t.Errorf("%s = %v, want %v: API Gateway may invoke %s only through this API's POST routes of %s",
				PermissionID(f), perm, want, fn, cloudobj.ObjectOf(f))
		}
	}
	// The one other permission: the account function as an authorizer of
	// the account's other APIs, only as an authorizer, only when enabled.
	authz, ok := tpl.Resources["TokenAuthorizerPermission"]
	wantAuthz := map[string]any{"Action": "lambda:InvokeFunction", "FunctionName": ref(AliasRef("account")),
		"Principal": "apigateway.amazonaws.com", "SourceArn": sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:*/authorizers/*")}
	if !ok || authz.Condition != "HasTokenAuthorizer" || !reflect.DeepEqual(authz.Properties, wantAuthz) {
		t.Errorf("TokenAuthorizerPermission = %+v, want %v under HasTokenAuthorizer", authz, wantAuthz)
	}
	wantPermissions = append(wantPermissions, "TokenAuthorizerPermission")
	for _, c := range []struct {
		typ  string
		want []string
	}{{"AWS::ApiGatewayV2::Integration", wantIntegrations}, {"AWS::Lambda::Permission", wantPermissions}} {
		got := tpl.OfType(c.typ)
		sort.Strings(got)
		sort.Strings(c.want)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s resources = %v, want one per family: %v", c.typ, got, c.want)
		}
	}

	out := mapOf(tpl.Outputs["ApiUrl"])
	if !reflect.DeepEqual(out["Value"], map[string]any{"Fn::GetAtt": []any{HTTPAPI, "ApiEndpoint"}}) || out["Condition"] != nil {
		t.Errorf("output ApiUrl = %v, want the API's endpoint, unconditional", out)
	}
}

// TestHTTPAPICorsMatchesFunctionURLs keeps the fronts' CORS the same.
func TestHTTPAPICorsMatchesFunctionURLs(t *testing.T) {
	tpl := load(t)
	api := tpl.Resources[HTTPAPI].Properties["CorsConfiguration"]
	want := map[string]any{
		"AllowOrigins": ref("CorsAllowedOrigins"),
		"AllowMethods": []any{"GET", "POST"}, // GET: the open platform's userinfo, JWKS and discovery
		"AllowHeaders": []any{"content-type", "authorization", "uni-id-token"},
		"MaxAge":       600,
	}
	if !reflect.DeepEqual(api, want) {
		t.Errorf("%s CorsConfiguration = %v, want %v", HTTPAPI, api, want)
	}
	for _, f := range functionDirs(t) {
		if cors := tpl.Resources[URLID(f)].Properties["Cors"]; !reflect.DeepEqual(cors, api) {
			t.Errorf("%s Cors = %v, HTTP API's = %v: want the same", URLID(f), cors, api)
		}
	}
}

const testCert = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

// TestCustomDomain: the domain and its mapping exist only with both the
// domain and its certificate, a domain without a certificate is refused,
// and the outputs give its URL and DNS target.
func TestCustomDomain(t *testing.T) {
	tpl := load(t)
	for _, p := range []string{"CustomDomainName", "CustomDomainCertificateArn"} {
		if d := mapOf(tpl.Parameters[p])["Default"]; d != "" {
			t.Errorf("parameter %s Default = %#v, want \"\": no custom domain unless asked", p, d)
		}
	}
	desc := anyString(mapOf(tpl.Parameters["CustomDomainName"])["Description"])
	for _, s := range []string{"WeChat", "*.on.aws", "execute-api", "CNAME", "CustomDomainTarget"} {
		if !strings.Contains(desc, s) {
			t.Errorf("CustomDomainName's description does not mention %q", s)
		}
	}

	ev := evaluator{tpl: tpl}
	for _, tc := range []struct {
		param, value string
		ok           bool
	}{
		{"CustomDomainName", "", true},
		{"CustomDomainName", "id.example.com", true},
		{"CustomDomainName", "api.id-co.example.co.uk", true},
		{"CustomDomainName", "*.example.com", false},
		{"CustomDomainName", "https://id.example.com", false},
		{"CustomDomainName", "id.example.com/v1", false},
		{"CustomDomainName", "localhost", false},
		{"CustomDomainCertificateArn", testCert, true},
		{"CustomDomainCertificateArn", "arn:aws-cn:acm:cn-north-1:123456789012:certificate/0f1e2d3c", true},
		{"CustomDomainCertificateArn", "arn:aws:iam::123456789012:server-certificate/x", false},
		{"CustomDomainCertificateArn", "*", false},
	} {
		if err := ev.allowed(tc.param, tc.value); (err == nil) != tc.ok {
			t.Errorf("%s = %q: allowed error %v, want ok %v", tc.param, tc.value, err, tc.ok)
		}
	}

	for _, tc := range []struct {
		name    string
		params  map[string]string
		domain  bool
		refused []string
	}{
		{name: "defaults"},
		{name: "domain and certificate", params: map[string]string{"CustomDomainName": "id.example.com", "CustomDomainCertificateArn": testCert}, domain: true},
		{name: "domain alone", params: map[string]string{"CustomDomainName": "id.example.com"}, refused: []string{"CustomDomainNeedsCertificate"}},
		{name: "certificate alone", params: map[string]string{"CustomDomainCertificateArn": testCert}},
	} {
		ev := evaluator{tpl: tpl, params: tc.params}
		if got := ev.refusedBy(t); !reflect.DeepEqual(got, tc.refused) {
			t.Errorf("%s: rules refusing = %v, want %v", tc.name, got, tc.refused)
		}
		if tc.refused == nil {
			if got := ev.cond(t, map[string]any{"Condition": "HasCustomDomain"}); got != tc.domain {
				t.Errorf("%s: HasCustomDomain = %v, want %v", tc.name, got, tc.domain)
			}
		}
	}

	domains, mappings := tpl.OfType("AWS::ApiGatewayV2::DomainName"), tpl.OfType("AWS::ApiGatewayV2::ApiMapping")
	if len(domains) != 1 || len(mappings) != 1 {
		t.Fatalf("domain names %v, API mappings %v: want one of each", domains, mappings)
	}
	dn, am := tpl.Resources[domains[0]], tpl.Resources[mappings[0]]
	if dn.Condition != "HasCustomDomain" || am.Condition != "HasCustomDomain" {
		t.Errorf("%s and %s conditions %q, %q: want HasCustomDomain", domains[0], mappings[0], dn.Condition, am.Condition)
	}
	wantDN := map[string]any{
		"DomainName": ref("CustomDomainName"),
		"DomainNameConfigurations": []any{map[string]any{
			"CertificateArn": ref("CustomDomainCertificateArn"), "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2",
		}},
	}
	if !reflect.DeepEqual(dn.Properties, wantDN) {
		t.Errorf("%s = %v, want %v", domains[0], dn.Properties, wantDN)
	}
	// No ApiMappingKey: the API sits at the domain's root, so the one base
	// URL is https://<domain>, as with the execute-api endpoint.
	wantAM := map[string]any{"ApiId": ref(HTTPAPI), "DomainName": ref(domains[0]), "Stage": ref(tpl.OfType("AWS::ApiGatewayV2::Stage")[0])}
	if !reflect.DeepEqual(am.Properties, wantAM) {
		t.Errorf("%s = %v, want %v", mappings[0], am.Properties, wantAM)
	}

	for name, want := range map[string]any{
		"CustomDomainUrl":    sub("https://${" + domains[0] + "}"),
		"CustomDomainTarget": map[string]any{"Fn::GetAtt": []any{domains[0], "RegionalDomainName"}},
	} {
		out := mapOf(tpl.Outputs[name])
		if !reflect.DeepEqual(out["Value"], want) || out["Condition"] != "HasCustomDomain" {
			t.Errorf("output %s = %v, want Value %v under condition HasCustomDomain", name, out, want)
		}
	}
}

// TestRoutesGenerator checks what the generator refuses and that it leaves
// everything outside its markers alone.
func TestRoutesGenerator(t *testing.T) {
	fallbacks := map[string][]string{"login-types": {"getSupportedLoginType"}, "uni-captcha-co": {"getImageCaptcha"}}
	if _, err := Routes(map[string][]string{"login": {"login"}, "account": {"login"}, "login-types": {"x"}, "uni-captcha-co": {"y"}}); err == nil {
		t.Error("two families serving POST /uni-id-co/login: no error")
	}
	if _, err := Routes(map[string][]string{"login": {"log/in"}, "login-types": {"x"}, "uni-captcha-co": {"y"}}); err == nil {
		t.Error("method log/in: no error")
	}
	if _, err := Routes(map[string][]string{"login": {}, "login-types": {"x"}, "uni-captcha-co": {"y"}}); err == nil {
		t.Error("family without methods: no error")
	}
	if _, err := Routes(map[string][]string{"login": {"login"}}); err == nil {
		t.Error("no fallback families: no error")
	}
	block, err := Routes(map[string][]string{"uni-captcha-co": {"getImageCaptcha"}, "login": {"login"}, "login-types": fallbacks["login-types"]})
	if err != nil {
		t.Fatal(err)
	}
	if i, j := strings.Index(block, "POST /uni-id-co/login"), strings.Index(block, "POST /uni-captcha-co/getImageCaptcha"); i < 0 || j < i {
		t.Errorf("block orders uni-id-co's routes before uni-captcha-co's:\n%s", block)
	}
	begin, end := "# BEGIN GENERATED "+BlockRoutes, "# END GENERATED "+BlockRoutes
	tpl := "a: 1\n  " + begin + "\n  old: x\n  " + end + "\nb: 2\n"
	out, err := ReplaceBlock([]byte(tpl), BlockRoutes, "  new: y\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "a: 1\n  " + begin + "\n  new: y\n  " + end + "\nb: 2\n"; string(out) != want {
		t.Errorf("ReplaceBlock = %q, want %q", out, want)
	}
	for _, bad := range []string{"a: 1\n", end + "\n" + begin + "\n", begin + "\n" + begin + "\n" + end + "\n"} {
		if _, err := ReplaceBlock([]byte(bad), BlockRoutes, ""); err == nil {
			t.Errorf("ReplaceBlock(%q): no error", bad)
		}
	}
}
