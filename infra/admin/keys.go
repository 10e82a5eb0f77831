package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/idco-dev/idco/shared/app"
	"github.com/idco-dev/idco/shared/signing"
)

// keyStore is where the open platform's key set lives.
type keyStore struct {
	read  func(ctx context.Context) ([]byte, bool, error)
	write func(ctx context.Context, data []byte) error
}

// rotateKeys creates the open platform's key set, or moves it one step:
// each algorithm's next key becomes active, the active one retired (it
// still verifies), the retired one goes, and a new next key is made.
// Functions pick the change up within oidckeys.KeysReload.
//
//	admin rotate-keys -parameter /idco/oidc-keys   # AWS (SSM SecureString)
//	admin rotate-keys -file .idco/oidc-keys.json   # the dev server's
func rotateKeys(ctx context.Context, args []string, stdout io.Writer, now time.Time) error {
	sub := flag.NewFlagSet("rotate-keys", flag.ContinueOnError)
	param := sub.String("parameter", "", "the SSM SecureString parameter (template parameter OidcKeysParameterName)")
	file := sub.String("file", "", "a key set file (the dev server's .idco/oidc-keys.json)")
	if err := sub.Parse(args); err != nil {
		return err
	}
	var st keyStore
	switch {
	case (*param == "") == (*file == ""):
		return errors.New("rotate-keys: give exactly one of -parameter and -file")
	case *file != "":
		st = fileKeys(*file)
	default:
		cfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return fmt.Errorf("aws config: %w", err)
		}
		st = keyStore{
			read:  func(ctx context.Context) ([]byte, bool, error) { return app.ReadParameter(ctx, cfg, *param) },
			write: func(ctx context.Context, data []byte) error { return app.WriteParameter(ctx, cfg, *param, data) },
		}
	}
	return rotate(ctx, st, stdout, now)
}

func fileKeys(path string) keyStore {
	return keyStore{
		read: func(context.Context) ([]byte, bool, error) {
			data, err := os.ReadFile(path)
			if errors.Is(err, fs.ErrNotExist) {
				return nil, false, nil
			}
			return data, err == nil, err
		},
		write: func(_ context.Context, data []byte) error { return os.WriteFile(path, data, 0o600) },
	}
}

func rotate(ctx context.Context, st keyStore, stdout io.Writer, now time.Time) error {
	data, found, err := st.read(ctx)
	if err != nil {
		return fmt.Errorf("read the key set: %w", err)
	}
	var set *signing.Set
	if !found {
		set, err = signing.Generate(now)
	} else if set, err = signing.Parse(data); err == nil {
		set, err = signing.Rotate(set, now)
	}
	if err != nil {
		return err
	}
	out, err := set.Marshal()
	if err != nil {
		return err
	}
	if err := st.write(ctx, out); err != nil {
		return fmt.Errorf("write the key set: %w", err)
	}
	verb := "rotated"
	if !found {
		verb = "created"
	}
	fmt.Fprintf(stdout, "key set %s:\n", verb)
	for _, k := range set.Keys {
		fmt.Fprintf(stdout, "  %s %-7s %s\n", k.Alg, k.State, k.ID)
	}
	return nil
}
