package account_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/testenv"
)

// TestSignatureVectors: the string to sign and the signature match what
// uni-id-co's verify-request-sign.js computes (vectors made by running its
// signing lines in Node: objects, arrays and null left out, keys sorted,
// numbers and booleans as JavaScript prints them).
func TestSignatureVectors(t *testing.T) {
	vectors := []struct{ secret, nonce, ts, body, signed, sig string }{
		{"secret-0123456789abcdef0123456789abcdef", "nonce-1", "1796000000000",
			`{"params":{"externalUid":"ext-1","nickname":"Zoë","gender":1,"avatar":"https://x.example/a.png"}}`,
			"avatar=https://x.example/a.png&externalUid=ext-1&gender=1&nickname=Zoë",
			"8B7C913876A7C07E0B28704470C8C4D755A5E2F5CDB01BECE3D733826972B5B0"},
		{"secret-0123456789abcdef0123456789abcdef", "n2", "1796000000123",
			`{"params":{"uid":"6b06cdc0aa8f29a7f923fa52","score":1.5,"big":100,"ok":true,"tags":["a"],"obj":{"k":1},"nil":null,"b":"x=y&z"}}`,
			"b=x=y&z&big=100&ok=true&score=1.5&uid=6b06cdc0aa8f29a7f923fa52",
			"776033271EA2A2E2F1AF5F9CF7802DBF207C75BE82786C589E3EB4E2B4BF86B8"},
		{"another-secret-with-enough-length-000", "", "1", `{"params":{}}`, "",
			"F664D9B3BF47C58979ED938585F0BF111E37EF578D00F46878D0B21417491521"},
	}
	for i, v := range vectors {
		var body struct{ Params json.RawMessage }
		_ = json.Unmarshal([]byte(v.body), &body)
		signed, err := account.SignatureString(body.Params)
		if err != nil || signed != v.signed {
			t.Errorf("vector %d: string to sign %q (%v), want %q", i, signed, err, v.signed)
		}
		if got := account.Sign(v.secret, v.nonce, v.ts, v.signed); got != v.sig {
			t.Errorf("vector %d: signature %s, want %s", i, got, v.sig)
		}
	}
}

const s2sSecret = "request-auth-secret-0123456789abcdef0123"

// signedCall posts an external system's call, signed at the test clock's
// time (plus skew) with nonce.
func signedCall(t *testing.T, e *testenv.Env, method string, params map[string]any, nonce string, skew time.Duration, secret string) testenv.Resp {
	t.Helper()
	raw, _ := json.Marshal(params)
	signed, err := account.SignatureString(raw)
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(e.Clock.Now().Add(skew).UnixMilli(), 10)
	body, _ := json.Marshal(map[string]any{"params": json.RawMessage(raw),
		"clientInfo": map[string]any{"appId": "__UNI__TEST", "uniPlatform": "web", "deviceId": "server"}})
	return e.Do(t, "/external/"+method, body, map[string]string{"uni-id-nonce": nonce, "uni-id-timestamp": ts,
		"uni-id-signature": account.Sign(secret, nonce, ts, signed)})
}

// TestExternalSystems: a signed externalRegister makes an account found
// again by its externalUid; externalLogin hands out a working session;
// updateUserInfoByExternal changes the fields and the identity's userInfo;
// an unsigned, wrongly signed, stale, far-future or replayed call is
// refused, as is every call without requestAuthSecret in the config.
func TestExternalSystems(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) { cfg["requestAuthSecret"] = s2sSecret })
	n := 0
	nonce := func() string { n++; return fmt.Sprint("nonce-", n) }
	r := signedCall(t, e, "externalRegister", map[string]any{"externalUid": "ext-1", "nickname": "Ext", "gender": 1,
		"avatar": "https://cdn.example.com/a/b.png"}, nonce(), 0, s2sSecret)
	uid, _ := r.Body["uid"].(string)
	if r.Code() != "0" || uid == "" || r.Body["externalUid"] != "ext-1" || r.Token() == "" {
		t.Fatalf("externalRegister: %s", r.Raw)
	}
	if r := signedCall(t, e, "externalRegister", map[string]any{"externalUid": "ext-1"}, nonce(), 0, s2sSecret); r.Code() != "uni-id-account-exists" {
		t.Errorf("the same externalUid again: %s", r.Raw)
	}
	r = signedCall(t, e, "externalLogin", map[string]any{"externalUid": "ext-1"}, nonce(), 0, s2sSecret)
	if r.Code() != "0" || r.Body["uid"] != uid {
		t.Fatalf("externalLogin: %s", r.Raw)
	}
	c := testenv.NewClient("ext-user")
	c.Token = r.Token()
	if r := e.Call(t, c, "account", "getAccountInfo", nil); r.Code() != "0" {
		t.Errorf("the session externalLogin handed out: %s", r.Raw)
	}
	if r := signedCall(t, e, "updateUserInfoByExternal", map[string]any{"externalUid": "ext-1", "nickname": "Renamed",
		"avatar": "https://cdn.example.com/c.png"}, nonce(), 0, s2sSecret); r.Code() != "0" {
		t.Fatalf("updateUserInfoByExternal: %s", r.Raw)
	}
	users := e.Scan(t, e.Names.Users)
	if doc := fmt.Sprint(users); !strings.Contains(doc, "Renamed") || !strings.Contains(doc, "externalDirectConnect") ||
		!strings.Contains(doc, "c.png") {
		t.Errorf("the stored account: %s", doc)
	}
	if r := signedCall(t, e, "externalLogin", map[string]any{"externalUid": "nobody"}, nonce(), 0, s2sSecret); r.Code() != "uni-id-account-not-exists" {
		t.Errorf("externalLogin of nobody: %s", r.Raw)
	}
	refused := []struct {
		name   string
		resp   func() testenv.Resp
		expect string
	}{
		{"wrong secret", func() testenv.Resp {
			return signedCall(t, e, "externalLogin", map[string]any{"uid": uid}, nonce(), 0, s2sSecret+"x")
		}, "uni-id-illegal-request"},
		{"stale", func() testenv.Resp {
			return signedCall(t, e, "externalLogin", map[string]any{"uid": uid}, nonce(), -21*time.Second, s2sSecret)
		}, "uni-id-illegal-request"},
		{"far future", func() testenv.Resp {
			return signedCall(t, e, "externalLogin", map[string]any{"uid": uid}, nonce(), 2*time.Minute, s2sSecret)
		}, "uni-id-illegal-request"},
		{"replayed nonce", func() testenv.Resp {
			return signedCall(t, e, "externalLogin", map[string]any{"uid": uid}, "nonce-1", 0, s2sSecret)
		}, "uni-id-illegal-request"},
		{"unsigned", func() testenv.Resp {
			return e.Call(t, testenv.NewClient("x"), "external", "externalLogin", map[string]any{"uid": uid})
		}, "uni-id-illegal-request"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			if r := tc.resp(); r.Code() != tc.expect {
				t.Errorf("%s, want %s", r.Raw, tc.expect)
			}
		})
	}
	plain := testenv.New(t, nil)
	if r := signedCall(t, plain, "externalLogin", map[string]any{"uid": uid}, "n", 0, s2sSecret); r.Code() != "uni-id-config-field-required" {
		t.Errorf("without requestAuthSecret: %s", r.Raw)
	}
}
