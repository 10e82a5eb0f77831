package weixin

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
	wx "github.com/idco-dev/idco/shared/providers/weixin"
	"github.com/idco-dev/idco/shared/thirdparty/kit"
	"github.com/idco-dev/idco/shared/wiring"
)

// Codes draws the mini-program codes of QR-code login
// (account.MiniProgramCodes) with the mini program's access token, kept
// in the cache as the phone-number calls keep it.
type Codes struct{ Env *kit.Env }

var _ account.MiniProgramCodes = (*Codes)(nil)

// CodesWire gives the oauth function the mini-program codes, linking the
// WeChat client only.
var CodesWire = wiring.Wire{Name: "weixin-codes", ThirdParty: true, Apply: func(_ context.Context, svc *account.Service, rt wiring.Runtime) error {
	svc.MiniProgramCodes = &Codes{Env: &kit.Env{HTTP: &http.Client{Timeout: 5 * time.Second}, Getenv: rt.Getenv, Cache: svc.Cache, Now: svc.Now}}
	return nil
}}

// MiniProgramCode implements account.MiniProgramCodes with
// wxacode.getUnlimited for cfg's mini program (mp-weixin.oauth.weixin)
// and idco.qrLogin's page, envVersion and checkPath.
func (c *Codes) MiniProgramCode(ctx context.Context, cfg *config.Config, scene string) ([]byte, string, error) {
	creds, err := kit.Creds(cfg, "mp-weixin", "weixin", "appid", "appsecret")
	if err != nil {
		return nil, "", err
	}
	appID, secret := creds[0], creds[1]
	q := cfg.Idco.QRLogin
	req := wx.CodeRequest{Scene: scene, Page: q.Page, CheckPath: cfg.QRCheckPath(), EnvVersion: q.EnvVersion}
	cl := client(c.Env)
	for attempt := range 2 {
		tok, err := mpToken(ctx, c.Env, cl, appID, secret, attempt > 0)
		if err != nil {
			return nil, "", classify(err)
		}
		pic, ct, err := cl.UnlimitedCode(ctx, tok, req)
		var we *wx.Error
		switch {
		case errors.As(err, &we) && we.InvalidToken() && attempt == 0:
			continue // the cached token was revoked: fetch a new one once
		case errors.As(err, &we) && we.InvalidPage():
			return nil, "", &apierr.Error{Code: apierr.ConfigFieldInvalid, Values: map[string]string{"field": "idco.qrLogin.page"}, Cause: err}
		case err != nil:
			return nil, "", classify(err)
		}
		return pic, ct, nil
	}
	return nil, "", apierr.New(apierr.RetryLater)
}
