package app

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
)

// lambdaEnv is what Lambda sets for a function, as far as the SDK reads it.
var lambdaEnv = map[string]string{
	"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1", "AWS_EXECUTION_ENV": "AWS_Lambda_provided.al2023",
	"AWS_ACCESS_KEY_ID": "ASIAEXAMPLEKEY000000", "AWS_SECRET_ACCESS_KEY": "example/secret", "AWS_SESSION_TOKEN": "example-token",
}

// TestLoadAWSMatchesTheSDK builds the config both ways from the same
// environment and compares every field, so an SDK upgrade that resolves a
// new setting fails here.
func TestLoadAWSMatchesTheSDK(t *testing.T) {
	srv := httptest.NewTLSServer(nil)
	srv.Close()
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		extra map[string]string
	}{
		{"lambda", nil},
		{"default region, account id", map[string]string{"AWS_REGION": "", "AWS_ACCOUNT_ID": "123456789012"}},
		{"endpoints", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:2",
			"AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://127.0.0.1:3"}},
		{"endpoints ignored", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:2",
			"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}},
		{"ca bundle", map[string]string{"AWS_CA_BUNDLE": bundle}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { loadBothWays(t, tc.extra) })
	}
}

func loadBothWays(t *testing.T, extra map[string]string) {
	vars := map[string]string{"HOME": t.TempDir(), "AWS_CA_BUNDLE": ""}
	for _, k := range awsUnsupported {
		vars[k] = ""
	}
	for _, m := range []map[string]string{lambdaEnv, extra} {
		for k, v := range m {
			vars[k] = v
		}
	}
	for k, v := range vars {
		t.Setenv(k, v)
	}
	want, err := awsconfig.LoadDefaultConfig(t.Context())
	if err != nil {
		t.Fatalf("LoadDefaultConfig: %v", err)
	}
	got, err := LoadAWS(env(vars))()
	if err != nil {
		t.Fatalf("LoadAWS: %v", err)
	}
	compareAWS(t, got, want)
}

func compareAWS(t *testing.T, got, want aws.Config) {
	t.Helper()
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		f := g.Type().Field(i).Name
		switch f {
		case "Credentials":
			gc, gerr := got.Credentials.Retrieve(t.Context())
			wc, werr := want.Credentials.Retrieve(t.Context())
			if gc != wc || gerr != nil || werr != nil {
				t.Errorf("credentials %+v (%v), want %+v (%v)", gc, gerr, wc, werr)
			}
		case "ConfigSources":
			for _, id := range []string{"DynamoDB", "SSM", "Secrets Manager", "SESv2", "SNS", "Pinpoint SMS Voice V2"} {
				if g, w := serviceEndpoint(got, id), serviceEndpoint(want, id); g != w {
					t.Errorf("%s endpoint %q, want %q", id, g, w)
				}
			}
		case "HTTPClient":
			if g, w := rootCAs(got.HTTPClient), rootCAs(want.HTTPClient); reflect.TypeOf(got.HTTPClient) != reflect.TypeOf(want.HTTPClient) ||
				(g == nil) != (w == nil) || g != nil && !g.Equal(w) {
				t.Errorf("HTTPClient %T (roots %v), want %T (roots %v)", got.HTTPClient, g != nil, want.HTTPClient, w != nil)
			}
		case "Logger":
			if reflect.TypeOf(got.Logger) != reflect.TypeOf(want.Logger) {
				t.Errorf("Logger %T, want %T", got.Logger, want.Logger)
			}
		default:
			if !same(g.Field(i), w.Field(i)) {
				t.Errorf("%s = %#v, want %#v", f, g.Field(i).Interface(), w.Field(i).Interface())
			}
		}
	}
}

// rootCAs returns the trusted roots of an SDK HTTP client, nil for the
// system's.
func rootCAs(c aws.HTTPClient) *x509.CertPool {
	bc, ok := c.(*awshttp.BuildableClient)
	if !ok || bc.GetTransport().TLSClientConfig == nil {
		return nil
	}
	return bc.GetTransport().TLSClientConfig.RootCAs
}

// same is reflect.DeepEqual, except that a nil slice equals an empty one.
func same(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Slice:
		if a.Len() == 0 && b.Len() == 0 {
			return true
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if !same(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// serviceEndpoint resolves a service's configured endpoint from
// cfg.ConfigSources as the SDK's clients do.
func serviceEndpoint(cfg aws.Config, sdkID string) string {
	type ignorer interface {
		GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error)
	}
	type endpointer interface {
		GetServiceBaseEndpoint(context.Context, string) (string, bool, error)
	}
	for _, s := range cfg.ConfigSources {
		if p, ok := s.(ignorer); ok {
			if v, found, _ := p.GetIgnoreConfiguredEndpoints(context.Background()); found && v {
				return ""
			}
		}
	}
	for _, s := range cfg.ConfigSources {
		if p, ok := s.(endpointer); ok {
			if v, found, _ := p.GetServiceBaseEndpoint(context.Background(), sdkID); found {
				return v
			}
		}
	}
	return ""
}

func TestLoadAWSRefusals(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no key", map[string]string{"AWS_ACCESS_KEY_ID": ""}, "no AWS credentials"},
		{"no secret", map[string]string{"AWS_SECRET_ACCESS_KEY": ""}, "no AWS credentials"},
		{"fips", map[string]string{"AWS_USE_FIPS_ENDPOINT": "true"}, "AWS_USE_FIPS_ENDPOINT is set"},
		{"profile", map[string]string{"AWS_PROFILE": "dev"}, "AWS_PROFILE is set"},
		{"ignore endpoints", map[string]string{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "yes"}, "want true or false"},
		{"no ca bundle", map[string]string{"AWS_CA_BUNDLE": "/nonexistent/ca.pem"}, "AWS_CA_BUNDLE"},
		{"empty ca bundle", map[string]string{"AWS_CA_BUNDLE": "/dev/null"}, "no certificate"},
	}
	for _, tc := range tests {
		vars := map[string]string{}
		for _, m := range []map[string]string{lambdaEnv, tc.env} {
			for k, v := range m {
				vars[k] = v
			}
		}
		if _, err := LoadAWS(env(vars))(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}
