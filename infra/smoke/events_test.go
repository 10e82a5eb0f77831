package smoke

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/families/all"
)

// TestEvents checks infra/events: <family>/<method>.url.json is a Function
// URL event and <family>/<method>.raw.json a raw cloud-object event, each
// calling a method of that family; every function has at least one of each.
func TestEvents(t *testing.T) {
	dir := filepath.Join(root, "infra", "events")
	kinds := map[string]map[string]bool{} // family -> kinds seen
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no events in %s: %v", dir, err)
	}
	for _, path := range files {
		rel, _ := filepath.Rel(dir, path)
		family := filepath.Base(filepath.Dir(path))
		name, kind, ok := strings.Cut(strings.TrimSuffix(filepath.Base(path), ".json"), ".")
		if !ok || (kind != "url" && kind != "raw" && kind != "http") {
			t.Errorf("%s: want <method>.url.json, <method>.raw.json or <name>.http.json", rel)
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if kind == "http" { // a web family's (the open platform's) HTTP API event
			checkHTTPEvent(t, rel, family, data)
			if kinds[family] == nil {
				kinds[family] = map[string]bool{}
			}
			kinds[family][kind] = true
			continue
		}
		var body []byte
		pathMethod := ""
		if kind == "url" {
			// Not strict: real events carry fields the Go type leaves out
			// (routeKey).
			var ev events.LambdaFunctionURLRequest
			if err := json.Unmarshal(data, &ev); err != nil {
				t.Errorf("%s: not a Function URL event: %v", rel, err)
				continue
			}
			rc := ev.RequestContext.HTTP
			if rc.Method != "POST" || rc.SourceIP == "" || rc.Path != ev.RawPath || ev.RequestContext.RequestID == "" {
				t.Errorf("%s: want POST with requestContext.http.sourceIp, path = rawPath and a requestId", rel)
			}
			if p := strings.Trim(ev.RawPath, "/"); p != "" {
				pathMethod = p[strings.LastIndexByte(p, '/')+1:]
			}
			body = []byte(ev.Body)
		} else {
			body = data
		}
		var call struct {
			Method     string         `json:"method"`
			Params     map[string]any `json:"params"`
			ClientInfo map[string]any `json:"clientInfo"`
			UniIDToken string         `json:"uniIdToken"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&call); err != nil {
			t.Errorf("%s: body is not a cloud-object call: %v", rel, err)
			continue
		}
		method := call.Method
		if method == "" {
			method = pathMethod
		}
		if method != name || cloudobj.FamilyOf(method) != family {
			t.Errorf("%s: calls %q (path %q), want %s of family %s", rel, method, pathMethod, name, family)
		}
		if call.ClientInfo["deviceId"] == nil || call.ClientInfo["uniPlatform"] == nil {
			t.Errorf("%s: clientInfo needs deviceId and uniPlatform", rel)
		}
		if kinds[family] == nil {
			kinds[family] = map[string]bool{}
		}
		kinds[family][kind] = true
	}
	for _, f := range functionFamilies(t) {
		if !kinds[f]["url"] && !kinds[f]["raw"] && !kinds[f]["http"] {
			t.Errorf("infra/events/%s: no event for function %s", f, f)
		}
	}
	for f := range kinds {
		if !slices.Contains(functionFamilies(t), f) {
			t.Errorf("infra/events/%s: no functions/%s", f, f)
		}
	}
	var all []string
	for f, k := range kinds {
		for kind := range k {
			all = append(all, f+"."+kind)
		}
	}
	if !slices.ContainsFunc(all, func(s string) bool { return strings.HasSuffix(s, ".url") }) ||
		!slices.ContainsFunc(all, func(s string) bool { return strings.HasSuffix(s, ".raw") }) {
		t.Errorf("want both Function URL and raw events, have %v", all)
	}
}

// checkHTTPEvent checks a web family's event: an HTTP API (payload 2.0)
// event of one of the family's routes.
func checkHTTPEvent(t *testing.T, rel, family string, data []byte) {
	t.Helper()
	var ev events.LambdaFunctionURLRequest
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Errorf("%s: not an HTTP API event: %v", rel, err)
		return
	}
	rc := ev.RequestContext.HTTP
	f := all.ByName()[family]
	if f == nil || f.Web == nil || !slices.Contains(f.Routes, rc.Method+" "+ev.RawPath) || rc.Path != ev.RawPath || rc.SourceIP == "" {
		t.Errorf("%s: want an event of a route of web family %s, with requestContext.http.sourceIp and path = rawPath", rel, family)
	}
}

// TestSamLocalEnv checks infra/events/env.json, the environment `sam local
// invoke` overrides: only variables the code reads.
func TestSamLocalEnv(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "infra", "events", "env.json"))
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]map[string]string
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatalf("env.json: %v", err)
	}
	for scope, vars := range env {
		for k := range vars {
			if !slices.Contains(app.Env(), k) {
				t.Errorf("env.json %s sets %s, which idco does not read", scope, k)
			}
		}
	}
}
