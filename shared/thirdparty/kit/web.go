package kit

import (
	"context"
	"encoding/base64"
	"unicode/utf8"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
)

// Web declares a web login provider whose web application's keys are
// web.oauth.<name>.appid and .appsecret (uni-id's names for every
// provider's keys): its name and identity storage (Keyed), its button and
// whether it takes PKCE. A provider package embeds it and adds Identify
// and AuthCodeURL.
type Web struct {
	Keyed
	ZhName, EnName string // display names in zh-Hans and en
	IconSVG        string // the button's icon, an SVG document
	Pkce           bool
}

// Supported reports whether a web client of the app may use the provider.
func (w Web) Supported(cfg *config.Config, platform string) bool {
	return platform == "web" && Has(cfg, w.Name(), "appid", "appsecret")
}

// WebSupported is Supported: these providers have only a web login.
func (w Web) WebSupported(cfg *config.Config, platform string) bool {
	return w.Supported(cfg, platform)
}

// Button returns the names and the icon as a data: URL.
func (w Web) Button() account.Button {
	return account.Button{Names: map[string]string{"zh-Hans": w.ZhName, "en": w.EnName}, Icon: SVGIcon(w.IconSVG)}
}

// PKCE reports whether the provider takes a PKCE code challenge.
func (w Web) PKCE() bool { return w.Pkce }

// SVGIcon returns an SVG document as a data: URL, so that a login page
// loads no external asset.
func SVGIcon(svg string) string {
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(svg))
}

// WebCreds returns the app's appid and appsecret for block on the proof's
// platform, after checking the proof has the code and the redirect URI.
func WebCreds(cfg *config.Config, pr account.Proof, block string) (appID, secret string, err error) {
	switch {
	case Missing(pr.Code):
		return "", "", apierr.Param(apierr.ParamRequired, "code")
	case Missing(pr.RedirectURI):
		return "", "", apierr.Param(apierr.ParamRequired, "redirectUri")
	}
	c, err := Creds(cfg, pr.Platform, block, "appid", "appsecret")
	if err != nil {
		return "", "", err
	}
	return c[0], c[1], nil
}

// WebAppID returns the app's appid for block, for an authorization address.
func WebAppID(cfg *config.Config, block string) (string, error) {
	c, err := Creds(cfg, "web", block, "appid")
	if err != nil {
		return "", err
	}
	return c[0], nil
}

// Badge returns a button icon: one or two characters in white on a
// rounded square of color. Providers' own logos are their trademarks and
// paths too long to inline; a badge in the brand's color is what the list
// needs.
func Badge(color, text string) string {
	size, y := "30", "42"
	if utf8.RuneCountInString(text) > 1 {
		size, y = "24", "40"
	}
	return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">` +
		`<rect width="64" height="64" rx="14" fill="` + color + `"/>` +
		`<text x="32" y="` + y + `" font-family="Arial,Helvetica,'PingFang SC','Microsoft YaHei',sans-serif" font-size="` + size +
		`" font-weight="700" text-anchor="middle" fill="#fff">` + text + `</text></svg>`
}

// KnownProfile is an Identity.Profile for a nickname and avatar the
// provider already gave.
func KnownProfile(nickname, avatar string) func(context.Context) (string, string, error) {
	return func(context.Context) (string, string, error) { return nickname, avatar, nil }
}
