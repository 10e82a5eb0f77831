package deploy

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/idco-dev/idco/infra/deploy/familylist"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families"
)

// GenerateCommand rewrites every generated file and block; tests name it
// when one is stale.
const GenerateCommand = "make generate"

// The generated files, relative to the repository root.
const (
	FamiliesListFile = familylist.File
	NamesFile        = "shared/cloudobj/families_gen.go"
	FamiliesDir      = familylist.Dir
	TemplateFile     = "template.yaml"
)

// The generated blocks of template.yaml, each between the lines
// "# BEGIN GENERATED <name>" and "# END GENERATED <name>" (and those of
// operations.go).
const (
	BlockFunctions = "FUNCTIONS"
	BlockRoutes    = "HTTP API ROUTES"
	BlockOutputs   = "FUNCTION URLS"
)

const generatedHeader = familylist.Header

// sorted returns fams ordered by name.
func sorted(fams []*families.Family) []*families.Family {
	out := slices.Clone(fams)
	slices.SortFunc(out, func(a, b *families.Family) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Names maps each family to its methods, as cloudobj.Families holds them.
func Names(fams []*families.Family) map[string][]string {
	out := map[string][]string{}
	for _, f := range fams {
		out[f.Name] = f.MethodNames()
	}
	return out
}

// NamesSource is shared/cloudobj/families_gen.go: the families' method
// names and cloud objects, with no handler linked.
func NamesSource(fams []*families.Family) ([]byte, error) {
	var b strings.Builder
	b.WriteString(generatedHeader + "package cloudobj\n\n")
	b.WriteString("// Families lists every function family and the methods it serves, so\n")
	b.WriteString("// uni-id-wrong-function names only a function that exists and serves the\n")
	b.WriteString("// method. It holds names only: a function can tell a caller which function\n")
	b.WriteString("// serves a method without linking that function's code.\n")
	b.WriteString("var Families = map[string][]string{\n")
	for _, f := range sorted(fams) {
		fmt.Fprintf(&b, "\t%q: {", f.Name)
		for i, m := range f.MethodNames() {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", m)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n\n// objects names the cloud object of each family that does not serve\n// uni-id-co.\nvar objects = map[string]string{\n")
	for _, f := range sorted(fams) {
		if f.CloudObject() != cloudobj.UniIDCo {
			fmt.Fprintf(&b, "\t%q: %q,\n", f.Name, f.CloudObject())
		}
	}
	b.WriteString("}\n")
	return format.Source([]byte(b.String()))
}

// statementYAML is the policy statement of one grant, at the indentation of
// a Statement list item.
func statementYAML(g families.Grant) (string, error) {
	actions := "[" + strings.Join(g.Actions, ", ") + "]"
	plain := func(sid, resource string) string {
		return fmt.Sprintf("            - Sid: %s\n              Effect: Allow\n              Action: %s\n              Resource: %s\n", sid, actions, resource)
	}
	optional := func(cond, sid, resource, extra string) string {
		return fmt.Sprintf("            - !If\n              - %s\n              - Sid: %s\n                Effect: Allow\n                Action: %s\n                Resource: %s\n%s              - !Ref AWS::NoValue\n",
			cond, sid, actions, resource, extra)
	}
	switch g.Resource {
	case families.ResourceConfigParameter:
		return plain("Config", `!Sub "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${ConfigParameterName}"`), nil
	case families.ResourceOIDCKeysParameter:
		return plain("OidcKeys", `!Sub "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${OidcKeysParameterName}"`), nil
	case families.ResourceConfigKey:
		return optional("HasConfigKey", "ConfigKey", "!Ref ConfigKmsKeyArn",
			"                Condition:\n                  StringEquals:\n                    kms:ViaService: !Sub \"ssm.${AWS::Region}.${AWS::URLSuffix}\"\n"), nil
	case families.ResourceSESIdentity:
		return optional("HasSesIdentity", "SesIdentity", `!Sub "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SesIdentityName}"`, ""), nil
	case families.ResourceSESConfigurationSet:
		return optional("HasSesConfigurationSet", "SesConfigurationSet", `!Sub "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${SesConfigurationSetName}"`, ""), nil
	case families.ResourceSMSOriginationIdentity:
		return optional("SmsViaEum", "SmsOriginationIdentity", "!Ref SmsOriginationIdentityArn", ""), nil
	case families.ResourceSMSConfigurationSet:
		return optional("HasSmsConfigurationSet", "SmsConfigurationSet", "!Ref SmsConfigurationSetArn", ""), nil
	case families.ResourceSMSPhoneNumbers:
		return optional("SmsViaSns", "SmsPhoneNumbers", `"*"`, ""), nil
	}
	if tableID, ok := tableIDs()[g.Resource]; ok {
		return plain(Camel(g.Resource), "!GetAtt "+tableID+".Arn"), nil
	}
	return "", fmt.Errorf("grant on %q: neither a table nor a resource of shared/families", g.Resource)
}

// Functions is template.yaml's generated functions block: per family its
// function (named "<stack>-<family>", its own source folder for sam build,
// memory, reserved concurrency when it hashes, log group, inline policy of
// exactly its grants, one statement per grant; optional resources under
// the condition their parameter sets), its log group, its function URL
// (outside the China regions) and its alarms.
func Functions(fams []*families.Family) (string, error) {
	var b strings.Builder
	b.WriteString("  # Each policy statement is one grant of shared/families; the grants'\n")
	b.WriteString("  # resources and the documents that define their actions are described\n")
	b.WriteString("  # in shared/families/access.go.\n")
	for i, f := range sorted(fams) {
		if i > 0 {
			b.WriteString("\n")
		}
		id := FunctionID(f.Name)
		desc := "idco " + f.Name + ": " + strings.Join(f.MethodNames(), ", ")
		if len(desc) > 256 { // Lambda's limit
			desc = desc[:252] + "..."
		}
		fmt.Fprintf(&b, "  %s:\n    Type: AWS::Serverless::Function\n    Metadata:\n", id)
		b.WriteString("      BuildMethod: makefile\n      ContextPath: .\n      WorkingDirectory: .\n    Properties:\n")
		fmt.Fprintf(&b, "      FunctionName: !Sub \"${AWS::StackName}-%s\"\n      Description: %q\n", f.Name, desc)
		fmt.Fprintf(&b, "      CodeUri: %s\n", CodeURI(f.Name))
		if f.Timeout != 0 {
			fmt.Fprintf(&b, "      Timeout: %d # families.Family.Timeout\n", f.Timeout)
		}
		if f.Argon2 {
			fmt.Fprintf(&b, "      MemorySize: %d # argon2id (families.ArgonMemoryMB)\n", families.ArgonMemoryMB)
			fmt.Fprintf(&b, "      ReservedConcurrentExecutions: !If [%s, !Ref %s, !Ref AWS::NoValue]\n",
				ReservedConcurrencyCondition(f.Name), ReservedConcurrencyParam(f.Name))
		}
		fmt.Fprintf(&b, "      LoggingConfig:\n        LogGroup: !Ref %s\n", LogGroupID(f.Name))
		b.WriteString("      Policies:\n        - Version: \"2012-10-17\"\n          Statement:\n")
		for _, g := range f.Access() {
			st, err := statementYAML(g)
			if err != nil {
				return "", fmt.Errorf("family %s: %w", f.Name, err)
			}
			b.WriteString(st)
		}
		fmt.Fprintf(&b, "  %s:\n    Type: AWS::Logs::LogGroup\n    DeletionPolicy: Delete\n    UpdateReplacePolicy: Delete\n    Properties:\n", LogGroupID(f.Name))
		fmt.Fprintf(&b, "      LogGroupName: !Sub \"/aws/lambda/${AWS::StackName}-%s\"\n      RetentionInDays: !Ref LogRetentionDays\n", f.Name)
		b.WriteString(functionURL(f))
		b.WriteString(functionAlarms(f))
	}
	return b.String(), nil
}

// CodeURI is a family's CodeUri: its functions/<family> folder, the only
// thing sam build copies for it. The template's Metadata points sam build's
// make at the repository root (ContextPath for the Makefile,
// WorkingDirectory to run it in), where the whole module is; see
// infra/build.mk.
func CodeURI(family string) string { return "functions/" + family }

// LogGroupID is the logical id of a family's log group.
func LogGroupID(family string) string { return Camel(family) + "LogGroup" }

// RenderTemplate returns template with every generated block rewritten from fams.
func RenderTemplate(template []byte, fams []*families.Family) ([]byte, error) {
	fns, err := Functions(fams)
	if err != nil {
		return nil, err
	}
	routes, err := Routes(Names(CloudObjectFamilies(fams)))
	if err != nil {
		return nil, err
	}
	web, err := WebRoutes(fams)
	if err != nil {
		return nil, err
	}
	out := template
	for _, blk := range []struct{ name, body string }{
		{BlockConcurrencyParameters, ConcurrencyParameters(fams)},
		{BlockConcurrencyConditions, ConcurrencyConditions(fams)},
		{BlockFunctions, fns}, {BlockRoutes, routes + web}, {BlockOutputs, Outputs(fams)},
	} {
		if out, err = ReplaceBlock(out, blk.name, blk.body); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Generated returns every generated file (path relative to the root -> the
// content it must have) for the families declared in root's
// shared/families and the template at root: all_gen.go from the
// declarations found there (familylist); the names file and the template
// from fams, which is all.Families() of the running binary, so they are
// right only once all_gen.go is (make generate writes it first).
func Generated(root string, fams []*families.Family) (map[string][]byte, error) {
	list, err := familylist.Source(filepath.Join(root, FamiliesDir))
	if err != nil {
		return nil, err
	}
	names, err := NamesSource(fams)
	if err != nil {
		return nil, err
	}
	tpl, err := os.ReadFile(filepath.Join(root, TemplateFile))
	if err != nil {
		return nil, err
	}
	tpl, err = RenderTemplate(tpl, fams)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{FamiliesListFile: list, NamesFile: names, TemplateFile: tpl}, nil
}

// ReplaceBlock returns template with the text between the marker lines of
// the generated block name replaced by body.
func ReplaceBlock(template []byte, name, body string) ([]byte, error) {
	head, _, tail, err := splitBlock(template, name)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(head)+len(body)+len(tail))
	return append(append(append(out, head...), body...), tail...), nil
}

// Block returns the text between the marker lines of block name.
func Block(template []byte, name string) (string, error) {
	_, body, _, err := splitBlock(template, name)
	return string(body), err
}

// splitBlock cuts template into the text up to and including the begin
// marker's line, the block, and the end marker's line onwards.
func splitBlock(template []byte, name string) (head, body, tail []byte, err error) {
	beginLine, endLine := "# BEGIN GENERATED "+name, "# END GENERATED "+name
	begin, end := -1, -1
	off := 0
	for _, line := range bytes.SplitAfter(template, []byte("\n")) {
		switch strings.TrimSpace(string(line)) {
		case beginLine:
			if begin >= 0 {
				return nil, nil, nil, fmt.Errorf("template: %q twice", beginLine)
			}
			begin = off + len(line)
		case endLine:
			if end >= 0 {
				return nil, nil, nil, fmt.Errorf("template: %q twice", endLine)
			}
			end = off
		}
		off += len(line)
	}
	if begin < 0 || end < 0 || end < begin {
		return nil, nil, nil, fmt.Errorf("template: want a line %q, then a line %q", beginLine, endLine)
	}
	return template[:begin], template[begin:end], template[end:], nil
}
