package deploy

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/idco-dev/idco/shared/families/all"
)

// alarm is what an alarm watches and when it fires; every alarm also
// looks at one 5-minute period, treats no data as no alarm and notifies
// AlarmTopicArn when it is set (TestAlarms).
type alarm struct {
	namespace  any
	metric     string
	dimensions any // nil for none
	statistic  string
	threshold  any
}

// wantAlarms is every alarm the template must have: per function its
// errors and throttles, then the deployment's.
func wantAlarms(t *testing.T) map[string]alarm {
	t.Helper()
	out := map[string]alarm{
		"HttpApi5xxAlarm": {"AWS/ApiGateway", "5xx", []any{map[string]any{"Name": "ApiId", "Value": ref(HTTPAPI)}}, "Sum", 5},
		// idco's own metrics (shared/account's Embedded Metric Format
		// lines) in the stack's namespace, with no dimensions.
		"PasswordFailuresAlarm": {ref("AWS::StackName"), "PasswordFailures", nil, "Sum", ref("PasswordFailureAlarmThreshold")},
		"SmsBudgetAlarm":        {ref("AWS::StackName"), "SMSBudgetUsedPercent", nil, "Maximum", 80},
		"EmailBudgetAlarm":      {ref("AWS::StackName"), "EmailBudgetUsedPercent", nil, "Maximum", 80},
	}
	for _, f := range functionDirs(t) {
		dims := []any{map[string]any{"Name": "FunctionName", "Value": ref(FunctionID(f))}}
		out[ErrorsAlarmID(f)] = alarm{"AWS/Lambda", "Errors", dims, "Sum", 1}
		out[ThrottlesAlarmID(f)] = alarm{"AWS/Lambda", "Throttles", dims, "Sum", 1}
	}
	return out
}

// TestAlarms: each function's errors and throttles, the HTTP API's 5xx,
// the password-spraying signal and the two message budgets have an alarm,
// there is no other, and each notifies AlarmTopicArn only when it is set.
func TestAlarms(t *testing.T) {
	tpl := load(t)
	want := wantAlarms(t)
	actions := map[string]any{"Fn::If": []any{AlarmTopicCondition, []any{ref("AlarmTopicArn")}, ref("AWS::NoValue")}}
	for id, w := range want {
		r, ok := tpl.Resources[id]
		if !ok || r.Type != "AWS::CloudWatch::Alarm" || r.Condition != "" {
			t.Errorf("%s = %+v, want an unconditional AWS::CloudWatch::Alarm", id, r)
			continue
		}
		p := r.Properties
		got := alarm{p["Namespace"], anyString(p["MetricName"]), p["Dimensions"], anyString(p["Statistic"]), p["Threshold"]}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s watches %+v, want %+v", id, got, w)
		}
		for k, v := range map[string]any{"Period": 300, "EvaluationPeriods": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
			"TreatMissingData": "notBreaching", "AlarmActions": actions, "OKActions": actions} {
			if !reflect.DeepEqual(p[k], v) {
				t.Errorf("%s %s = %v, want %v", id, k, p[k], v)
			}
		}
		if _, ok := p["Unit"]; ok {
			t.Errorf("%s sets Unit: a unit other than the one the metric is sent with matches no data", id)
		}
	}
	got := tpl.OfType("AWS::CloudWatch::Alarm")
	sort.Strings(got)
	var ids []string
	for id := range want {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if !reflect.DeepEqual(got, ids) {
		t.Errorf("alarms = %v, want %v", got, ids)
	}

	if d := mapOf(tpl.Parameters["AlarmTopicArn"])["Default"]; d != "" {
		t.Errorf("AlarmTopicArn Default = %#v, want \"\": alarms without actions unless a topic is given", d)
	}
	if d := mapOf(tpl.Parameters["PasswordFailureAlarmThreshold"])["Default"]; d != 100 {
		t.Errorf("PasswordFailureAlarmThreshold Default = %#v, want 100", d)
	}
	topic := "arn:aws:sns:us-east-1:123456789012:idco-alarms"
	for _, tc := range []struct {
		value   string
		allowed bool
		actions bool
	}{{"", true, false}, {topic, true, true}, {"idco-alarms", false, false}, {"arn:aws:sqs:us-east-1:123456789012:q", false, false}} {
		ev := evaluator{tpl: tpl, params: map[string]string{"AlarmTopicArn": tc.value}}
		if err := ev.allowed("AlarmTopicArn", tc.value); (err == nil) != tc.allowed {
			t.Errorf("AlarmTopicArn %q: allowed error %v, want allowed %v", tc.value, err, tc.allowed)
		}
		if tc.allowed && ev.cond(t, map[string]any{"Condition": AlarmTopicCondition}) != tc.actions {
			t.Errorf("AlarmTopicArn %q: %s = %v, want %v", tc.value, AlarmTopicCondition, !tc.actions, tc.actions)
		}
	}
}

// TestReservedConcurrency: each function that runs argon2id has its
// reserved-concurrency parameter, unreserved when it is empty (the
// default) or 0; no other function reserves any.
func TestReservedConcurrency(t *testing.T) {
	tpl := load(t)
	var params []string
	for _, f := range functionDirs(t) {
		id := FunctionID(f)
		got, set := tpl.FunctionProperties(id)["ReservedConcurrentExecutions"]
		if !all.ByName()[f].Argon2 {
			if set {
				t.Errorf("%s ReservedConcurrentExecutions = %v: only the argon2id functions have the parameter", id, got)
			}
			continue
		}
		p, c := ReservedConcurrencyParam(f), ReservedConcurrencyCondition(f)
		params = append(params, p)
		want := map[string]any{"Fn::If": []any{c, ref(p), ref("AWS::NoValue")}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s ReservedConcurrentExecutions = %v, want %v", id, got, want)
		}
		if d := mapOf(tpl.Parameters[p])["Default"]; d != "" {
			t.Errorf("%s Default = %#v, want \"\" (unreserved)", p, d)
		}
		for _, tc := range []struct {
			value     string
			allowed   bool
			reserving bool
		}{{"", true, false}, {"0", true, false}, {"1", true, true}, {"20", true, true}, {"-1", false, false}, {"05", false, false}, {"ten", false, false}} {
			ev := evaluator{tpl: tpl, params: map[string]string{p: tc.value}}
			if err := ev.allowed(p, tc.value); (err == nil) != tc.allowed {
				t.Errorf("%s %q: allowed error %v, want allowed %v", p, tc.value, err, tc.allowed)
			}
			if tc.allowed && ev.cond(t, map[string]any{"Condition": c}) != tc.reserving {
				t.Errorf("%s %q: %s = %v, want %v", p, tc.value, c, !tc.reserving, tc.reserving)
			}
		}
	}
	if len(params) == 0 {
		t.Error("no function runs argon2id: the reserved-concurrency parameters have nothing to cap")
	}
}

// TestSamBuildCopiesOnlyItsFunction: sam build copies each function's
// CodeUri into a scratch folder before it runs make, so CodeUri is the
// function's own folder, a few files of source, not the repository with
// its bin/ and node_modules.
func TestSamBuildCopiesOnlyItsFunction(t *testing.T) {
	tpl := load(t)
	for _, f := range functionDirs(t) {
		dir := anyString(tpl.FunctionProperties(FunctionID(f))["CodeUri"])
		var size int64
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			info, err := d.Info()
			size += info.Size()
			return err
		})
		if err != nil {
			t.Errorf("%s CodeUri %s: %v", FunctionID(f), dir, err)
		} else if size > 64<<10 {
			t.Errorf("%s CodeUri %s holds %d bytes: sam build would copy them all", FunctionID(f), dir, size)
		}
		if _, err := os.Stat(filepath.Join(root, dir, "main.go")); err != nil {
			t.Errorf("%s CodeUri %s has no main.go: %v", FunctionID(f), dir, err)
		}
	}
}

// TestReadmeExplainsEveryParameter: the README's table of parameters (Build
// and deploy) names every parameter of the template, in the template's
// order, which is the order sam deploy --guided asks for them.
func TestReadmeExplainsEveryParameter(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, TemplateFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var want []string
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "Parameters" {
			params := top.Content[i+1]
			for j := 0; j < len(params.Content); j += 2 {
				want = append(want, params.Content[j].Value)
			}
		}
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "### 2. Build and deploy\n")
	section, _, _ = strings.Cut(section, "\n### ")
	_, table, _ := strings.Cut(section, "| parameter | default | meaning |\n|---|---|---|\n")
	var got []string
	for _, row := range strings.Split(table, "\n") {
		if !strings.HasPrefix(row, "| ") {
			break
		}
		first, _, _ := strings.Cut(row[2:], " |")
		for _, m := range regexp.MustCompile("`([A-Za-z0-9]+)`").FindAllStringSubmatch(first, -1) {
			got = append(got, m[1])
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("README's parameter table names\n%v\nwant the template's parameters in order\n%v", got, want)
	}
}
