package deploy

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/config"
)

// placeholder is the example's tokenSecret: too short on purpose, so the
// example as shipped is refused and nobody deploys a published secret.
const placeholder = "CHANGE-ME: openssl rand -hex 32"

// TestExampleConfig keeps the README's example config (config.example.json)
// loadable once its tokenSecret is filled in, and refused before.
func TestExampleConfig(t *testing.T) {
	data, err := os.ReadFile("config.example.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := config.Parse(data); err == nil || !strings.Contains(err.Error(), "tokenSecret") {
		t.Errorf("the example with its placeholder secret parses (%v); it must be refused", err)
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	filled := bytes.Replace(data, []byte(placeholder), []byte(hex.EncodeToString(b[:])), 1)
	set, err := config.Parse(filled)
	if err != nil {
		t.Fatalf("config.example.json with a real tokenSecret: %v", err)
	}
	if len(set.Warnings) > 0 {
		t.Errorf("config.example.json warnings: %v", set.Warnings)
	}
	for _, platform := range []string{"app", "web", "mp-weixin"} {
		if _, err := set.For("__UNI__XXXXXXX", platform); err != nil {
			t.Errorf("For(%s): %v", platform, err)
		}
	}
}
