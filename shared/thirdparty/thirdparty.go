// Package thirdparty is the adapter between the account domain and the
// provider clients: it picks the app's credentials from the config, calls
// WeChat, QQ, Alipay, Apple or the one-click login provider, and maps their
// failures to uni-id's errCodes (a bad or used code, rate limited, or
// retryable when the provider is down).
package thirdparty

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/providers/apple"
	"github.com/idco-dev/idco/shared/providers/qq"
	"github.com/idco-dev/idco/shared/providers/weixin"
	"github.com/idco-dev/idco/shared/wiring"
)

// Environment variables that point the clients at other endpoints (tests,
// the dev server with fakes). Production leaves them unset.
const (
	EnvWeixin     = "IDCO_WEIXIN_BASE_URL"
	EnvQQMini     = "IDCO_QQ_MINI_BASE_URL"
	EnvQQGraph    = "IDCO_QQ_GRAPH_BASE_URL"
	EnvAlipay     = "IDCO_ALIPAY_GATEWAY"
	EnvAppleJWKS  = "IDCO_APPLE_JWKS_URL"
	EnvAliyunPNVS = "IDCO_ALIYUN_PNVS_ENDPOINT"
)

// Providers implements account.Identities and account.Phones.
type Providers struct {
	Weixin         *weixin.Client
	QQ             *qq.Client
	AlipayGateway  string // "" means Alipay's
	Apple          *apple.Verifier
	AliyunEndpoint string
	HTTP           *http.Client
	Cache          account.Cache // the shared mini-program access token
	Now            func() time.Time
}

var (
	_ account.Identities = (*Providers)(nil)
	_ account.Phones     = (*Providers)(nil)
)

// New returns Providers with endpoints from getenv and clients that keep
// every call inside a Lambda's deadline.
func New(getenv func(string) string, cache account.Cache, now func() time.Time) *Providers {
	hc := &http.Client{Timeout: 5 * time.Second}
	return &Providers{
		Weixin:         &weixin.Client{BaseURL: getenv(EnvWeixin), HTTP: hc},
		QQ:             &qq.Client{MiniBaseURL: getenv(EnvQQMini), GraphBaseURL: getenv(EnvQQGraph), HTTP: hc},
		AlipayGateway:  getenv(EnvAlipay),
		Apple:          &apple.Verifier{JWKSURL: getenv(EnvAppleJWKS), HTTP: hc, Now: now},
		AliyunEndpoint: getenv(EnvAliyunPNVS),
		HTTP:           hc,
		Cache:          cache,
		Now:            now,
	}
}

func (p *Providers) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Identify implements account.Identities.
func (p *Providers) Identify(ctx context.Context, cfg *config.Config, pr account.Proof) (*account.Identity, error) {
	switch pr.Provider {
	case account.Weixin:
		return p.weixin(ctx, cfg, pr)
	case account.QQ:
		return p.qq(ctx, cfg, pr)
	case account.Alipay:
		return p.alipay(ctx, cfg, pr)
	case account.Apple:
		return p.apple(ctx, cfg, pr)
	}
	return nil, apierr.New(apierr.InvalidParam)
}

// creds returns an oauth block's keys or the config error naming the
// first missing one.
func creds(cfg *config.Config, platform, block string, keys ...string) ([]string, error) {
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

// classify maps a provider failure to the client's answer.
func classify(err error, retryable, limited bool) error {
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

// isWeChatBrowser tells WeChat's in-app browser (the official account, h5)
// from an ordinary browser (website QR login), as uni-id does.
func isWeChatBrowser(ua string) bool { return strings.Contains(ua, "MicroMessenger") }

// Wire adds the third-party clients to a service (the login and bind
// functions).
var Wire = wiring.Wire{Name: "thirdparty", ThirdParty: true, Apply: apply}

func apply(_ context.Context, svc *account.Service, rt wiring.Runtime) error {
	p := New(rt.Getenv, svc.Cache, svc.Now)
	svc.Identities, svc.Phones = p, p
	return nil
}
