package deploy

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/password"
)

// placeholder is the example's tokenSecret: too short on purpose, so the
// example as shipped is refused and nobody deploys a published secret.
const placeholder = "CHANGE-ME: openssl rand -hex 32"

// TestExampleConfig keeps the README's example config (config.example.json)
// loadable once its tokenSecret is filled in, and refused before.
func TestExampleConfig(t *testing.T) {
	data := exampleConfig(t)
	if _, err := config.Parse(data); err == nil || !strings.Contains(err.Error(), "tokenSecret") {
		t.Errorf("the example with its placeholder secret parses (%v); it must be refused", err)
	}
	set := filledExample(t, data)
	if len(set.Warnings) > 0 {
		t.Errorf("config.example.json warnings: %v", set.Warnings)
	}
	for _, platform := range []string{"app", "web", "mp-weixin"} {
		if _, err := set.For("__UNI__XXXXXXX", platform); err != nil {
			t.Errorf("For(%s): %v", platform, err)
		}
	}
}

// exampleConfig is config.example.json as shipped.
func exampleConfig(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("config.example.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// filledExample parses the example with a real tokenSecret, as the README's
// sed line fills it in.
func filledExample(t *testing.T, data []byte) *config.Set {
	t.Helper()
	var b [32]byte
	_, _ = rand.Read(b[:])
	filled := bytes.Replace(data, []byte(placeholder), []byte(hex.EncodeToString(b[:])), 1)
	set, err := config.Parse(filled)
	if err != nil {
		t.Fatalf("config.example.json with a real tokenSecret: %v", err)
	}
	return set
}

// walkthroughPassword finds the passwords the README's examples send:
// "password", "oldPassword" and "newPassword" params (JSON, or JSON inside a
// shell string with escaped quotes) and IDCO_ADMIN_PASSWORD='...'.
var walkthroughPassword = regexp.MustCompile(`(?:[pP]assword\\?"\s*:\s*\\?"|IDCO_ADMIN_PASSWORD=')([^"'\\]+)`)

// TestExampleConfigAcceptsWalkthroughPasswords: a reader who deploys the
// example config and follows the README's curl walkthroughs (make run's and
// the AWS one) is not refused the walkthroughs' own passwords.
func TestExampleConfigAcceptsWalkthroughPasswords(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, m := range walkthroughPassword.FindAllStringSubmatch(string(readme), -1) {
		if pw := m[1]; pw != "..." && !strings.HasPrefix(pw, "$") {
			seen[pw] = true
		}
	}
	if len(seen) < 3 {
		t.Fatalf("found %d walkthrough passwords in README.md (%v); the pattern no longer matches its examples", len(seen), seen)
	}
	set := filledExample(t, exampleConfig(t))
	for _, platform := range []string{"app", "web", "mp-weixin"} {
		cfg, err := set.For("__UNI__XXXXXXX", platform)
		if err != nil {
			t.Fatalf("For(%s): %v", platform, err)
		}
		for _, pw := range slices.Sorted(maps.Keys(seen)) {
			if code := password.Check(pw, cfg.PasswordStrength); code != "" {
				t.Errorf("README password %q on %s: %s under the example's passwordStrength %q", pw, platform, code, cfg.PasswordStrength)
			}
		}
	}
}
