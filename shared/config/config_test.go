package config

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

const secret = `"tokenSecret":"0123456789abcdef0123456789abcdef"`

func TestParseDefaults(t *testing.T) {
	s, err := Parse([]byte(`{` + secret + `}`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.For("any-app", "web")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"tokenExpiresIn", c.TokenExpiresIn, 7200},
		{"tokenExpiresThreshold", c.TokenExpiresThreshold, 1200},
		{"maxTokenLength", c.MaxTokenLength, 10},
		{"passwordErrorLimit", c.PasswordErrorLimit, 6},
		{"passwordErrorRetryTime", c.PasswordErrorRetryTime, 3600},
		{"registration", c.Idco.Registration, "open"},
		{"enumeration", c.EnumerationProtected(), true},
		{"passwordLogin", c.PasswordLoginEnabled(), true},
		{"captcha ttl", c.Idco.Captcha.ExpiresIn, 180},
		{"argon2 memory", c.Idco.Argon2.MemoryKiB, uint32(19456)},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestPlatformAndAppMerge(t *testing.T) {
	doc := `[
	  {"dcloudAppid":"__UNI__A", "isDefaultConfig":true, ` + secret + `, "tokenExpiresIn":1000, "tokenExpiresThreshold":100,
	   "app":{"tokenExpiresIn":2592000,"tokenExpiresThreshold":864000},
	   "mp-weixin":{"oauth":{"weixin":{"appid":"wx1","appsecret":"s"}}}},
	  {"dcloudAppid":"__UNI__B", "tokenSecret":"ffffffffffffffffffffffffffffffffffff", "passwordSecret":"legacy-secret"}
	]`
	s, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		app, platform string
		wantExpires   int
		wantSecret    string
	}{
		{"__UNI__A", "web", 1000, "0123456789abcdef0123456789abcdef"},
		{"__UNI__A", "app", 2592000, "0123456789abcdef0123456789abcdef"},
		{"__UNI__B", "app", 7200, "ffffffffffffffffffffffffffffffffffff"},
	}
	for i, tc := range cases {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			c, err := s.For(tc.app, tc.platform)
			if err != nil {
				t.Fatal(err)
			}
			if c.TokenExpiresIn != tc.wantExpires || c.TokenSecret != tc.wantSecret {
				t.Errorf("%s/%s: expires %d secret %q, want %d %q", tc.app, tc.platform, c.TokenExpiresIn, c.TokenSecret, tc.wantExpires, tc.wantSecret)
			}
		})
	}
	c, _ := s.For("__UNI__A", "mp-weixin")
	if c.OAuth["weixin"]["appid"] != "wx1" {
		t.Errorf("mp-weixin oauth = %v", c.OAuth)
	}
	b, _ := s.For("__UNI__B", "web")
	if len(b.PasswordSecret) != 1 || b.PasswordSecret[0].Type != "hmac-sha1" || b.PasswordSecret[0].Value != "legacy-secret" {
		t.Errorf("string passwordSecret = %+v", b.PasswordSecret)
	}
}

// TestUnknownApp: with several apps configured an unknown appId is
// refused, even with an isDefaultConfig entry; with one config any appId
// gets it and is recorded as its dcloudAppid ("" when it names none), so a
// client cannot have "*" or an invented id stored.
func TestUnknownApp(t *testing.T) {
	s, err := Parse([]byte(`[{"dcloudAppid":"a",` + secret + `},{"dcloudAppid":"b","isDefaultConfig":true,` + secret + `}]`))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"c", "*", ""} {
		if _, _, err := s.Resolve(id, "web"); err != ErrUnknownApp {
			t.Errorf("Resolve(%q) = %v, want ErrUnknownApp", id, err)
		}
	}
	if _, id, err := s.Resolve("b", "web"); id != "b" || err != nil {
		t.Errorf("Resolve(b) = %q, %v", id, err)
	}
	one, err := Parse([]byte(`{"dcloudAppid":"__UNI__ONE",` + secret + `}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"*", "__UNI__INVENTED", ""} {
		if _, got, err := one.Resolve(id, "web"); got != "__UNI__ONE" || err != nil {
			t.Errorf("single config: Resolve(%q) = %q, %v", id, got, err)
		}
	}
	none, _ := Parse([]byte(`{` + secret + `}`))
	if _, got, _ := none.Resolve("*", "web"); got != "" {
		t.Errorf("single config without dcloudAppid: Resolve(*) = %q, want \"\"", got)
	}
	if _, err := Parse([]byte(`[{"dcloudAppid":"*",` + secret + `},{"dcloudAppid":"b",` + secret + `}]`)); err == nil {
		t.Error(`dcloudAppid "*" accepted`)
	}
}

// TestStrictestWins: the settings that protect accounts are the strictest
// of all apps and platforms, for every one of them, with a warning per
// setting that differed.
func TestStrictestWins(t *testing.T) {
	s, err := Parse([]byte(`[
		{"dcloudAppid":"a",` + secret + `,"passwordErrorLimit":3,"idco":{"enumerationProtection":false,"sms":{"provider":"aliyun","accessKeyId":"k","accessKeySecret":"s","signName":"n","allowedRegions":["+86","+852"]},"limits":{"cooldownSeconds":120}}},
		{"dcloudAppid":"b",` + secret + `,"passwordErrorLimit":10,"idco":{"loginCaptchaAfter":1,"sms":{"provider":"aliyun","accessKeyId":"k","accessKeySecret":"s","signName":"n","allowedRegions":["+86","+1"]},"limits":{"verifyFailures":2}},
		 "web":{"passwordErrorRetryTime":7200}}]`))
	if err != nil {
		t.Fatal(err)
	}
	for _, app := range []string{"a", "b"} {
		for _, p := range []string{"web", "app"} {
			c, _ := s.For(app, p)
			l := c.Limits()
			if c.PasswordErrorLimit != 3 || c.PasswordErrorRetryTime != 7200 || c.Idco.LoginCaptchaAfter != 1 ||
				!c.EnumerationProtected() || l.CooldownSeconds != 120 || l.VerifyFailures != 2 || !slices.Equal(c.AllowedRegions(), []string{"+86"}) {
				t.Errorf("%s/%s: limit %d, retry %d, captcha after %d, enumeration %v, cooldown %d, verifyFailures %d, regions %v",
					app, p, c.PasswordErrorLimit, c.PasswordErrorRetryTime, c.Idco.LoginCaptchaAfter, c.EnumerationProtected(),
					l.CooldownSeconds, l.VerifyFailures, c.AllowedRegions())
			}
		}
	}
	for _, w := range []string{"passwordErrorLimit", "passwordErrorRetryTime", "idco.loginCaptchaAfter", "idco.enumerationProtection",
		"idco.limits.cooldownSeconds", "idco.limits.verifyFailures", "idco.sms.allowedRegions"} {
		if !slices.ContainsFunc(s.Warnings, func(x string) bool { return strings.HasPrefix(x, w+":") }) {
			t.Errorf("no warning for %s in %q", w, s.Warnings)
		}
	}
	if _, err := Parse([]byte(`[
		{"dcloudAppid":"a",` + secret + `,"idco":{"sms":{"provider":"aliyun","accessKeyId":"k","accessKeySecret":"s","signName":"n","allowedRegions":["+852"]}}},
		{"dcloudAppid":"b",` + secret + `,"idco":{"sms":{"provider":"aliyun","accessKeyId":"k","accessKeySecret":"s","signName":"n","allowedRegions":["+1"]}}}]`)); err == nil {
		t.Error("apps sharing no SMS region accepted")
	}
}

// TestProblemsAllAtOnce: an operator sees every problem in one run.
func TestProblemsAllAtOnce(t *testing.T) {
	doc := `{"tokenSecret":"short","tokenExpiresIn":100,"tokenExpiresThreshold":100,"passwordStrength":"ultra",
	  "maxTokenLength":0,"passwordSecret":[{"type":"md5","version":1},{"value":"x","version":1}],
	  "h5":{},"idco":{"registration":"maybe","typo":1,"audit":{"retentionDays":-1}},"mystery":true}`
	_, err := Parse([]byte(doc))
	probs, ok := err.(Problems)
	if !ok {
		t.Fatalf("err = %v, want Problems", err)
	}
	for _, want := range []string{"tokenSecret", "tokenExpiresThreshold", "passwordStrength", "maxTokenLength",
		"passwordSecret[0].type", "passwordSecret[1].version", "h5: legacy", "idco: json: unknown field \"typo\""} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems miss %q: %v", want, probs)
		}
	}
}

func TestWarnings(t *testing.T) {
	s, err := Parse([]byte(`{` + secret + `,"tokenExpiresInn":5}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "tokenExpiresInn") {
		t.Errorf("warnings = %v", s.Warnings)
	}
}

func TestWrongTypes(t *testing.T) {
	_, err := Parse([]byte(`{` + secret + `,"tokenExpiresIn":"7200","userRegisterDefaultRole":"user"}`))
	if err == nil || !strings.Contains(err.Error(), "tokenExpiresIn: wrong type") || !strings.Contains(err.Error(), "userRegisterDefaultRole: wrong type") {
		t.Errorf("err = %v", err)
	}
}

func TestNotJSON(t *testing.T) {
	for _, doc := range []string{``, `{`, `[]`, `"x"`} {
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("Parse(%q) = nil error", doc)
		}
	}
}

// TestFrv: idco.frv names every missing key at once, and needs the
// sensitive-data secret.
func TestFrv(t *testing.T) {
	for limit, ok := range map[int]bool{-1: false, 0: true, 1: true, 100: true, 101: false} {
		_, err := Parse([]byte(`{` + secret + `,"idCardCertifyLimit":` + strconv.Itoa(limit) + `}`))
		if (err == nil) != ok {
			t.Errorf("idCardCertifyLimit %d: %v, want ok %v", limit, err, ok)
		}
	}
	_, err := Parse([]byte(`{` + secret + `,"idco":{"frv":{"provider":"tencent","endpoint":"http://cloudauth.example.com","model":"x y"}}}`))
	for _, want := range []string{`idco.frv.provider: must be "aliyun"`, "idco.frv.accessKeyId: required",
		"idco.frv.accessKeySecret: required", "idco.frv.sceneId: required", "idco.frv.model:",
		"sensitiveInfoEncryptSecret: required by idco.frv", "idco.frv.endpoint: must be https"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("problems miss %q: %v", want, err)
		}
	}
	tests := []struct {
		endpoint string
		ok       bool
	}{
		{"", true},
		{"cloudauth.aliyuncs.com", true},
		{"https://cloudauth.cn-shanghai.aliyuncs.com", true},
		{"http://127.0.0.1:9000", true},
		{"http://localhost:9000", true},
		{"http://cloudauth.aliyuncs.com", false},
		{"https://cloudauth.aliyuncs.com/path", false},
	}
	for _, tc := range tests {
		doc := `{` + secret + `,"sensitiveInfoEncryptSecret":"0123456789abcdef0123456789abcdef",
		  "idco":{"frv":{"accessKeyId":"LTAI","accessKeySecret":"s","sceneId":1000001,"model":"LIVENESS","endpoint":"` + tc.endpoint + `"}}}`
		s, err := Parse([]byte(doc))
		if (err == nil) != tc.ok {
			t.Errorf("endpoint %q: err %v, want ok %v", tc.endpoint, err, tc.ok)
			continue
		}
		if tc.ok {
			c, _ := s.For("a", "app")
			if c.Idco.Frv == nil || c.Idco.Frv.SceneID != 1000001 || c.Idco.Frv.Model != "LIVENESS" {
				t.Errorf("idco.frv = %+v", c.Idco.Frv)
			}
		}
	}
}

// TestThirdPartyDefaultRole: the roles a third-party sign-up gets are read,
// and admin is refused, since anyone with an account at a provider would
// get it.
func TestThirdPartyDefaultRole(t *testing.T) {
	s, err := Parse([]byte(`{` + secret + `,"idco":{"thirdPartyDefaultRole":["reader","guest"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := s.Resolve("", "web")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Idco.ThirdPartyDefaultRole, ","); got != "reader,guest" {
		t.Errorf("thirdPartyDefaultRole = %q", got)
	}
	for doc, want := range map[string]string{
		`["reader","admin"]`: "must not include admin",
		`["reader",""]`:      "a role id is empty",
		`"reader"`:           "idco: wrong type",
	} {
		_, err := Parse([]byte(`{` + secret + `,"idco":{"thirdPartyDefaultRole":` + doc + `}}`))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", doc, err, want)
		}
	}
}
