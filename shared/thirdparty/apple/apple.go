// Package apple is the Sign in with Apple provider: an identity token
// verified against Apple's keys (shared/providers/apple).
package apple

import (
	"context"
	"errors"
	"strings"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	appleapi "github.com/idco-dev/idco/shared/providers/apple"
	"github.com/idco-dev/idco/shared/thirdparty/kit"
)

// EnvJWKSURL points the verifier at other signing keys (tests, the dev
// server with fakes). Production leaves it unset.
const EnvJWKSURL = "IDCO_APPLE_JWKS_URL"

// Provider is Apple.
var Provider account.IdentityProvider = provider{}

type provider struct{}

func (provider) Name() string { return account.Apple }

func (provider) Supported(cfg *config.Config, platform string) bool {
	return (platform == "app" || platform == "web") && len(cfg.AppleAudiences()) > 0
}

func (provider) Keys(u *account.User) []string {
	if u.AppleOpenid == "" {
		return nil
	}
	return []string{"apple:" + u.AppleOpenid}
}

func (provider) Slot(id *account.Identity, _ string) (string, string) {
	return "apple:" + id.OpenID, ""
}

func (provider) Owns(key string) bool { return strings.HasPrefix(key, "apple:") }

func (provider) Attach(u *account.User, id *account.Identity, _ string) { u.AppleOpenid = id.OpenID }

func (provider) Detach(u *account.User) bool {
	had := u.AppleOpenid != ""
	u.AppleOpenid = ""
	return had
}

func (provider) Bound(u *account.User) bool { return u.AppleOpenid != "" }

// Identify verifies an identity token. An Apple email never matches an
// account: only sub is kept.
func (provider) Identify(ctx context.Context, env *kit.Env, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	if kit.Missing(pr.IdentityToken) {
		return nil, apierr.Param(apierr.ParamRequired, "identityToken")
	}
	auds := cfg.AppleAudiences()
	if len(auds) == 0 {
		return nil, &apierr.Error{Code: apierr.ConfigFieldRequired, Values: map[string]string{"field": pr.Platform + ".oauth.apple.bundleId"}}
	}
	// One verifier per process keeps Apple's keys between calls.
	v := env.Keep("apple", func() any {
		return &appleapi.Verifier{JWKSURL: env.Getenv(EnvJWKSURL), HTTP: env.HTTP, Now: env.Now}
	}).(*appleapi.Verifier)
	id, err := v.Verify(ctx, pr.IdentityToken, auds, pr.Nonce)
	if err != nil {
		return nil, kit.Classify(err, errors.Is(err, appleapi.ErrUnavailable), false)
	}
	return &account.Identity{Provider: account.Apple, Sub: "app", OpenID: id.Subject}, nil
}
