package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/logging"
)

// LoadAWS returns the function's AWS config, built once, on first use, from
// the environment Lambda gives a function: its region (AWS_REGION), its
// role's credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN), endpoint URLs for emulators and tests
// (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>) and a custom CA bundle
// (AWS_CA_BUNDLE, for TLS-inspecting proxies). From those variables it
// builds the config the SDK's config.LoadDefaultConfig builds (a test
// compares the two) without linking that package: its credential chain
// (STS, SSO, SSO OIDC, Sign-In and IMDS clients) cost every function about
// 1 ms of package initialisation per cold start, for credentials Lambda
// always hands over in the environment. An SDK setting it does not apply
// (awsUnsupported) is refused rather than ignored.
func LoadAWS(getenv func(string) string) func() (aws.Config, error) {
	return sync.OnceValues(func() (aws.Config, error) { return awsFromEnv(getenv) })
}

// awsUnsupported are the SDK's environment settings that would change
// LoadDefaultConfig's config for a function holding credentials in the
// environment. Lambda sets none of them; the template neither.
var awsUnsupported = []string{
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
	"AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_DEFAULTS_MODE",
	"AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_SDK_UA_APP_ID", "AWS_ENABLE_ENDPOINT_DISCOVERY",
	"AWS_ACCOUNT_ID_ENDPOINT_MODE", "AWS_REQUEST_CHECKSUM_CALCULATION", "AWS_RESPONSE_CHECKSUM_VALIDATION",
	"AWS_AUTH_SCHEME_PREFERENCE", "AWS_DISABLE_REQUEST_COMPRESSION", "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES",
	"AWS_DISABLE_CLOCK_SKEW_CORRECTION", "AWS_RESTRICT_FILE_PERMISSIONS",
}

func awsFromEnv(getenv func(string) string) (aws.Config, error) {
	for _, k := range awsUnsupported {
		if getenv(k) != "" {
			return aws.Config{}, fmt.Errorf("%s is set: idco's functions take only the region, the credentials, "+
				"endpoint URLs and a CA bundle from the environment (shared/app/awsenv.go)", k)
		}
	}
	id, secret := firstSet(getenv, "AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"), firstSet(getenv, "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY")
	if id == "" || secret == "" {
		return aws.Config{}, errors.New("no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY " +
			"are not set (Lambda sets them from the function's role)")
	}
	env := awsEnv(getenv)
	ignore, _, err := env.GetIgnoreConfiguredEndpoints(context.Background())
	if err != nil {
		return aws.Config{}, err
	}
	cfg := aws.Config{
		Region: firstSet(getenv, "AWS_REGION", "AWS_DEFAULT_REGION"),
		Credentials: aws.NewCredentialsCache(credentials.StaticCredentialsProvider{
			Value: aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: getenv("AWS_SESSION_TOKEN"),
				AccountID: getenv("AWS_ACCOUNT_ID"), Source: "EnvConfigCredentials"},
			Source: []aws.CredentialSource{aws.CredentialSourceEnvVars}}),
		Logger:                      logging.NewStandardLogger(os.Stderr),
		ConfigSources:               []any{env},
		DefaultsMode:                aws.DefaultsModeLegacy,
		RequestMinCompressSizeBytes: 10240,
		AccountIDEndpointMode:       aws.AccountIDEndpointModePreferred,
		RequestChecksumCalculation:  aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation:  aws.ResponseChecksumValidationWhenSupported,
		RestrictFilePermissions:     aws.RestrictFilePermissionsUserReadWrite,
	}
	if v := getenv("AWS_ENDPOINT_URL"); v != "" && !ignore {
		cfg.BaseEndpoint = aws.String(v)
	}
	if path := getenv("AWS_CA_BUNDLE"); path != "" {
		if cfg.HTTPClient, err = caBundleClient(path); err != nil {
			return aws.Config{}, fmt.Errorf("AWS_CA_BUNDLE: %w", err)
		}
	}
	return cfg, nil
}

// caBundleClient is the SDK's HTTP client trusting only the certificates
// of the PEM file at path, as LoadDefaultConfig builds it.
func caBundleClient(path string) (aws.HTTPClient, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return nil, errors.New("no certificate in the file")
	}
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{}
		}
		if tr.TLSClientConfig.RootCAs == nil {
			tr.TLSClientConfig.RootCAs = x509.NewCertPool()
		}
		tr.TLSClientConfig.RootCAs.AppendCertsFromPEM(pem)
	}), nil
}

// awsEnv answers the SDK clients' questions about configured endpoints
// (their ConfigSources), as the SDK's EnvConfig does.
type awsEnv func(string) string

// GetServiceBaseEndpoint returns AWS_ENDPOINT_URL_<SDK ID>, e.g.
// AWS_ENDPOINT_URL_DYNAMODB.
func (e awsEnv) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	v := e("AWS_ENDPOINT_URL_" + strings.ReplaceAll(strings.ToUpper(sdkID), " ", "_"))
	return v, v != "", nil
}

// GetIgnoreConfiguredEndpoints reports AWS_IGNORE_CONFIGURED_ENDPOINT_URLS.
func (e awsEnv) GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error) {
	switch v := strings.ToLower(e("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")); v {
	case "":
		return false, false, nil
	case "true", "false":
		return v == "true", true, nil
	default:
		return false, false, fmt.Errorf("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: want true or false, not %q", v)
	}
}

func firstSet(getenv func(string) string, keys ...string) string {
	for _, k := range keys {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return ""
}
