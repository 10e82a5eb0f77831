// Package oidckeys wires the open platform's issuer and signing keys into
// a service (the oauth and oidc functions), and names the environment
// they come from. It is apart from shared/oidc so that what only needs the
// names (the composition root's list of variables) links no page code.
package oidckeys

import (
	"context"
	"errors"
	"time"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/internal/awsapi"
	"github.com/idco-dev/idco/shared/signing"
	"github.com/idco-dev/idco/shared/wiring"
)

// The environment the open platform reads: its issuer URL, and where its
// key set is (an SSM SecureString parameter in AWS, a file in dev).
const (
	EnvIssuer        = "IDCO_ISSUER"
	EnvKeysParameter = "IDCO_OIDC_KEYS_PARAMETER"
	EnvKeysFile      = "IDCO_OIDC_KEYS_FILE"
)

// KeysReload is how often a running function re-reads the key set, so a
// rotation reaches it within this time.
const KeysReload = 5 * time.Minute

// Wire gives a service the issuer and the key set.
var Wire = wiring.Wire{Name: "oidc-keys", Apply: applyKeys}

func applyKeys(_ context.Context, svc *account.Service, rt wiring.Runtime) error {
	svc.Issuer = rt.Getenv(EnvIssuer)
	if svc.Issuer == "" {
		return errors.New(EnvIssuer + " is not set: the open platform needs its issuer URL")
	}
	r := &signing.Reloading{Every: KeysReload, Now: svc.Now}
	switch param, file := rt.Getenv(EnvKeysParameter), rt.Getenv(EnvKeysFile); {
	case param != "":
		r.Load = func(ctx context.Context) ([]byte, error) {
			cfg, err := rt.AWS()
			if err != nil {
				return nil, err
			}
			return awsapi.GetParameter(ctx, cfg, param)
		}
	case file != "":
		r.Load = signing.File(file)
	default:
		return errors.New("set " + EnvKeysParameter + " (AWS) or " + EnvKeysFile + " (dev): the open platform's signing keys")
	}
	svc.SigningKeys = r
	return nil
}
