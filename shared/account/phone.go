package account

import (
	"strings"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/internal/lazyre"
)

var (
	e164RE     = lazyre.New(`^\+[1-9][0-9]{6,14}$`)
	mainlandRE = lazyre.New(`^1[3-9][0-9]{9}$`)
)

// phone is a mobile number in its two forms: E.164 for keys and providers,
// and the form stored in uni-id's mobile field (11 digits for mainland
// China, as uni-id clients expect, E.164 otherwise).
type phone struct {
	E164, Stored string
}

// parsePhone accepts uni-id's 11-digit mainland form or E.164, and refuses
// numbers outside the allowed regions (calling codes such as "+86").
func parsePhone(s string, allowed []string) (phone, error) {
	s = strings.TrimSpace(s)
	var p phone
	switch {
	case mainlandRE.MatchString(s):
		p = phone{E164: "+86" + s, Stored: s}
	case e164RE.MatchString(s):
		p = phone{E164: s, Stored: s}
		if rest, ok := strings.CutPrefix(s, "+86"); ok {
			if !mainlandRE.MatchString(rest) {
				return phone{}, apierr.New(apierr.InvalidMobile)
			}
			p.Stored = rest
		}
	default:
		return phone{}, apierr.New(apierr.InvalidMobile)
	}
	for _, r := range allowed {
		if strings.HasPrefix(p.E164, r) {
			return p, nil
		}
	}
	return phone{}, apierr.New(apierr.MobileRegionRefused)
}

// e164Of returns the E.164 form of a stored mobile.
func e164Of(stored string) string {
	if strings.HasPrefix(stored, "+") {
		return stored
	}
	return "+86" + stored
}
