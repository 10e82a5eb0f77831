package deploy

import (
	"fmt"
	"strings"

	"github.com/idco-dev/idco/shared/families"
)

// FunctionURLCondition is the condition the function URLs, their
// permissions and their outputs sit under: false in the China regions,
// where Lambda has no function URLs and the HTTP API is the only front.
const FunctionURLCondition = "HasFunctionUrls"

// ChinaCondition is the condition that the stack is in the China
// partition (aws-cn: cn-north-1 Beijing, cn-northwest-1 Ningxia).
const ChinaCondition = "InChina"

// ChinaRegions are the regions of the aws-cn partition. The template's
// InChina condition names them besides the partition so that cfn-lint,
// which evaluates AWS::Region per linted region but not AWS::Partition,
// sees that no function URL is made there.
var ChinaRegions = []string{"cn-north-1", "cn-northwest-1"}

// The logical ids of a family's function URL and its two permissions:
// those SAM gives the resources of a FunctionUrlConfig, so that a stack
// deployed when the template used FunctionUrlConfig updates them in place
// (same ids, same properties) instead of replacing the URLs.
func URLID(family string) string           { return FunctionID(family) + "Url" }
func URLPermissionID(family string) string { return FunctionID(family) + "UrlPublicPermissions" }
func URLInvokeID(family string) string     { return FunctionID(family) + "URLInvokeAllowPublicAccess" }

// urlCors is every function URL's CORS, the HTTP API's too (a test keeps
// the two equal): the origins of CorsAllowedOrigins may POST with idco's
// headers; tokens travel in headers, so no credentials.
const urlCors = `      Cors:
        AllowOrigins: !Ref CorsAllowedOrigins
        AllowMethods: [GET, POST]
        AllowHeaders: [content-type, authorization, uni-id-token]
        MaxAge: 600
`

// functionURL is a family's public function URL on its alias, outside the
// China regions: the URL (AuthType NONE: idco checks tokens, access rules,
// captchas and limits itself, as uniCloud's cloud objects are public), the
// permission anyone has to call it, and the lambda:InvokeFunction that a
// function URL also needs, limited to calls through the URL
// (InvokedViaFunctionUrl). SAM's FunctionUrlConfig makes the same three,
// but cannot put them under a condition.
func functionURL(f *families.Family) string {
	alias := "!Ref " + AliasRef(f.Name)
	var b strings.Builder
	fmt.Fprintf(&b, "  %s:\n    Type: AWS::Lambda::Url\n    Condition: %s\n    Properties:\n", URLID(f.Name), FunctionURLCondition)
	fmt.Fprintf(&b, "      TargetFunctionArn: %s\n      AuthType: NONE\n%s", alias, urlCors)
	fmt.Fprintf(&b, "  %s:\n    Type: AWS::Lambda::Permission\n    Condition: %s\n    Properties:\n", URLPermissionID(f.Name), FunctionURLCondition)
	fmt.Fprintf(&b, "      Action: lambda:InvokeFunctionUrl\n      FunctionName: %s\n      Principal: \"*\"\n      FunctionUrlAuthType: NONE\n", alias)
	fmt.Fprintf(&b, "  %s:\n    Type: AWS::Lambda::Permission\n    Condition: %s\n    Properties:\n", URLInvokeID(f.Name), FunctionURLCondition)
	fmt.Fprintf(&b, "      Action: lambda:InvokeFunction\n      FunctionName: %s\n      Principal: \"*\"\n      InvokedViaFunctionUrl: true\n", alias)
	return b.String()
}

// Outputs is template.yaml's generated outputs block: each function's URL,
// where there are function URLs.
func Outputs(fams []*families.Family) string {
	var b strings.Builder
	for _, f := range sorted(fams) {
		fmt.Fprintf(&b, "  %sUrl:\n    Condition: %s\n    Description: %q\n    Value: !GetAtt %s.FunctionUrl\n",
			Camel(f.Name), FunctionURLCondition, f.Name+" function URL ("+strings.Join(f.MethodNames(), ", ")+")", URLID(f.Name))
	}
	return b.String()
}
