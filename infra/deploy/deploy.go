// Package deploy reads idco's SAM template (template.yaml) the way
// CloudFormation sees it, for the test that keeps the template, the build
// file and the code in step: short-form intrinsics (!Ref, !GetAtt, !Sub,
// !If ...) become their long form ({"Ref": ...}, {"Fn::GetAtt": [...]}), and
// each function's properties are merged with the template's Globals as SAM
// merges them.
package deploy

import (
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Template is a parsed SAM template.
type Template struct {
	Parameters map[string]any
	Conditions map[string]any
	Rules      map[string]any
	Globals    map[string]any
	Resources  map[string]Resource
	Outputs    map[string]any
}

// Resource is one entry of Resources.
type Resource struct {
	Type                string         `yaml:"Type"`
	Condition           string         `yaml:"Condition"`
	DeletionPolicy      string         `yaml:"DeletionPolicy"`
	UpdateReplacePolicy string         `yaml:"UpdateReplacePolicy"`
	Metadata            map[string]any `yaml:"Metadata"`
	Properties          map[string]any `yaml:"Properties"`
}

// Load parses the template at path.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(root.Content) != 1 {
		return nil, fmt.Errorf("%s: not one YAML document", path)
	}
	doc, ok := value(root.Content[0]).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not a mapping", path)
	}
	t := &Template{
		Parameters: mapOf(doc["Parameters"]),
		Conditions: mapOf(doc["Conditions"]),
		Rules:      mapOf(doc["Rules"]),
		Globals:    mapOf(doc["Globals"]),
		Outputs:    mapOf(doc["Outputs"]),
		Resources:  map[string]Resource{},
	}
	for id, v := range mapOf(doc["Resources"]) {
		m := mapOf(v)
		typ, _ := m["Type"].(string)
		cond, _ := m["Condition"].(string)
		del, _ := m["DeletionPolicy"].(string)
		repl, _ := m["UpdateReplacePolicy"].(string)
		t.Resources[id] = Resource{Type: typ, Condition: cond, DeletionPolicy: del, UpdateReplacePolicy: repl,
			Metadata: mapOf(m["Metadata"]), Properties: mapOf(m["Properties"])}
	}
	return t, nil
}

// OfType returns the logical ids of the resources of type typ.
func (t *Template) OfType(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	return ids
}

// FunctionProperties returns a function's properties merged with
// Globals.Function: maps merge key by key (the function's value wins), other
// values are replaced, as SAM does.
func (t *Template) FunctionProperties(id string) map[string]any {
	merged, _ := merge(mapOf(t.Globals["Function"]), t.Resources[id].Properties).(map[string]any)
	return merged
}

func merge(global, local any) any {
	g, gok := global.(map[string]any)
	l, lok := local.(map[string]any)
	if !gok || !lok || isIntrinsic(g) || isIntrinsic(l) {
		if local != nil {
			return local
		}
		return global
	}
	out := make(map[string]any, len(g)+len(l))
	for k, v := range g {
		out[k] = v
	}
	for k, v := range l {
		out[k] = merge(g[k], v)
	}
	return out
}

func isIntrinsic(m map[string]any) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// value converts a YAML node to plain Go values (map[string]any, []any,
// string, bool, int, float64, nil) with intrinsics in long form.
func value(n *yaml.Node) any {
	if n.Kind == yaml.AliasNode {
		return value(n.Alias)
	}
	v := plain(n)
	tag := n.Tag
	if !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") {
		return v
	}
	name := tag[1:]
	switch name {
	case "Ref", "Condition":
		return map[string]any{name: v}
	case "GetAtt":
		if s, ok := v.(string); ok {
			res, attr, _ := strings.Cut(s, ".")
			v = []any{res, attr}
		}
	}
	return map[string]any{"Fn::" + name: v}
}

func plain(n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = value(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			l = append(l, value(c))
		}
		return l
	case yaml.ScalarNode:
		if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
			return n.Value // an intrinsic's argument is its text
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return n.Value
		}
		return v
	}
	return nil
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return map[string]any{}
	}
	return m
}
