package deploy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestChinaRegions evaluates the template's conditions per region, as
// CloudFormation does: in the China regions (partition aws-cn) there are
// no function URLs, so every URL, every permission that serves one and
// every output that reads one sits under HasFunctionUrls, which is false
// there and true elsewhere; the HTTP API, the one front there, is
// unconditional.
func TestChinaRegions(t *testing.T) {
	tpl := load(t)
	for _, tc := range []struct {
		region string
		urls   bool
	}{{"us-east-1", true}, {"eu-west-1", true}, {"ap-east-1", true}, {ChinaRegions[0], false}, {ChinaRegions[1], false}} {
		ev := evaluator{tpl: tpl, params: map[string]string{"AWS::Region": tc.region}}
		if got := ev.cond(t, map[string]any{"Condition": FunctionURLCondition}); got != tc.urls {
			t.Errorf("%s: %s = %v, want %v", tc.region, FunctionURLCondition, got, tc.urls)
		}
		if got := ev.cond(t, map[string]any{"Condition": ChinaCondition}); got == tc.urls {
			t.Errorf("%s: %s = %v, want %v", tc.region, ChinaCondition, got, !tc.urls)
		}
	}
	// cfn-lint evaluates AWS::Region per linted region but not
	// AWS::Partition: InChina must hold by the region's name alone.
	for _, r := range ChinaRegions {
		ev := evaluator{tpl: tpl, params: map[string]string{"AWS::Region": r, "AWS::Partition": "unknown to cfn-lint"}}
		if !ev.cond(t, map[string]any{"Condition": ChinaCondition}) {
			t.Errorf("%s does not name region %s: cfn-lint would see function URLs there", ChinaCondition, r)
		}
	}
	// A future China region is China by its partition.
	ev := evaluator{tpl: tpl, params: map[string]string{"AWS::Region": "cn-south-9", "AWS::Partition": "aws-cn"}}
	if ev.cond(t, map[string]any{"Condition": FunctionURLCondition}) {
		t.Errorf("partition aws-cn: %s holds", FunctionURLCondition)
	}

	if _, ok := mapOf(tpl.Globals["Function"])["FunctionUrlConfig"]; ok {
		t.Error("Globals.Function sets FunctionUrlConfig: SAM would make a URL per function in every region, China's included")
	}
	var urls []string
	for id, r := range tpl.Resources {
		servesURL := r.Type == "AWS::Lambda::Url" || r.Type == "AWS::Serverless::Function" && r.Properties["FunctionUrlConfig"] != nil ||
			r.Properties["FunctionUrlAuthType"] != nil || r.Properties["InvokedViaFunctionUrl"] != nil
		if servesURL && r.Condition != FunctionURLCondition {
			t.Errorf("%s (%s) serves a function URL outside condition %s", id, r.Type, FunctionURLCondition)
		}
		if r.Type == "AWS::Lambda::Url" {
			urls = append(urls, id)
		}
		front := strings.HasPrefix(r.Type, "AWS::ApiGatewayV2::") && r.Type != "AWS::ApiGatewayV2::DomainName" &&
			r.Type != "AWS::ApiGatewayV2::ApiMapping" || strings.HasSuffix(id, "HttpApiPermission")
		if front && r.Condition != "" {
			t.Errorf("%s (%s) is under condition %s: the HTTP API is the only front in China", id, r.Type, r.Condition)
		}
	}
	var want []string
	for _, f := range functionDirs(t) {
		want = append(want, URLID(f))
	}
	sort.Strings(urls)
	sort.Strings(want)
	if !slices.Equal(urls, want) {
		t.Errorf("function URLs = %v, want one per function: %v", urls, want)
	}
	for name, o := range tpl.Outputs {
		if strings.Contains(fmt.Sprint(o), "FunctionUrl") && mapOf(o)["Condition"] != FunctionURLCondition {
			t.Errorf("output %s reads a function URL outside condition %s", name, FunctionURLCondition)
		}
	}
}

// TestNoGlobalPartition: nothing in the template assumes the global
// partition. ARNs are built with ${AWS::Partition} (arn:aws-cn: in China),
// hosts with ${AWS::URLSuffix} (amazonaws.com.cn in China); only service
// principals, which keep their name in every partition, and prose may say
// amazonaws.com.
func TestNoGlobalPartition(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, TemplateFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "arn:aws:") {
		t.Error(`template.yaml has a literal "arn:aws:": build ARNs with arn:${AWS::Partition}:`)
	}
	tpl := load(t)
	var walk func(path, key string, v any)
	walk = func(path, key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				walk(path+"."+k, k, y)
			}
		case []any:
			for i, y := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), key, y)
			}
		case string:
			prose := key == "Description" || key == "AssertDescription"
			if strings.Contains(x, "amazonaws.com") && key != "Principal" && !prose {
				t.Errorf("%s = %q: a host in amazonaws.com (use ${AWS::URLSuffix})", path, x)
			}
		}
	}
	for name, section := range map[string]any{"Parameters": tpl.Parameters, "Conditions": tpl.Conditions, "Rules": tpl.Rules,
		"Globals": tpl.Globals, "Outputs": tpl.Outputs} {
		walk(name, "", section)
	}
	for id, r := range tpl.Resources {
		walk("Resources."+id, "", r.Properties)
	}
}

// TestCfnLint lints the template as CloudFormation would see it in a
// global region and in both China regions: cfn-lint runs SAM's transform
// offline and knows each region's resource types (Lambda::Url is absent
// from China's). Without cfn-lint on PATH (a Python tool: CI images
// without it), TestChinaRegions and TestNoGlobalPartition still hold the
// template to what the China regions need.
func TestCfnLint(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint not on PATH: TestChinaRegions and TestNoGlobalPartition check the template without it")
	}
	regions := append([]string{"us-east-1"}, ChinaRegions...)
	args := append(append([]string{"--regions"}, regions...), "--", TemplateFile)
	cmd := exec.Command(lint, args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("cfn-lint %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}
