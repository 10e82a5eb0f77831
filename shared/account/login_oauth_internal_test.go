package account

import (
	"errors"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/apierr"
)

func TestValidRedirectURI(t *testing.T) {
	long := "https://app.example.com/" + strings.Repeat("a", maxRedirectURI-len("https://app.example.com/"))
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"https://app.example.com/oauth/callback/github", true},
		{"http://127.0.0.1:8080/oauth/callback/google", true},
		{"https://app.example.com/cb?next=%2Fhome", true},
		{long, true},        // 2048 bytes
		{long + "a", false}, // 2049
		{"", false},         // empty
		{"/oauth/callback", false},
		{"app.example.com/cb", false},
		{"javascript:alert(1)", false},
		{"ftp://app.example.com/cb", false},
		{"https:///cb", false},
		{"https://app.example.com/cb#frag", false},
		{"https://app.example.com/cb#", false},
		{"https://user:pw@app.example.com/cb", false},
		{"https://app.example.com/c b", false},
		{"https://app.example.com/cb\n", false},
	} {
		if got := validRedirectURI(tc.in); got != tc.ok {
			t.Errorf("validRedirectURI(%.40q) = %v, want %v", tc.in, got, tc.ok)
		}
	}
}

func TestCheckOAuth(t *testing.T) {
	v43, v128 := strings.Repeat("v", 43), strings.Repeat("A1-._~", 21)+"ab"
	good := OAuthParams{Provider: "github", Code: "c", RedirectURI: "https://a.example/cb"}
	for _, tc := range []struct {
		edit func(p *OAuthParams)
		want string // "" for no error
	}{
		{func(p *OAuthParams) {}, ""},
		{func(p *OAuthParams) { p.CodeVerifier = v43 }, ""},                                // shortest verifier
		{func(p *OAuthParams) { p.CodeVerifier = v128 }, ""},                               // longest
		{func(p *OAuthParams) { p.CodeVerifier = v43[:42] }, "uni-id-invalid-param"},       // 42
		{func(p *OAuthParams) { p.CodeVerifier = v128 + "a" }, "uni-id-invalid-param"},     // 129
		{func(p *OAuthParams) { p.CodeVerifier = v43[:42] + "+" }, "uni-id-invalid-param"}, // not unreserved
		{func(p *OAuthParams) { p.Code = strings.Repeat("c", maxOAuthCode) }, ""},          // max
		{func(p *OAuthParams) { p.Code = strings.Repeat("c", maxOAuthCode+1) }, "uni-id-invalid-param"},
		{func(p *OAuthParams) { p.Code = " " }, "uni-id-param-required"},
		{func(p *OAuthParams) { p.Provider = "" }, "uni-id-param-required"},
		{func(p *OAuthParams) { p.RedirectURI = "" }, "uni-id-param-required"},
		{func(p *OAuthParams) { p.RedirectURI = "cb" }, "uni-id-invalid-param"},
		{func(p *OAuthParams) { p.InviteCode = "bad code" }, "uni-id-invalid-invite-code"},
	} {
		p := good
		tc.edit(&p)
		err := checkOAuth(&p)
		if got := errCode(err); got != tc.want {
			t.Errorf("checkOAuth(%+v) = %v, want %q", p, err, tc.want)
		}
	}
	if !pkceChallengeRE.MatchString(strings.Repeat("A", 43)) || pkceChallengeRE.MatchString(strings.Repeat("A", 44)) ||
		pkceChallengeRE.MatchString(strings.Repeat("A", 42)+"=") {
		t.Error("a PKCE S256 challenge is 43 base64url characters")
	}
}

// errCode is err's catalogue code, "" for nil.
func errCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*apierr.Error](err); ok {
		return e.Code
	}
	return "not an *apierr.Error"
}
