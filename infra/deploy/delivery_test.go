package deploy

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/families/all"
)

// deliveryResources are the grant resources that deliver to people. They
// exist only when the template's delivery parameters name them.
var deliveryResources = []string{
	families.ResourceSESIdentity, families.ResourceSESConfigurationSet,
	families.ResourceSMSOriginationIdentity, families.ResourceSMSConfigurationSet,
	families.ResourceSMSPhoneNumbers,
}

// deliveryFamilies may hold a delivery grant: the code senders, register
// for registerUserByEmail's welcome email, and bind and reset for the
// security notices to the old channel.
var deliveryFamilies = map[string][]string{
	"bind":            deliveryResources,
	"reset":           deliveryResources,
	"oidc":            deliveryResources, // the hosted login page's SMS and email codes
	"register":        {families.ResourceSESIdentity, families.ResourceSESConfigurationSet},
	"send-email-code": {families.ResourceSESIdentity, families.ResourceSESConfigurationSet},
	"send-sms-code": {families.ResourceSMSOriginationIdentity, families.ResourceSMSConfigurationSet,
		families.ResourceSMSPhoneNumbers},
}

const (
	testOrigination = "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef"
	testSmsConfSet  = "arn:aws:sms-voice:us-east-1:123456789012:configuration-set/idco-otp"
)

// TestDeliveryGrantsInGo keeps delivery grants to the families that send,
// each to its own channel.
func TestDeliveryGrantsInGo(t *testing.T) {
	for f := range all.ByName() {
		grants, _ := all.Access(f)
		for _, g := range grants {
			if slices.Contains(deliveryResources, g.Resource) && !slices.Contains(deliveryFamilies[f], g.Resource) {
				t.Errorf("Access(%q) grants %v on %s: only %v deliver that way", f, g.Actions, g.Resource, deliveryFamilies)
			}
			if g.Resource == families.ResourceSMSPhoneNumbers && !reflect.DeepEqual(g.Actions, wildcardActions) {
				t.Errorf("Access(%q) grants %v on %s: its Resource is \"*\", so only %v", f, g.Actions, g.Resource, wildcardActions)
			}
		}
	}
}

// TestDeliveryGrantsFollowParameters evaluates the template's conditions and
// rules for each way of setting the delivery parameters: the functions that
// send get exactly the grants the parameters name (those of their Access
// grants on the resources named), the others none, and combinations that
// would grant something else are refused by a rule.
func TestDeliveryGrantsFollowParameters(t *testing.T) {
	tpl := load(t)
	tests := []struct {
		name    string
		params  map[string]string
		granted []string // delivery resources the parameters name
		refused string   // the rule that refuses the combination
	}{
		{name: "defaults"},
		{name: "ses identity", params: map[string]string{"SesIdentityName": "example.com"},
			granted: []string{families.ResourceSESIdentity}},
		{name: "ses address and configuration set", params: map[string]string{"SesIdentityName": "no-reply@example.com", "SesConfigurationSetName": "idco-mail"},
			granted: []string{families.ResourceSESIdentity, families.ResourceSESConfigurationSet}},
		{name: "ses configuration set alone", params: map[string]string{"SesConfigurationSetName": "idco-mail"},
			refused: "SesConfigurationSetNeedsIdentity"},
		{name: "sms none", params: map[string]string{"SmsProvider": "none"}},
		{name: "sms external", params: map[string]string{"SmsProvider": "external"}},
		{name: "sms sns", params: map[string]string{"SmsProvider": "sns"},
			granted: []string{families.ResourceSMSPhoneNumbers}},
		{name: "sms aws-eum", params: map[string]string{"SmsProvider": "aws-eum", "SmsOriginationIdentityArn": testOrigination},
			granted: []string{families.ResourceSMSOriginationIdentity}},
		{name: "sms aws-eum with configuration set", params: map[string]string{"SmsProvider": "aws-eum",
			"SmsOriginationIdentityArn": testOrigination, "SmsConfigurationSetArn": testSmsConfSet},
			granted: []string{families.ResourceSMSOriginationIdentity, families.ResourceSMSConfigurationSet}},
		{name: "sms aws-eum without origination identity", params: map[string]string{"SmsProvider": "aws-eum"},
			refused: "EumNeedsOriginationIdentity"},
		{name: "sms sns with an origination identity", params: map[string]string{"SmsProvider": "sns", "SmsOriginationIdentityArn": testOrigination},
			refused: "SmsArnsOnlyWithEum"},
		{name: "sms external with a configuration set", params: map[string]string{"SmsProvider": "external", "SmsConfigurationSetArn": testSmsConfSet},
			refused: "SmsArnsOnlyWithEum"},
		{name: "email through DirectMail", params: map[string]string{"EmailProvider": "aliyun"}},
		{name: "DirectMail with an SES identity", params: map[string]string{"EmailProvider": "aliyun", "SesIdentityName": "example.com"},
			refused: "SesOnlyWithSes"},
		{name: "DirectMail with SES's identity and configuration set", params: map[string]string{"EmailProvider": "aliyun",
			"SesIdentityName": "example.com", "SesConfigurationSetName": "idco-mail"}, refused: "SesOnlyWithSes"},
		{name: "China, DirectMail and Aliyun SMS", params: map[string]string{"AWS::Region": "cn-north-1", "EmailProvider": "aliyun",
			"SmsProvider": "external"}},
		{name: "China (Ningxia), SES named", params: map[string]string{"AWS::Region": "cn-northwest-1", "SesIdentityName": "example.com"},
			refused: "NoSesInChina"},
		{name: "China, End User Messaging", params: map[string]string{"AWS::Region": "cn-northwest-1", "EmailProvider": "aliyun",
			"SmsProvider": "aws-eum", "SmsOriginationIdentityArn": "arn:aws-cn:sms-voice:cn-northwest-1:123456789012:pool/pool-0123"},
			granted: []string{families.ResourceSMSOriginationIdentity}},
		{name: "everything", params: map[string]string{"SesIdentityName": "example.com", "SesConfigurationSetName": "idco-mail",
			"SmsProvider": "aws-eum", "SmsOriginationIdentityArn": testOrigination, "SmsConfigurationSetArn": testSmsConfSet},
			granted: []string{families.ResourceSESIdentity, families.ResourceSESConfigurationSet,
				families.ResourceSMSOriginationIdentity, families.ResourceSMSConfigurationSet}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := evaluator{tpl: tpl, params: tc.params}
			for name, v := range tc.params {
				if strings.HasPrefix(name, "AWS::") {
					continue // a pseudo parameter
				}
				if err := ev.allowed(name, v); err != nil {
					t.Fatalf("test parameter: %v", err)
				}
			}
			refused := ev.refusedBy(t)
			if want := []string(nil); tc.refused != "" {
				want = []string{tc.refused}
				if !reflect.DeepEqual(refused, want) {
					t.Errorf("rules refusing %v = %v, want %v", tc.params, refused, want)
				}
				return
			} else if len(refused) > 0 {
				t.Errorf("rules refusing %v = %v, want none", tc.params, refused)
			}
			for _, f := range functionDirs(t) {
				id := FunctionID(f)
				if _, ok := tpl.Resources[id]; !ok {
					continue
				}
				var want []string
				grants, _ := all.Access(f)
				for _, g := range grants {
					if slices.Contains(tc.granted, g.Resource) {
						for _, a := range g.Actions {
							want = append(want, g.Resource+" "+a)
						}
					}
				}
				got := ev.deliveryGrants(t, id)
				sort.Strings(want)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s delivery grants with %v\n got %q\nwant %q", id, tc.params, got, want)
				}
			}
		})
	}
}

// TestDeliveryParameterPatterns checks that the delivery parameters refuse
// values that would widen a grant (wildcards, another service's ARN) and
// take real ones.
func TestDeliveryParameterPatterns(t *testing.T) {
	ev := evaluator{tpl: load(t)}
	tests := []struct {
		param, value string
		ok           bool
	}{
		{"SesIdentityName", "", true},
		{"SesIdentityName", "example.com", true},
		{"SesIdentityName", "no-reply+otp@mail.example.com", true},
		{"SesIdentityName", "*", false},
		{"SesIdentityName", "example.*", false},
		{"SesIdentityName", "example.com/x", false},
		{"SesConfigurationSetName", "idco-mail_1", true},
		{"SesConfigurationSetName", "idco*", false},
		{"EmailProvider", "ses", true},
		{"EmailProvider", "aliyun", true},
		{"EmailProvider", "", false},
		{"EmailProvider", "directmail", false},
		{"SmsProvider", "aws-eum", true},
		{"SmsProvider", "aliyun", false}, // external
		{"SmsOriginationIdentityArn", testOrigination, true},
		{"SmsOriginationIdentityArn", "arn:aws:sms-voice:us-east-1:123456789012:sender-id/IDCO/US", true},
		{"SmsOriginationIdentityArn", "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0123", true},
		{"SmsOriginationIdentityArn", "arn:aws-cn:sms-voice:cn-north-1:123456789012:pool/pool-0123", true},
		{"SmsOriginationIdentityArn", "arn:aws:sms-voice:us-east-1:123456789012:pool/*", false},
		{"SmsOriginationIdentityArn", "arn:aws:sms-voice:us-east-1:123456789012:configuration-set/idco-otp", false},
		{"SmsOriginationIdentityArn", "*", false},
		{"SmsOriginationIdentityArn", "+15555550100", false},
		{"SmsConfigurationSetArn", testSmsConfSet, true},
		{"SmsConfigurationSetArn", "arn:aws:sms-voice:us-east-1:123456789012:configuration-set/*", false},
		{"SmsConfigurationSetArn", testOrigination, false},
	}
	for _, tc := range tests {
		if err := ev.allowed(tc.param, tc.value); (err == nil) != tc.ok {
			t.Errorf("%s = %q: allowed error %v, want ok %v", tc.param, tc.value, err, tc.ok)
		}
	}
	for _, p := range []string{"SesIdentityName", "SesConfigurationSetName", "SmsOriginationIdentityArn", "SmsConfigurationSetArn"} {
		if d := mapOf(ev.tpl.Parameters[p])["Default"]; d != "" {
			t.Errorf("parameter %s Default = %#v, want \"\": no delivery grant unless asked", p, d)
		}
	}
	if d := mapOf(ev.tpl.Parameters["SmsProvider"])["Default"]; d != "none" {
		t.Errorf("parameter SmsProvider Default = %#v, want none", d)
	}
	// ses by default, so that a stack deployed before EmailProvider keeps
	// its SES grants.
	if d := mapOf(ev.tpl.Parameters["EmailProvider"])["Default"]; d != "ses" {
		t.Errorf("parameter EmailProvider Default = %#v, want ses", d)
	}
}

// evaluator evaluates the template's conditions and rules for parameter
// values (a parameter not in params takes its Default), as CloudFormation
// does: the intrinsics Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition and
// Ref of a parameter or of the pseudo parameters AWS::Region (params'
// "AWS::Region", default us-east-1) and AWS::Partition (the region's).
type evaluator struct {
	tpl    *Template
	params map[string]string
}

func (e evaluator) param(name string) (string, bool) {
	if v, ok := e.params[name]; ok {
		return v, true
	}
	region := e.params["AWS::Region"]
	if region == "" {
		region = "us-east-1"
	}
	switch name {
	case "AWS::Region":
		return region, true
	case "AWS::Partition":
		if strings.HasPrefix(region, "cn-") {
			return "aws-cn", true
		}
		return "aws", true
	}
	p, ok := e.tpl.Parameters[name]
	if !ok {
		return "", false
	}
	return anyString(mapOf(p)["Default"]), true
}

// allowed checks a value against the parameter's AllowedValues and
// AllowedPattern (CloudFormation's Java patterns here read the same in Go).
func (e evaluator) allowed(name, v string) error {
	p, ok := e.tpl.Parameters[name]
	if !ok {
		return fmt.Errorf("no parameter %s", name)
	}
	m := mapOf(p)
	if vals, ok := m["AllowedValues"].([]any); ok && !slices.Contains(vals, any(v)) {
		return fmt.Errorf("%s = %q is not one of %v", name, v, vals)
	}
	if pat, ok := m["AllowedPattern"].(string); ok && !regexp.MustCompile(pat).MatchString(v) {
		return fmt.Errorf("%s = %q does not match %s", name, v, pat)
	}
	return nil
}

func (e evaluator) str(t *testing.T, x any) string {
	t.Helper()
	if m, ok := x.(map[string]any); ok {
		if name, ok := m["Ref"].(string); ok {
			if v, ok := e.param(name); ok {
				return v
			}
		}
		t.Fatalf("cannot evaluate %v to a string", x)
	}
	return anyString(x)
}

func (e evaluator) cond(t *testing.T, x any) bool {
	t.Helper()
	m, ok := x.(map[string]any)
	if !ok || len(m) != 1 {
		t.Fatalf("not a condition: %v", x)
	}
	for fn, arg := range m {
		args, _ := arg.([]any)
		switch fn {
		case "Condition":
			name := anyString(arg)
			c, ok := e.tpl.Conditions[name]
			if !ok {
				t.Fatalf("no condition %s", name)
			}
			return e.cond(t, c)
		case "Fn::Equals":
			if len(args) != 2 {
				t.Fatalf("Fn::Equals %v", arg)
			}
			return e.str(t, args[0]) == e.str(t, args[1])
		case "Fn::Not":
			if len(args) != 1 {
				t.Fatalf("Fn::Not %v", arg)
			}
			return !e.cond(t, args[0])
		case "Fn::And", "Fn::Or":
			and := fn == "Fn::And"
			for _, a := range args {
				if e.cond(t, a) != and {
					return !and
				}
			}
			return and
		}
		t.Fatalf("cannot evaluate %s", fn)
	}
	return false
}

// refusedBy lists the rules whose assertions fail, sorted.
func (e evaluator) refusedBy(t *testing.T) []string {
	t.Helper()
	var out []string
	for name, r := range e.tpl.Rules {
		rule := mapOf(r)
		if c, ok := rule["RuleCondition"]; ok && !e.cond(t, c) {
			continue
		}
		asserts, _ := rule["Assertions"].([]any)
		if len(asserts) == 0 {
			t.Errorf("rule %s has no Assertions", name)
		}
		for _, a := range asserts {
			if !e.cond(t, mapOf(a)["Assert"]) {
				out = append(out, name)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// deliveryGrants returns a function's delivery grants under the parameters
// as sorted "resource action" pairs: those of its statements that the
// conditions keep.
func (e evaluator) deliveryGrants(t *testing.T, id string) []string {
	t.Helper()
	var out []string
	policies, _ := e.tpl.FunctionProperties(id)["Policies"].([]any)
	for _, p := range policies {
		stmts, _ := mapOf(p)["Statement"].([]any)
		for _, s := range stmts {
			st, conditional := statement(s)
			if st == nil || conditional != "" && !e.cond(t, map[string]any{"Condition": conditional}) {
				continue
			}
			res, _ := resourceOf(st["Resource"], nil)
			if !slices.Contains(deliveryResources, res) {
				continue
			}
			for _, a := range actionsOf(st["Action"]) {
				out = append(out, res+" "+a)
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestDeliveryConditionsNameTheirParameters keeps each optional statement's
// condition testing its own parameter: a grant on a resource built from a
// parameter exists only when that parameter is set.
func TestDeliveryConditionsNameTheirParameters(t *testing.T) {
	tpl := load(t)
	for res, tr := range resources {
		if tr.condition == "" {
			continue
		}
		c, ok := tpl.Conditions[tr.condition]
		if !ok {
			t.Errorf("%s: no condition %s in template.yaml", res, tr.condition)
			continue
		}
		params := paramsIn(tr.resource)
		if len(params) == 0 {
			continue // "*" of SNS: TestDeliveryGrantsFollowParameters covers SmsProvider sns
		}
		if !(evaluator{tpl: tpl, params: fullDeployment}).cond(t, c) {
			t.Errorf("%s: condition %s is false with every parameter set", res, tr.condition)
		}
		for _, p := range params {
			// Everything else set, so p alone decides.
			set := evaluator{tpl: tpl, params: map[string]string{}}
			for q, v := range fullDeployment {
				set.params[q] = v
			}
			set.params[p] = ""
			if set.cond(t, c) {
				t.Errorf("%s: condition %s holds with %s empty: its statement would have an empty Resource", res, tr.condition, p)
			}
		}
	}
}

// fullDeployment sets every optional parameter.
var fullDeployment = map[string]string{
	"ConfigKmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
	"SesIdentityName": "example.com", "SesConfigurationSetName": "idco-mail", "SmsProvider": "aws-eum",
	"SmsOriginationIdentityArn": testOrigination, "SmsConfigurationSetArn": testSmsConfSet,
}

// paramsIn lists the parameters a Resource refers to: a Ref, or the ${Name}
// of a Fn::Sub that are not pseudo parameters.
func paramsIn(r any) []string {
	m, ok := r.(map[string]any)
	if !ok {
		return nil
	}
	if name, ok := m["Ref"].(string); ok {
		return []string{name}
	}
	s, _ := m["Fn::Sub"].(string)
	var out []string
	for _, sm := range regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`).FindAllStringSubmatch(s, -1) {
		out = append(out, sm[1])
	}
	return out
}
