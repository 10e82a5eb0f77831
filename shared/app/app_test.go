package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
	for _, tc := range cases {
		_, err := LoadConfig(context.Background(), env(tc.vars), load)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.vars, err, tc.want)
		}
	}
}
