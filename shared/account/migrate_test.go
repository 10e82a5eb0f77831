package account_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv"
)

// uniIDToken signs a token as uni-id-common does (no session id).
func uniIDToken(t *testing.T, uid string, iat, exp time.Time) string {
	t.Helper()
	enc := base64.RawURLEncoding
	head := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body, _ := json.Marshal(map[string]any{"uid": uid, "role": []string{}, "permission": []string{},
		"uniIdVersion": "1.0.19", "iat": iat.Unix(), "exp": exp.Unix()})
	mac := hmac.New(sha256.New, []byte(testenv.TokenSecret))
	mac.Write([]byte(head + "." + enc.EncodeToString(body)))
	return head + "." + enc.EncodeToString(body) + "." + enc.EncodeToString(mac.Sum(nil))
}

// importBatch sends docs (line numbers from 1) to importUsers.
func importBatch(t *testing.T, e *testenv.Env, admin *testenv.Client, docs []string, dry bool) []map[string]any {
	t.Helper()
	var users []map[string]any
	for i, d := range docs {
		users = append(users, map[string]any{"line": i + 1, "doc": json.RawMessage(d)})
	}
	r := e.Call(t, admin, "admin", "importUsers", map[string]any{"users": users, "dryRun": dry})
	if r.Code() != "0" {
		t.Fatalf("importUsers: %s", r.Raw)
	}
	var out []map[string]any
	for _, x := range r.Body["results"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

func outcomes(results []map[string]any) string {
	var s []string
	for _, r := range results {
		o := fmt.Sprint(r["line"], ":", r["outcome"])
		if k, ok := r["key"]; ok {
			o += "/" + k.(string)
		}
		if p, ok := r["param"]; ok {
			o += "/" + p.(string)
		}
		s = append(s, o)
	}
	return strings.Join(s, " ")
}

// TestImportUniIDUsers: a uniCloud export of uni-id-users imports with its
// conflicts and bad rows reported by line and nothing of them written; a
// dry run writes nothing; a re-run reports what exists; imported users log
// in with their uni-id passwords (hmac-sha1 and $UNI_ID_HMAC_SHA256$), keep
// the fields idco does not model, and a live uni-id token is exchanged
// once for an idco session; an export imports into another deployment the
// same.
func TestImportUniIDUsers(t *testing.T) {
	e, admin, _ := adminEnv(t, nil)
	now := e.Clock.Now()
	live := uniIDToken(t, "64f000000000000000000001", now.Add(-time.Hour), now.Add(time.Hour))
	docs := []string{
		`{"_id":"64f000000000000000000001","username":"Legacy_A","password":"03caebb36670995fc261a275d212cad65e4bbebd","password_secret_version":1,` +
			`"mobile":"13700137000","mobile_confirmed":1,"role":[],"dcloud_appid":["__UNI__TEST"],"register_date":1690000000000,` +
			`"tags":["vip"],"score":12,"token":["` + live + `"]}`,
		`{"_id":"64f000000000000000000002","username":"legacy_b","password":"$UNI_ID_HMAC_SHA256$20$0123456789abcdef0123` + sha256Vector + `",` +
			`"password_secret_version":2,"email":"B@Example.com","email_confirmed":1,"wx_openid":{"mp":"o-b","mp___UNI__TEST":"o-b"},"wx_unionid":"u-b"}`,
		`{"_id":"64f000000000000000000003","username":"LEGACY_A","password":"x"}`,
		`{"_id":"64f000000000000000000004","username":"legacy_d","mobile":"12345","mobile_confirmed":1}`,
		`{"_id":"64f000000000000000000005","username":"legacy_e","email":"alice@example.com","email_confirmed":1}`,
		`{"username":"no_id"}`,
	}
	// An idco account already holds alice@example.com.
	if r := e.Call(t, admin, "admin", "addUser", map[string]any{"username": "alice_x", "password": "a good password",
		"email": "alice@example.com"}); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	before := e.ItemCount(t)
	if got := outcomes(importBatch(t, e, admin, docs, true)); got != "1:created 2:created 3:created 4:invalid/mobile 5:conflict/email 6:invalid/_id" {
		// In a dry run the two documents with one username are each
		// creatable on their own.
		t.Errorf("dry run: %s", got)
	}
	if after := e.ItemCount(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the dry run wrote: %v -> %v", before, after)
	}
	want := "1:created 2:created 3:conflict/username 4:invalid/mobile 5:conflict/email 6:invalid/_id"
	if got := outcomes(importBatch(t, e, admin, docs, false)); got != want {
		t.Errorf("import: %s, want %s", got, want)
	}
	want = "1:exists 2:exists 3:conflict/username 4:invalid/mobile 5:conflict/email 6:invalid/_id"
	if got := outcomes(importBatch(t, e, admin, docs, false)); got != want {
		t.Errorf("a re-run: %s, want %s", got, want)
	}
	for _, l := range []struct{ user, pw string }{{"legacy_a", "123456"}, {"legacy_b", "123456"}} {
		if r := loginAs(t, e, testenv.NewClient(l.user), l.user, l.pw); r.Code() != "0" {
			t.Errorf("%s logs in with the uni-id password: %s", l.user, r.Raw)
		}
	}
	r := e.Call(t, admin, "admin", "getUser", map[string]any{"uid": "64f000000000000000000001"})
	if u := r.Body["user"].(map[string]any); fmt.Sprint(u["tags"]) != "[vip]" || u["mobile"] != "13700137000" {
		t.Errorf("the imported account: %s", r.Raw)
	}
	// The live uni-id token: accepted once, for an idco session.
	c := testenv.NewClient("old-app")
	c.Token = live
	r = e.Call(t, c, "account", "getAccountInfo", nil)
	if r.Code() != "0" || r.Token() == "" || r.Token() == live {
		t.Fatalf("the uni-id token at the switch: %s", r.Raw)
	}
	if r := e.Call(t, c, "account", "getAccountInfo", nil); r.Code() != "0" {
		t.Errorf("the idco token it became: %s", r.Raw)
	}
	old := testenv.NewClient("replay")
	old.Token = live
	if r := e.Call(t, old, "account", "getAccountInfo", nil); r.Code() != "uni-id-check-token-failed" {
		t.Errorf("the uni-id token used twice: %s", r.Raw)
	}
	forged := testenv.NewClient("forged")
	forged.Token = uniIDToken(t, "64f000000000000000000002", now, now.Add(time.Hour)) // never in its token list
	if r := e.Call(t, forged, "account", "getAccountInfo", nil); r.Code() != "uni-id-check-token-failed" {
		t.Errorf("a uni-id token not in the list: %s", r.Raw)
	}

	// Export, then import into another deployment.
	var exported []string
	cursor := ""
	for range 10 {
		r := e.Call(t, admin, "admin", "exportUsers", map[string]any{"limit": 2, "cursor": cursor})
		for _, u := range r.Body["users"].([]any) {
			b, _ := json.Marshal(u)
			exported = append(exported, string(b))
		}
		if cursor = r.Body["cursor"].(string); cursor == "" {
			break
		}
	}
	if len(exported) != 5 || strings.Contains(strings.Join(exported, ""), `"sessions"`) {
		t.Fatalf("export: %d users: %v", len(exported), exported)
	}
	e2, admin2, _ := adminEnv(t, nil)
	var mine []string
	for _, d := range exported {
		if strings.Contains(d, "legacy_") {
			mine = append(mine, d)
		}
	}
	for _, r := range importBatch(t, e2, admin2, mine, false) {
		if r["outcome"] != "created" {
			t.Errorf("re-import of an export: %v", r)
		}
	}
	if r := loginAs(t, e2, testenv.NewClient("x"), "legacy_b", "123456"); r.Code() != "0" {
		t.Errorf("an exported then imported user logs in: %s", r.Raw)
	}
	for _, d := range mine {
		var doc map[string]any
		_ = json.Unmarshal([]byte(d), &doc)
		r := e2.Call(t, admin2, "admin", "exportUsers", map[string]any{"limit": 100})
		if !strings.Contains(r.Raw, doc["_id"].(string)) {
			t.Errorf("%s missing after the round trip", doc["_id"])
		}
	}
}
