package deploy

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/dynamo"
	"github.com/idco-dev/idco/shared/families"
)

// HTTPAPI is the logical id of the template's HTTP API.
const HTTPAPI = "HttpApi"

var methodName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9]*$`)

// tableIDs maps each table of shared/dynamo to its logical id in the
// template: "users" -> "UsersTable".
func tableIDs() map[string]string {
	out := map[string]string{}
	for _, t := range dynamo.Tables() {
		out[t.Name] = Camel(t.Name) + "Table"
	}
	return out
}

// FunctionID is the template's logical id of a family's function:
// "login-types" -> "LoginTypesFunction".
func FunctionID(family string) string { return Camel(family) + "Function" }

// AliasRef is what a Ref of the family function's published alias names in
// a SAM template ("LoginFunction.Alias"): its ARN, qualified with Alias.
func AliasRef(family string) string { return FunctionID(family) + ".Alias" }

// IntegrationID is the logical id of the HTTP API integration with a
// family's function.
func IntegrationID(family string) string { return Camel(family) + "Integration" }

// PermissionID is the logical id of the permission that lets the HTTP API
// invoke a family's function.
func PermissionID(family string) string { return Camel(family) + "HttpApiPermission" }

// RouteID is the logical id of the route of one method of a cloud object:
// ("uni-id-co", "loginBySms") -> "UniIdCoLoginBySmsRoute".
func RouteID(object, method string) string {
	return Camel(object) + strings.ToUpper(method[:1]) + method[1:] + "Route"
}

// Camel turns a dashed name into an upper camel case one: "send-sms-code" ->
// "SendSmsCode".
func Camel(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// RouteFamilies lists the families in the order of the generated block:
// uni-id-co's by name, then uni-captcha-co's.
func RouteFamilies(families map[string][]string) []string {
	out := make([]string, 0, len(families))
	for f := range families {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		ci, cj := cloudobj.ObjectOf(out[i]) == cloudobj.UniCaptchaCo, cloudobj.ObjectOf(out[j]) == cloudobj.UniCaptchaCo
		if ci != cj {
			return cj
		}
		return out[i] < out[j]
	})
	return out
}

// Routes returns the generated block for families (family -> methods, as
// cloudobj.Families): for each family, an AWS_PROXY integration (payload
// 2.0) with its function's published alias, one permission for the API to
// invoke the alias on its cloud object's paths, and a route "POST
// /<object>/<method>" per method.
// It refuses a method name that is not a plain identifier, and a route
// that two families would serve.
func Routes(families map[string][]string) (string, error) {
	var b strings.Builder
	seen := map[string]string{} // route key -> family
	for i, f := range RouteFamilies(families) {
		obj := cloudobj.ObjectOf(f)
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "  # %s -> %s\n", f, FunctionID(f))
		fmt.Fprintf(&b, "  %s:\n", IntegrationID(f))
		b.WriteString("    Type: AWS::ApiGatewayV2::Integration\n")
		b.WriteString("    Properties:\n")
		fmt.Fprintf(&b, "      ApiId: !Ref %s\n", HTTPAPI)
		b.WriteString("      IntegrationType: AWS_PROXY\n")
		fmt.Fprintf(&b, "      IntegrationUri: !Ref %s\n", AliasRef(f))
		b.WriteString("      PayloadFormatVersion: \"2.0\"\n")
		fmt.Fprintf(&b, "  %s:\n", PermissionID(f))
		b.WriteString("    Type: AWS::Lambda::Permission\n")
		b.WriteString("    Properties:\n")
		b.WriteString("      Action: lambda:InvokeFunction\n")
		fmt.Fprintf(&b, "      FunctionName: !Ref %s\n", AliasRef(f))
		b.WriteString("      Principal: apigateway.amazonaws.com\n")
		fmt.Fprintf(&b, "      SourceArn: !Sub %q\n", PermissionSourceArn(obj))
		if len(families[f]) == 0 {
			return "", fmt.Errorf("family %s has no methods", f)
		}
		width := 0 // the ids' column, so the routes read as a table
		for _, m := range families[f] {
			width = max(width, len(RouteID(obj, m))+1)
		}
		for _, m := range families[f] {
			if !methodName.MatchString(m) {
				return "", fmt.Errorf("family %s: method %q is not a plain identifier", f, m)
			}
			key := RouteKey(obj, m)
			if other, dup := seen[key]; dup {
				return "", fmt.Errorf("route %q: served by both %s and %s", key, other, f)
			}
			seen[key] = f
			fmt.Fprintf(&b, "  %-*s {Type: AWS::ApiGatewayV2::Route, Properties: {ApiId: !Ref %s, RouteKey: %q, Target: !Sub %q}}\n",
				width, RouteID(obj, m)+":", HTTPAPI, key, "integrations/${"+IntegrationID(f)+"}")
		}
	}
	b.WriteString("\n  # Any other method: uni-id's envelope (uni-id-method-not-found), not API Gateway's bare 404.\n")
	for _, obj := range []string{cloudobj.UniIDCo, cloudobj.UniCaptchaCo} {
		f := FallbackFamily(obj)
		if _, ok := families[f]; !ok {
			return "", fmt.Errorf("the fallback family %s of %s has no methods", f, obj)
		}
		fmt.Fprintf(&b, "  %s: {Type: AWS::ApiGatewayV2::Route, Properties: {ApiId: !Ref %s, RouteKey: %q, Target: !Sub %q}}\n",
			Camel(obj)+"OtherRoute", HTTPAPI, FallbackRouteKey(obj), "integrations/${"+IntegrationID(f)+"}")
	}
	return b.String(), nil
}

// FallbackRouteKey is the route of every method of object that no exact
// route names. Exact routes win over it.
func FallbackRouteKey(object string) string { return "POST /" + object + "/{method}" }

// FallbackFamily is the family whose function answers object's fallback
// route: one that reads no table, for uni-id-co (login-types), and
// uni-captcha-co's own.
func FallbackFamily(object string) string {
	if object == cloudobj.UniCaptchaCo {
		return "uni-captcha-co"
	}
	return "login-types"
}

// RouteKey is the HTTP API route of one method of a cloud object.
func RouteKey(object, method string) string { return "POST /" + object + "/" + method }

// PermissionSourceArn is the Fn::Sub string of the execute-api ARN a
// family's permission allows: any stage of this stack's API, POST, the
// family's cloud object's paths.
func PermissionSourceArn(object string) string {
	return "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${" + HTTPAPI + "}/*/POST/" + object + "/*"
}

// CloudObjectFamilies are fams without the web families.
func CloudObjectFamilies(fams []*families.Family) []*families.Family {
	var out []*families.Family
	for _, f := range fams {
		if f.Web == nil {
			out = append(out, f)
		}
	}
	return out
}

// WebRoutes is the routes block's part for the web families (the open
// platform): per family an integration with its function's alias, a
// permission for the API to invoke it on its routes' paths, and each of
// its routes ("GET /oauth2/authorize").
func WebRoutes(fams []*families.Family) (string, error) {
	var b strings.Builder
	seen := map[string]string{}
	for _, f := range sorted(fams) {
		if f.Web == nil {
			continue
		}
		if len(f.Routes) == 0 {
			return "", fmt.Errorf("web family %s has no routes", f.Name)
		}
		fmt.Fprintf(&b, "\n  # %s (plain HTTP) -> %s\n", f.Name, FunctionID(f.Name))
		fmt.Fprintf(&b, "  %s:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties:\n", IntegrationID(f.Name))
		fmt.Fprintf(&b, "      ApiId: !Ref %s\n      IntegrationType: AWS_PROXY\n", HTTPAPI)
		fmt.Fprintf(&b, "      IntegrationUri: !Ref %s\n      PayloadFormatVersion: \"2.0\"\n", AliasRef(f.Name))
		fmt.Fprintf(&b, "  %s:\n    Type: AWS::Lambda::Permission\n    Properties:\n", PermissionID(f.Name))
		fmt.Fprintf(&b, "      Action: lambda:InvokeFunction\n      FunctionName: !Ref %s\n", AliasRef(f.Name))
		b.WriteString("      Principal: apigateway.amazonaws.com\n")
		fmt.Fprintf(&b, "      SourceArn: !Sub %q\n", WebPermissionSourceArn())
		for _, key := range f.Routes {
			if !webRouteKey.MatchString(key) {
				return "", fmt.Errorf("web family %s: route %q is not \"GET|POST /path\"", f.Name, key)
			}
			if other, dup := seen[key]; dup {
				return "", fmt.Errorf("route %q: served by both %s and %s", key, other, f.Name)
			}
			seen[key] = f.Name
			fmt.Fprintf(&b, "  %s: {Type: AWS::ApiGatewayV2::Route, Properties: {ApiId: !Ref %s, RouteKey: %q, Target: !Sub %q}}\n",
				WebRouteID(key), HTTPAPI, key, "integrations/${"+IntegrationID(f.Name)+"}")
		}
	}
	return b.String(), nil
}

var webRouteKey = regexp.MustCompile(`^(GET|POST) (/([a-z0-9._-]+|\{[a-z]+\}))+$`)

// WebRouteID is the logical id of a web route: "GET /oauth2/authorize" ->
// "GetOauth2AuthorizeRoute".
func WebRouteID(key string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(strings.ToLower(key), func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String() + "Route"
}

// WebPermissionSourceArn is the Fn::Sub string of the execute-api ARN a web
// family's permission allows: any stage, method and path of this stack's
// API (only its own routes lead to it).
func WebPermissionSourceArn() string {
	return "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${" + HTTPAPI + "}/*/*/*"
}
