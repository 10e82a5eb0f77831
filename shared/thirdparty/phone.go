package thirdparty

import (
	"context"
	"errors"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/providers/univerify"
	"github.com/idco-dev/idco/shared/providers/weixin"
)

// Phone implements account.Phones.
func (p *Providers) Phone(ctx context.Context, cfg *config.Config, pr account.PhoneProof) (string, error) {
	switch pr.Kind {
	case "weixin":
		return p.weixinPhone(ctx, cfg, pr.Code)
	case "weixin-data":
		c, err := creds(cfg, "mp-weixin", "weixin", "appid")
		if err != nil {
			return "", err
		}
		ph, err := weixin.DecryptPhone(pr.SessionKey, pr.Data, pr.IV, c[0])
		if err != nil {
			// Every decryption failure answers the same, so the answers
			// cannot be used as a padding oracle.
			return "", apierr.Wrap(apierr.ThirdPartyFailed, errors.New("encrypted data rejected"))
		}
		return phoneOf(ph), nil
	case "univerify":
		return p.univerify(ctx, cfg, pr)
	}
	return "", apierr.New(apierr.InvalidParam)
}

func (p *Providers) univerify(ctx context.Context, cfg *config.Config, pr account.PhoneProof) (string, error) {
	u := cfg.Idco.Univerify
	if u == nil {
		return "", &apierr.Error{Code: apierr.ConfigFieldRequired, Values: map[string]string{"field": "idco.univerify"}}
	}
	var phone string
	var err error
	if u.Provider == "aliyun" {
		cl := &univerify.AliyunClient{Endpoint: p.AliyunEndpoint, AccessKeyID: u.AccessKeyID, AccessKeySecret: u.AccessKeySecret, HTTP: p.HTTP, Now: p.Now}
		phone, err = cl.PhoneNumber(ctx, pr.AccessToken, pr.OpenID)
	} else {
		cl := &univerify.Client{URL: u.URL, Secret: u.Secret, AppID: pr.AppID, HTTP: p.HTTP, Now: p.Now}
		phone, err = cl.PhoneNumber(ctx, pr.AccessToken, pr.OpenID)
	}
	if err != nil {
		return "", classify(err, univerify.IsRetryable(err), false)
	}
	return phone, nil
}
