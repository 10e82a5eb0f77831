package account_test

import (
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/testenv"
)

// TestBadParamsNameTheField: a refused param is named in errMsg (in the
// caller's language), and nothing of the decoder, Go's types or offsets is
// said; text a client mangled (a lone surrogate, which Go's encoding/json
// would turn into U+FFFD, so that distinct passwords became one) is refused
// the same way.
func TestBadParamsNameTheField(t *testing.T) {
	e := testenv.New(t, nil)
	e.Register(t, testenv.NewClient("d0"), "alice_1", "a good password")
	const ci = `"clientInfo":{"appId":"__UNI__TEST","uniPlatform":"web","deviceId":"d1","locale":"en"}`
	for _, tc := range []struct {
		name, path, body, want string
	}{
		{"password a number", "/login/login", `{"params":{"username":"alice_1","password":1},` + ci + `}`, "Invalid parameter: password"},
		{"password a lone surrogate", "/login/login", `{"params":{"username":"alice_1","password":"a good password\ud800"},` + ci + `}`, "Invalid parameter: password"},
		{"password a lone low surrogate", "/login/login", `{"params":{"username":"alice_1","password":"a good password\udfff"},` + ci + `}`, "Invalid parameter: password"},
		{"password with U+FFFD", "/login/login", `{"params":{"username":"alice_1","password":"a good password\ufffd"},` + ci + `}`, "Invalid parameter: password"},
		{"username invalid UTF-8", "/login/login", "{\"params\":{\"username\":\"alice_1\xc0\",\"password\":\"x\"}," + ci + "}", "Invalid parameter: username"},
		{"deviceId too long", "/login/login", `{"params":{"username":"alice_1","password":"x"},"clientInfo":{"locale":"en","deviceId":"` + strings.Repeat("d", 200) + `"}}`, "Invalid parameter: clientInfo.deviceId"},
		{"scene unknown", "/captcha/createCaptcha", `{"params":{"scene":"hack"},` + ci + `}`, "Invalid parameter: scene"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A document refused whole is answered in Accept-Language's.
			r := e.Do(t, tc.path, []byte(tc.body), map[string]string{"Accept-Language": "en-US,en"})
			if r.Code() != "uni-id-invalid-param" || r.Status != 400 || r.Body["errMsg"] != tc.want {
				t.Fatalf("%d %s, want 400 uni-id-invalid-param %q", r.Status, r.Raw, tc.want)
			}
			for _, internal := range []string{"json", "Go ", "string", "offset", "jsontext", "struct", "within"} {
				if strings.Contains(r.Raw, internal) {
					t.Errorf("the answer says %q: %s", internal, r.Raw)
				}
			}
		})
	}
}
