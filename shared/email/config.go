package email

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/idco-dev/idco/shared/internal/problems"
)

// Config is idco.email as the email sender reads it: the provider's name,
// the keys every provider shares, and the named provider's own block. The
// config package keeps idco.email's text (config.EmailConfig.Raw) and this
// package decodes it, so that config links no provider client.
type Config struct {
	Provider         string `json:"provider"` // a Providers name; "" is ses
	From             string `json:"from"`
	ConfigurationSet string `json:"configurationSet"`
	Region           string `json:"region"`
	// Block is the provider's own block, such as idco.email.aliyun as a
	// *DirectMailConfig; nil when the provider has none or the document
	// leaves it out.
	Block Block `json:"-"`
}

// UnmarshalJSON decodes the shared keys and the block of every provider
// that has one, strictly (a misspelt key in a block is an error even when
// another provider is named), and keeps the named provider's block. Other
// keys of idco.email (templates, welcome, ...) are the config package's.
func (c *Config) UnmarshalJSON(b []byte) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return fmt.Errorf("idco.email: %w", err)
	}
	type shared Config
	var s shared
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("idco.email: %w", err)
	}
	*c = Config(s)
	named, _ := Lookup(c.Provider)
	for _, p := range Providers {
		raw := keys[p.Block]
		if p.Block == "" || raw == nil || string(raw) == "null" {
			continue
		}
		blk := p.newBlock()
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(blk); err != nil {
			return fmt.Errorf("idco.email.%s: %w", p.Block, err)
		}
		if p == named {
			c.Block = blk
		}
	}
	return nil
}

// Validate lists every problem of c for its provider, each as "path:
// problem" from the config root, so that a deployment learns of them all
// at once.
func (c Config) Validate() []string {
	p, ok := Lookup(c.Provider)
	if !ok {
		return []string{"idco.email.provider: must be " + providerNames()}
	}
	if p.Block != "" && c.Block == nil {
		return []string{"idco.email." + p.Block + ": required for provider " + p.Name}
	}
	probs := problems.List{At: "idco.email."}
	if c.Block != nil {
		c.Block.check(c, &probs)
	}
	return probs.Items
}

// Settings returns what the provider's New reads of c; the caller adds the
// runtime (endpoint, AWS config, HTTP client).
func (c Config) Settings() Settings {
	return Settings{From: c.From, ConfigurationSet: c.ConfigurationSet, Region: c.Region, Block: c.Block}
}

// ParseConfig decodes idco.email's text and validates it; the error lists
// every problem.
func ParseConfig(raw []byte) (Config, error) {
	var c Config
	if err := json.Unmarshal(raw, &c); err != nil {
		return Config{}, err
	}
	if probs := c.Validate(); len(probs) > 0 {
		return Config{}, errors.New(strings.Join(probs, "; "))
	}
	return c, nil
}
