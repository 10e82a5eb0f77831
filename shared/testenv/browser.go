package testenv

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Browser is a user's browser for the open platform's hosted pages: it
// keeps cookies and follows redirects within idco (Base) and the sites
// also given (a provider's sign-in page), stopping at the first that
// leaves them (back to the app).
type Browser struct {
	t    testing.TB
	Base string
	http *http.Client
}

// NewBrowser returns a browser of idco at base.
func NewBrowser(t testing.TB, base string, also ...string) *Browser {
	jar, _ := cookiejar.New(nil)
	b := &Browser{t: t, Base: base}
	b.http = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		for _, site := range append(also, base) {
			if strings.HasPrefix(req.URL.String(), site+"/") {
				return nil
			}
		}
		return http.ErrUseLastResponse
	}}
	return b
}

// Page is an answer as the browser sees it.
type Page struct {
	Status   int
	URL      string // where the browser ended up
	Location string // a redirect out of idco, if the answer is one
	Body     string
}

func (b *Browser) do(req *http.Request) Page {
	b.t.Helper()
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return Page{Status: res.StatusCode, URL: res.Request.URL.String(), Location: res.Header.Get("Location"), Body: string(body)}
}

// Get opens u.
func (b *Browser) Get(u string) Page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(req)
}

// Post posts form to path on idco.
func (b *Browser) Post(path string, form url.Values) Page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.Base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// Hidden finds a hosted page's hidden txn and csrf fields.
var Hidden = regexp.MustCompile(`name="(txn|csrf)" value="([^"]*)"`)

// Submit posts a form of p (its hidden txn and csrf, plus fields) to path.
func (b *Browser) Submit(p Page, path string, fields url.Values) Page {
	b.t.Helper()
	for _, m := range Hidden.FindAllStringSubmatch(p.Body, 2) {
		fields.Set(m[1], m[2])
	}
	if fields.Get("csrf") == "" {
		b.t.Fatalf("no form on %s: %s", p.URL, p.Body)
	}
	return b.Post(path, fields)
}

var appName = regexp.MustCompile(`<strong>[^<]+</strong>`)

// Login runs the hosted login page with a password (when it shows) and
// the consent page (when it shows: Allow), and returns the redirect back
// to the app.
func (b *Browser) Login(authURL, account, pw string) *url.URL {
	b.t.Helper()
	p := b.Get(authURL)
	if strings.Contains(p.URL, "/oauth2/login") {
		p = b.Submit(p, "/oauth2/login", url.Values{"via": {"password"}, "account": {account}, "password": {pw}})
	}
	if strings.Contains(p.URL, "/oauth2/consent") {
		if !appName.MatchString(p.Body) {
			b.t.Errorf("the consent page does not name the app: %s", p.Body)
		}
		p = b.Submit(p, "/oauth2/consent", url.Values{"decision": {"allow"}})
	}
	if p.Location == "" {
		b.t.Fatalf("no redirect back to the app from %s (%d): %s", p.URL, p.Status, p.Body)
	}
	u, err := url.Parse(p.Location)
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}
