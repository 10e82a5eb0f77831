package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

const doc = `{"tokenSecret":"0123456789abcdef0123456789abcdef"}`

// fakeAWS answers SSM GetParameter and Secrets Manager GetSecretValue as
// the real services do, and records what was asked.
func fakeAWS(t *testing.T, asked *[]map[string]any) aws.Config {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var in map[string]any
		_ = json.Unmarshal(body, &in)
		in["target"] = r.Header.Get("X-Amz-Target")
		// SigV4 for the right service and region, with the static key.
		service := map[string]string{"AmazonSSM.GetParameter": "ssm", "secretsmanager.GetSecretValue": "secretsmanager"}[r.Header.Get("X-Amz-Target")]
		auth := r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=x/") || !strings.Contains(auth, "/us-east-1/"+service+"/aws4_request") ||
			r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
			t.Errorf("request not signed for %q: %q", service, auth)
		}
		*asked = append(*asked, in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch in["target"] {
		case "AmazonSSM.GetParameter":
			if in["Name"] != "/idco/config" {
				w.WriteHeader(400)
				_, _ = w.Write([]byte(`{"__type":"ParameterNotFound","message":"no"}`))
				return
			}
			out, _ := json.Marshal(map[string]any{"Parameter": map[string]any{"Name": in["Name"], "Type": "SecureString", "Value": doc}})
			_, _ = w.Write(out)
		case "secretsmanager.GetSecretValue":
			out, _ := json.Marshal(map[string]any{"Name": in["SecretId"], "SecretString": doc})
			_, _ = w.Write(out)
		default:
			w.WriteHeader(400)
		}
	}))
	t.Cleanup(srv.Close)
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("x", "y", "")}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfigSources(t *testing.T) {
	var asked []map[string]any
	cfg := fakeAWS(t, &asked)
	load := func() (aws.Config, error) { return cfg, nil }
	file := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, vars := range []map[string]string{
		{EnvConfigFile: file},
		{EnvConfigParameter: "/idco/config"},
		{EnvConfigSecret: "idco/config"},
	} {
		set, err := LoadConfig(context.Background(), env(vars), load)
		if err != nil {
			t.Fatalf("%v: %v", vars, err)
		}
		if c, _ := set.For("x", "web"); c.TokenSecret != "0123456789abcdef0123456789abcdef" {
			t.Errorf("%v: tokenSecret %q", vars, c.TokenSecret)
		}
	}
	if len(asked) != 2 || asked[0]["WithDecryption"] != true {
		t.Errorf("AWS calls = %v, want a decrypted GetParameter and a GetSecretValue", asked)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	var asked []map[string]any
	cfg := fakeAWS(t, &asked)
	load := func() (aws.Config, error) { return cfg, nil }
	cases := []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{}, "set exactly one"},
		{map[string]string{EnvConfigFile: "a", EnvConfigSecret: "b"}, "set exactly one"},
		{map[string]string{EnvConfigFile: "/nonexistent/config.json"}, "read config"},
		{map[string]string{EnvConfigParameter: "/other"}, "ParameterNotFound"},
	}
	for i, tc := range cases {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			_, err := LoadConfig(context.Background(), env(tc.vars), load)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: err = %v, want %q", tc.vars, err, tc.want)
			}
		})
	}
}

// TestAWSJSONRetries: throttling and 5xx are tried three times in all; a
// client error is not retried.
func TestAWSJSONRetries(t *testing.T) {
	cases := []struct {
		failures int
		status   int
		body     string
		wantErr  bool
		calls    int
	}{
		{2, 400, `{"__type":"com.amazonaws#ThrottlingException","message":"slow down"}`, false, 3},
		{2, 503, `{}`, false, 3},
		{3, 500, `{}`, true, 3},
		{1, 400, `{"__type":"AccessDeniedException","message":"no"}`, true, 1},
	}
	for _, tc := range cases {
		calls := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls++
			if calls <= tc.failures {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
				return
			}
			_, _ = w.Write([]byte(`{"Parameter":{"Value":"v"}}`))
		}))
		cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("x", "y", "")}
		_, err := readParameter(context.Background(), func() (aws.Config, error) { return cfg, nil }, "/p")
		srv.Close()
		if (err != nil) != tc.wantErr || calls != tc.calls {
			t.Errorf("%d x %d: err %v after %d calls, want error %v after %d", tc.failures, tc.status, err, calls, tc.wantErr, tc.calls)
		}
	}
}
