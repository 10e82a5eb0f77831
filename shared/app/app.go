// Package app is idco's composition root: it reads the environment, loads the
// config from a file, SSM Parameter Store or Secrets Manager, builds the AWS
// clients and the stores once, and wires a family's dispatcher. The Lambda
// functions and the dev server both start here.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/dynamo"
	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/httpfn"
	"github.com/idco-dev/idco/shared/internal/awsapi"
	"github.com/idco-dev/idco/shared/oidckeys"
	"github.com/idco-dev/idco/shared/thirdparty"
	"github.com/idco-dev/idco/shared/wiring"
)

// Environment variables idco reads. template.yaml sets them for each
// function; a test checks that it does.
const (
	EnvConfigFile      = "IDCO_CONFIG_FILE"      // a local config.json
	EnvConfigParameter = "IDCO_CONFIG_PARAMETER" // an SSM SecureString parameter name
	EnvConfigSecret    = "IDCO_CONFIG_SECRET"    // a Secrets Manager secret id
	EnvTablePrefix     = "IDCO_TABLE_PREFIX"     // table names are prefix + users, keys, ephemeral
	EnvDynamoEndpoint  = "DYNAMODB_ENDPOINT"     // another DynamoDB (Local, minidyn)
	// EnvMetricsNamespace names the CloudWatch namespace of idco's metrics
	// (the template sets the stack name); unset, "idco".
	EnvMetricsNamespace = "IDCO_METRICS_NAMESPACE"
)

// DefaultTablePrefix is used when IDCO_TABLE_PREFIX is unset.
const DefaultTablePrefix = "idco-"

// Env lists every variable the code reads, for the template check.
func Env() []string {
	return []string{EnvConfigFile, EnvConfigParameter, EnvConfigSecret, EnvTablePrefix, EnvDynamoEndpoint,
		oidckeys.EnvIssuer, oidckeys.EnvKeysParameter, oidckeys.EnvKeysFile}
}

// LoadConfig reads and parses the config named by the environment: a file,
// an SSM parameter (decrypted) or a secret. Exactly one must be set.
func LoadConfig(ctx context.Context, getenv func(string) string, aws func() (aws.Config, error)) (*config.Set, error) {
	file, param, secret := getenv(EnvConfigFile), getenv(EnvConfigParameter), getenv(EnvConfigSecret)
	n := 0
	for _, v := range []string{file, param, secret} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return nil, fmt.Errorf("set exactly one of %s, %s and %s", EnvConfigFile, EnvConfigParameter, EnvConfigSecret)
	}
	var data []byte
	var err error
	switch {
	case file != "":
		data, err = os.ReadFile(file)
	case param != "":
		data, err = readParameter(ctx, aws, param)
	default:
		data, err = readSecret(ctx, aws, secret)
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return config.Parse(data)
}

func readParameter(ctx context.Context, load func() (aws.Config, error), name string) ([]byte, error) {
	cfg, err := load()
	if err != nil {
		return nil, err
	}
	return awsapi.GetParameter(ctx, cfg, name)
}

func readSecret(ctx context.Context, load func() (aws.Config, error), id string) ([]byte, error) {
	cfg, err := load()
	if err != nil {
		return nil, err
	}
	var out struct{ SecretString *string }
	in := map[string]any{"SecretId": id}
	if err := awsapi.JSON(ctx, cfg, awsapi.SecretsManager, "secretsmanager.GetSecretValue", in, &out); err != nil {
		return nil, err
	}
	if out.SecretString == nil {
		return nil, errors.New("secret has no string value")
	}
	return []byte(*out.SecretString), nil
}

// NewDynamo returns a DynamoDB client with a short retry budget, so retries
// stay inside a request's deadline; endpoint, when set, points it elsewhere.
func NewDynamo(cfg aws.Config, endpoint string) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 3
			so.MaxBackoff = 200 * time.Millisecond
		})
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
}

// Deps are what a service is built from.
type Deps struct {
	Config *config.Set
	DB     *dynamodb.Client
	Prefix string
	Outbox account.Outbox // dev mode only
	Dev    bool           // dev mode: the dev server and tests only
	Now    func() time.Time
}

// NewService wires the account service over DynamoDB.
func NewService(d Deps) *account.Service {
	st := &dynamo.Store{DB: d.DB, Names: dynamo.NamesWithPrefix(d.Prefix)}
	return &account.Service{Config: d.Config, Users: st, Captchas: st, Counters: st, Codes: st, Cache: st, Roles: st, Clients: st, AuditLog: st, Invites: st,
		Providers: thirdparty.All(), Outbox: d.Outbox, Dev: d.Dev, Now: d.Now}
}

// Mount serves fams on one port, as the dev server and the tests serve
// idco (shared/families/all): each family at /<function>[/<method>], and each
// cloud object's one-URL route (any of its methods at /<object>/<method>);
// a family named after its object (uni-captcha-co) is that route already.
// A web family (the open platform) serves its own routes.
// A Lambda serves one family (Main).
func Mount(svc *account.Service, log *slog.Logger, fams []*families.Family) http.Handler {
	var ds []*cloudobj.Dispatcher
	objects := map[string]bool{}
	var web []*families.Family
	for _, f := range fams {
		if f.Web != nil {
			web = append(web, f)
			continue
		}
		ds = append(ds, Dispatcher(f.Name, f.Methods(svc), svc, log))
		objects[f.CloudObject()] = true
	}
	for obj := range objects {
		if !slices.ContainsFunc(fams, func(f *families.Family) bool { return f.Name == obj }) {
			ds = append(ds, Dispatcher(obj, families.Object(obj, fams, svc), svc, log))
		}
	}
	mux := httpfn.Mux(ds)
	for _, f := range web {
		h := f.Web(svc, func(t cloudobj.Table) *cloudobj.Dispatcher { return Dispatcher(f.Name, t, svc, log) })
		httpfn.Web(mux, h, f.Routes)
	}
	return mux
}

// Wires lists the distinct wires of fams (by name), in order.
func Wires(fams []*families.Family) []*wiring.Wire {
	var out []*wiring.Wire
	for _, f := range fams {
		for _, w := range f.Wires {
			if !slices.ContainsFunc(out, func(o *wiring.Wire) bool { return o.Name == w.Name }) {
				out = append(out, w)
			}
		}
	}
	return out
}

// Dispatcher returns the dispatcher of one function.
func Dispatcher(function string, table cloudobj.Table, svc *account.Service, log *slog.Logger) *cloudobj.Dispatcher {
	return &cloudobj.Dispatcher{Function: function, Methods: table, Auth: svc, Auditor: svc, Logger: log, Now: svc.Now,
		Namespace: os.Getenv(EnvMetricsNamespace)}
}

// ReadParameter returns an SSM parameter's value, decrypted, and whether it
// exists (the operator's command line: the signing keys).
func ReadParameter(ctx context.Context, cfg aws.Config, name string) ([]byte, bool, error) {
	v, err := awsapi.GetParameter(ctx, cfg, name)
	if e, ok := errors.AsType[*awsapi.APIError](err); ok && e.Code == "ParameterNotFound" {
		return nil, false, nil
	}
	return v, err == nil, err
}

// WriteParameter overwrites an SSM SecureString parameter.
func WriteParameter(ctx context.Context, cfg aws.Config, name string, value []byte) error {
	return awsapi.PutParameter(ctx, cfg, name, value)
}
