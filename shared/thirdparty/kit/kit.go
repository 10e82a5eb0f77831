// Package kit is what every login provider package of shared/thirdparty
// shares: the clients' environment, the config's credentials, and the
// mapping of provider failures to uni-id's errCodes (a bad or used code,
// rate limited, or retryable when the provider is down).
package kit

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// Env is what a provider's calls run with: an HTTP client that keeps every
// call inside a Lambda's deadline, the environment (a provider reads its
// endpoint override there: tests and the dev server point it at fakes),
// the shared cache and the clock.
type Env struct {
	HTTP   *http.Client
	Getenv func(string) string
	Cache  account.Cache
	Now    func() time.Time

	kept sync.Map
}

// Keep returns the value kept under name, building it on first use: a
// client with state worth keeping across calls (Apple's signing keys).
func (e *Env) Keep(name string, build func() any) any {
	if v, ok := e.kept.Load(name); ok {
		return v
	}
	v, _ := e.kept.LoadOrStore(name, build())
	return v
}

// Time returns the current time by the env's clock.
func (e *Env) Time() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// Identifier is a provider that verifies identity proofs.
type Identifier interface {
	Identify(ctx context.Context, env *Env, cfg *config.Config, p account.Proof) (*account.Identity, error)
}

// WebAuthorizer is a web provider's first redirect: AuthCodeURL returns
// the provider's authorization page for the app's web application (the
// keys of cfg's oauth block for the provider), asking it to send the
// browser back to redirectURI with a code and state. codeChallenge is a
// PKCE S256 challenge; a provider without PKCE leaves it out, X requires
// it. Errors are *apierr.Error (uni-id-config-field-required,
// uni-id-param-required).
type WebAuthorizer interface {
	AuthCodeURL(env *Env, cfg *config.Config, redirectURI, state, codeChallenge string) (string, error)
}

// PhoneReader is a provider that turns phone proofs into numbers.
type PhoneReader interface {
	Phone(ctx context.Context, env *Env, cfg *config.Config, p account.PhoneProof) (string, error)
}

// Creds returns an oauth block's keys or the config error naming the first
// missing one.
func Creds(cfg *config.Config, platform, block string, keys ...string) ([]string, error) {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = cfg.OAuthString(block, k)
		if out[i] == "" {
			return nil, &apierr.Error{Code: apierr.ConfigFieldRequired,
				Values: map[string]string{"field": platform + ".oauth." + block + "." + k}}
		}
	}
	return out, nil
}

// Has reports whether cfg's oauth block has every key.
func Has(cfg *config.Config, block string, keys ...string) bool {
	for _, k := range keys {
		if cfg.OAuthString(block, k) == "" {
			return false
		}
	}
	return true
}

// Classify maps a provider failure to the client's answer.
func Classify(err error, retryable, limited bool) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return apierr.Wrap(apierr.RetryLater, err)
	case limited:
		return apierr.Wrap(apierr.RateLimited, err)
	case retryable:
		return apierr.Wrap(apierr.RetryLater, err)
	}
	return apierr.Wrap(apierr.ThirdPartyFailed, err)
}

// ClassifyAPI maps a provider client's failure by the methods its error
// chain has: Retryable (httpcall.IsRetryable) and RateLimited.
func ClassifyAPI(err error) error {
	var rl interface{ RateLimited() bool }
	limited := errors.As(err, &rl) && rl.RateLimited()
	return Classify(err, httpcall.IsRetryable(err), limited)
}

// Missing reports whether a proof field is empty.
func Missing(s string) bool { return strings.TrimSpace(s) == "" }

// SessionKeyTTL is how long a mini-program session_key is kept, as uni-id's
// open-data cache.
const SessionKeyTTL = 30 * 24 * time.Hour

// PerApp returns the unique keys of a provider that keeps its openids per
// sub-platform and app (the <p>_<appId> entries of uni-id's wx_openid and
// qq_openid) and its unionid across apps: prefix-openid:<p>_<appId>:<openid>
// and prefix-unionid:<unionid>.
func PerApp(prefix string, openids map[string]string, unionid string) []string {
	var keys []string
	for _, k := range sortedKeys(openids) {
		if strings.Contains(k, "_") {
			keys = append(keys, prefix+"-openid:"+k+":"+openids[k])
		}
	}
	if unionid != "" {
		keys = append(keys, prefix+"-unionid:"+unionid)
	}
	return keys
}

// PerAppSlot returns the lookup keys of an identity of such a provider.
func PerAppSlot(prefix string, id *account.Identity, appID string) (openKey, unionKey string) {
	openKey = prefix + "-openid:" + id.Sub + "_" + appID + ":" + id.OpenID
	if id.UnionID != "" {
		unionKey = prefix + "-unionid:" + id.UnionID
	}
	return openKey, unionKey
}

// AttachPerApp writes an identity of such a provider as uni-id does: the
// openid under both <p> and <p>_<appId>, and the unionid.
func AttachPerApp(openids *map[string]string, unionid *string, id *account.Identity, appID string) {
	if *openids == nil {
		*openids = map[string]string{}
	}
	(*openids)[id.Sub], (*openids)[id.Sub+"_"+appID] = id.OpenID, id.OpenID
	if id.UnionID != "" {
		*unionid = id.UnionID
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
