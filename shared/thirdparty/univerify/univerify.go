// Package univerify is uni-app's one-click login (一键登录): the carrier's
// token turned into a phone number, through DCloud's uniCloud URL function
// proxy or Aliyun's phone number verification service
// (shared/providers/univerify). It proves a phone number, not an identity.
package univerify

import (
	"context"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	uv "github.com/idco-dev/idco/shared/providers/univerify"
	"github.com/idco-dev/idco/shared/thirdparty/kit"
)

// EnvAliyunEndpoint points the Aliyun client elsewhere (tests). Production
// leaves it unset.
const EnvAliyunEndpoint = "IDCO_ALIYUN_PNVS_ENDPOINT"

// Provider is one-click login.
var Provider account.Provider = provider{}

type provider struct{}

func (provider) Name() string { return account.Univerify }

func (provider) Supported(cfg *config.Config, platform string) bool {
	return platform == "app" && cfg.Idco.Univerify != nil
}

// Phone turns the carrier's token into the number.
func (provider) Phone(ctx context.Context, env *kit.Env, cfg *config.Config, pr account.PhoneProof) (string, error) {
	u := cfg.Idco.Univerify
	if u == nil {
		return "", &apierr.Error{Code: apierr.ConfigFieldRequired, Values: map[string]string{"field": "idco.univerify"}}
	}
	var phone string
	var err error
	if u.Provider == "aliyun" {
		cl := &uv.AliyunClient{Endpoint: env.Getenv(EnvAliyunEndpoint), AccessKeyID: u.AccessKeyID, AccessKeySecret: u.AccessKeySecret, HTTP: env.HTTP, Now: env.Now}
		phone, err = cl.PhoneNumber(ctx, pr.AccessToken, pr.OpenID)
	} else {
		cl := &uv.Client{URL: u.URL, Secret: u.Secret, AppID: pr.AppID, HTTP: env.HTTP, Now: env.Now}
		phone, err = cl.PhoneNumber(ctx, pr.AccessToken, pr.OpenID)
	}
	if err != nil {
		return "", kit.Classify(err, uv.IsRetryable(err), false)
	}
	return phone, nil
}
