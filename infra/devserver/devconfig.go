package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/idco-dev/idco/shared/app"
)

// devConfig returns the config file to use: IDCO_CONFIG_FILE when set,
// otherwise dir/config.json, created on first run with random secrets.
func devConfig(dir string, getenv func(string) string) (path string, created bool, err error) {
	if p := getenv(app.EnvConfigFile); p != "" {
		return p, false, nil
	}
	path = filepath.Join(dir, "config.json")
	if _, err := os.Stat(path); err == nil {
		return path, false, nil
	}
	secret, setup := make([]byte, 32), make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		return "", false, err
	}
	if _, err := rand.Read(setup); err != nil {
		return "", false, err
	}
	cfg := map[string]any{
		"tokenSecret":            hex.EncodeToString(secret),
		"tokenExpiresIn":         7200,
		"tokenExpiresThreshold":  1200,
		"passwordErrorLimit":     6,
		"passwordErrorRetryTime": 3600,
		"maxTokenLength":         10,
		"idco": map[string]any{
			"registration":          "open",
			"enumerationProtection": true,
			// registerAdmin over HTTP needs it (and a captcha); the
			// admin CLI does not.
			"admin": map[string]any{"setupSecret": hex.EncodeToString(setup)},
		},
	}
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return "", false, err
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return "", false, err
	}
	return path, true, nil
}
