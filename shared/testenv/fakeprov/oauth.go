package fakeprov

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"
)

// The web OAuth providers, each served under /<name> (see New), for Fail,
// Calls and the OAuth scripting methods.
const (
	GitHub   = "github"
	Google   = "google"
	DingTalk = "dingtalk"
	Weibo    = "weibo"
	Facebook = "facebook"
	Twitter  = "twitter"
)

// OAuthUser is who a web OAuth code stands for. ID is the provider's
// stable user id (GitHub's numeric id, Google's sub, DingTalk's unionId,
// Weibo's numeric uid, Facebook's and X's id); an empty ID (random digits)
// or Name is filled at registration. Email is only ever
// answered, as the provider would: idco must not match accounts by it.
type OAuthUser struct {
	ID, Name, Avatar, Email string
	// OpenID is DingTalk's per-app openId.
	OpenID string
}

// OAuthGrant is how a code was issued: to which app (ClientID; empty: any
// registered app may redeem it), for which redirect_uri (the exchange must
// repeat it exactly; empty: any) and with which PKCE S256 challenge (the
// exchange must bring its verifier). Google's id_token can be spoiled:
// IDToken edits its claims (a nil value removes one) and BadSignature signs
// it with a key Google does not publish.
type OAuthGrant struct {
	ClientID      string
	RedirectURI   string
	CodeChallenge string
	IDToken       map[string]any
	BadSignature  bool
}

// oauthState is every web provider's apps, codes and tokens.
type oauthState struct {
	apps   map[string]map[string]string // provider -> client id -> secret
	codes  map[string]*oauthCode        // provider + "\x00" + code
	tokens map[string]*oauthToken       // provider + "\x00" + access token
	next   map[string]OAuthUser         // provider -> who the authorization page signs in
}

type oauthCode struct {
	user  OAuthUser
	grant OAuthGrant
	used  bool
}

type oauthToken struct {
	user     OAuthUser
	clientID string
	expires  time.Time
}

func (s *oauthState) init() {
	s.apps = map[string]map[string]string{}
	s.codes = map[string]*oauthCode{}
	s.tokens = map[string]*oauthToken{}
	s.next = map[string]OAuthUser{}
}

// OAuthApp registers a web application's credentials with a provider: its
// token endpoint then refuses another secret, and its authorization page
// another client id. A provider with no app registered accepts any.
func (f *Fake) OAuthApp(provider, clientID, secret string) {
	f.t.Helper()
	f.webProvider(provider)
	if clientID == "" || secret == "" {
		f.t.Fatal("fakeprov: OAuthApp: empty clientID or secret")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.oa.apps[provider] == nil {
		f.oa.apps[provider] = map[string]string{}
	}
	f.oa.apps[provider][clientID] = secret
}

// OAuthCode registers a single-use code of provider for u, issued as g
// says, and returns u as registered.
func (f *Fake) OAuthCode(provider, code string, u OAuthUser, g OAuthGrant) OAuthUser {
	f.t.Helper()
	f.webProvider(provider)
	if code == "" {
		f.t.Fatal("fakeprov: OAuthCode: empty code")
	}
	u = oauthDefaults(u)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.oa.codes[provider+"\x00"+code] = &oauthCode{user: u, grant: g}
	return u
}

// OAuthNext makes provider's authorization page sign u in, until the next
// OAuthNext; without one it signs in a new random user each time.
func (f *Fake) OAuthNext(provider string, u OAuthUser) OAuthUser {
	f.t.Helper()
	f.webProvider(provider)
	u = oauthDefaults(u)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.oa.next[provider] = u
	return u
}

func (f *Fake) webProvider(p string) {
	f.t.Helper()
	switch p {
	case GitHub, Google, DingTalk, Weibo, Facebook, Twitter:
	default:
		f.t.Fatalf("fakeprov: %q is not a web OAuth provider", p)
	}
}

func oauthDefaults(u OAuthUser) OAuthUser {
	if u.ID == "" {
		u.ID = randDigits(9)
	}
	if u.OpenID == "" {
		u.OpenID = randAlnum(24)
	}
	if u.Name == "" {
		u.Name = "user" + randDigits(4)
	}
	return u
}

// authorize is a provider's authorization page, answering at once as the
// user who consents: it checks the client id (when apps are registered)
// and the redirect_uri, keeps the PKCE challenge with a new code, and sends
// the browser back to redirect_uri with the code (under each of
// codeParams) and state.
func (f *Fake) authorize(w http.ResponseWriter, r *http.Request, provider, clientParam string, codeParams ...string) {
	q := r.URL.Query()
	clientID, redirect := q.Get(clientParam), q.Get("redirect_uri")
	back, err := url.Parse(redirect)
	f.mu.Lock()
	apps := f.oa.apps[provider]
	_, known := apps[clientID]
	u, ok := f.oa.next[provider]
	f.mu.Unlock()
	switch {
	case clientID == "" || (len(apps) > 0 && !known):
		http.Error(w, "unknown client", http.StatusBadRequest)
		return
	case redirect == "" || err != nil || !back.IsAbs():
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	case q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256":
		http.Error(w, "code_challenge_method must be S256", http.StatusBadRequest)
		return
	}
	if !ok {
		u = oauthDefaults(OAuthUser{})
	}
	code := randAlnum(20)
	f.OAuthCode(provider, code, u, OAuthGrant{ClientID: clientID, RedirectURI: redirect, CodeChallenge: q.Get("code_challenge")})
	bq := back.Query()
	for _, p := range codeParams {
		bq.Set(p, code)
	}
	if s := q.Get("state"); s != "" {
		bq.Set("state", s)
	}
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// redeemErr is why a code exchange failed.
type redeemErr int

const (
	redeemOK redeemErr = iota
	badClient
	badCode
	badRedirect
	badVerifier
)

// anyRedirect is the redirect of an exchange that names none (DingTalk's).
const anyRedirect = "\x00any"

// redeem checks a code exchange the way the providers do and, when it
// holds, uses the code up and issues an access token (7200 s by Now).
// Credentials are checked first, then the code, its app, its redirect_uri
// and its PKCE verifier; a code is used up by a good exchange only.
func (f *Fake) redeem(provider, clientID, secret, code, redirect, verifier string) (*oauthCode, string, redeemErr) {
	f.mu.Lock()
	defer f.mu.Unlock()
	apps := f.oa.apps[provider]
	want, known := apps[clientID]
	c := f.oa.codes[provider+"\x00"+code]
	switch {
	case clientID == "" || secret == "" || (len(apps) > 0 && (!known || secret != want)):
		return nil, "", badClient
	case c == nil || c.used || (c.grant.ClientID != "" && c.grant.ClientID != clientID):
		return nil, "", badCode
	case c.grant.RedirectURI != "" && redirect != anyRedirect && c.grant.RedirectURI != redirect:
		return nil, "", badRedirect
	case c.grant.CodeChallenge != "" && s256(verifier) != c.grant.CodeChallenge:
		return nil, "", badVerifier
	}
	c.used = true
	tok := randAlnum(40)
	f.oa.tokens[provider+"\x00"+tok] = &oauthToken{user: c.user, clientID: clientID, expires: f.now().Add(7200 * time.Second)}
	return c, tok, redeemOK
}

// tokenUser returns the user of a live access token of provider.
func (f *Fake) tokenUser(provider, tok string) (*oauthToken, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.oa.tokens[provider+"\x00"+tok]
	if !ok || tok == "" || !f.now().Before(t.expires) {
		return nil, false
	}
	return t, true
}

// s256 is the PKCE S256 challenge of a verifier (RFC 7636 section 4.2).
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// randDigits returns n decimal digits, the first not 0.
func randDigits(n int) string {
	b := randBytes(n)
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	if n > 0 && b[0] == '0' {
		b[0] = '1'
	}
	return string(b)
}
