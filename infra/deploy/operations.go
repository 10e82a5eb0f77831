package deploy

import (
	"fmt"
	"strings"

	"github.com/idco-dev/idco/shared/families"
)

// The generated blocks of template.yaml's Parameters and Conditions: one
// reserved-concurrency parameter, and the condition that it is set, per
// family that runs argon2id.
const (
	BlockConcurrencyParameters = "RESERVED CONCURRENCY PARAMETERS"
	BlockConcurrencyConditions = "RESERVED CONCURRENCY CONDITIONS"
)

// Alias is the published alias (SAM's AutoPublishAlias) that the function
// URLs and the HTTP API integrations call, so a deploy switches every front
// to the new code at once and a version can be pointed back to.
const Alias = "live"

// AlarmTopicCondition is the condition that AlarmTopicArn is set; every
// alarm notifies the topic under it, and has no actions otherwise.
const AlarmTopicCondition = "HasAlarmTopic"

// MetricsNamespaceEnv is the variable that names the CloudWatch namespace
// of idco's own metrics (Embedded Metric Format log lines); the template
// sets it to the stack name, and the custom-metric alarms read there.
const MetricsNamespaceEnv = "IDCO_METRICS_NAMESPACE"

// ReservedConcurrencyParam is the parameter holding a family's reserved
// concurrency: "login" -> "LoginReservedConcurrency".
func ReservedConcurrencyParam(family string) string { return Camel(family) + "ReservedConcurrency" }

// ReservedConcurrencyCondition is the condition that the family's parameter
// reserves something (neither empty nor 0).
func ReservedConcurrencyCondition(family string) string {
	return "Has" + ReservedConcurrencyParam(family)
}

// ErrorsAlarmID and ThrottlesAlarmID are the logical ids of a family's
// function alarms.
func ErrorsAlarmID(family string) string    { return Camel(family) + "ErrorsAlarm" }
func ThrottlesAlarmID(family string) string { return Camel(family) + "ThrottlesAlarm" }

// hashing lists the families whose functions run argon2id, by name.
func hashing(fams []*families.Family) []*families.Family {
	var out []*families.Family
	for _, f := range sorted(fams) {
		if f.Argon2 {
			out = append(out, f)
		}
	}
	return out
}

// ConcurrencyParameters is the generated Parameters block: per hashing
// family, its reserved concurrency, empty by default (unreserved).
func ConcurrencyParameters(fams []*families.Family) string {
	var b strings.Builder
	for _, f := range hashing(fams) {
		fmt.Fprintf(&b, "  %s:\n    Type: String\n    Default: \"\"\n", ReservedConcurrencyParam(f.Name))
		b.WriteString("    AllowedPattern: \"^(0|[1-9][0-9]{0,4})?$\"\n")
		fmt.Fprintf(&b, "    Description: >-\n      Reserved concurrency of the %s function, which runs argon2id: at\n", f.Name)
		b.WriteString("      most this many run at once, and the account's other functions keep\n")
		b.WriteString("      theirs. Empty or 0: unreserved (the account's shared pool).\n")
	}
	return b.String()
}

// ConcurrencyConditions is the generated Conditions block: per hashing
// family, whether its parameter reserves anything.
func ConcurrencyConditions(fams []*families.Family) string {
	var b strings.Builder
	for _, f := range hashing(fams) {
		p := ReservedConcurrencyParam(f.Name)
		fmt.Fprintf(&b, "  %s: !Not [!Or [!Equals [!Ref %s, \"\"], !Equals [!Ref %s, \"0\"]]]\n",
			ReservedConcurrencyCondition(f.Name), p, p)
	}
	return b.String()
}

// functionAlarms is a family's two alarms on its function's AWS/Lambda
// metrics (every version together), each over one period of five minutes
// and notifying AlarmTopicArn when it is set: any error (a crash or a
// timeout: idco answers its own errors as envelopes, which Lambda counts as
// successes) and any throttled invocation (its reserved concurrency or the
// account's limit reached).
func functionAlarms(f *families.Family) string {
	var b strings.Builder
	for _, a := range []struct{ id, metric, what string }{
		{ErrorsAlarmID(f.Name), "Errors", "crashed or timed out"},
		{ThrottlesAlarmID(f.Name), "Throttles", "was throttled (its reserved concurrency or the account's limit)"},
	} {
		fmt.Fprintf(&b, "  %s:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n", a.id)
		fmt.Fprintf(&b, "      AlarmName: !Sub \"${AWS::StackName}-%s-%s\"\n", f.Name, strings.ToLower(a.metric))
		fmt.Fprintf(&b, "      AlarmDescription: \"The %s function %s in the last 5 minutes.\"\n", f.Name, a.what)
		fmt.Fprintf(&b, "      Namespace: AWS/Lambda\n      MetricName: %s\n", a.metric)
		fmt.Fprintf(&b, "      Dimensions:\n        - Name: FunctionName\n          Value: !Ref %s\n", FunctionID(f.Name))
		b.WriteString("      Statistic: Sum\n      Period: 300\n      EvaluationPeriods: 1\n      Threshold: 1\n")
		b.WriteString("      ComparisonOperator: GreaterThanOrEqualToThreshold\n      TreatMissingData: notBreaching\n")
		for _, k := range []string{"AlarmActions", "OKActions"} {
			fmt.Fprintf(&b, "      %s: !If [%s, [!Ref AlarmTopicArn], !Ref AWS::NoValue]\n", k, AlarmTopicCondition)
		}
	}
	return b.String()
}
