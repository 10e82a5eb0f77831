package sms

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idco-dev/idco/shared/internal/problems"
)

// Config is the idco.sms block: the provider's name and its own block.
// The block may carry other idco.sms keys (allowedRegions, testMode), which
// are ignored here. Secrets are config values, read from SSM Parameter
// Store or Secrets Manager, and never have defaults.
type Config struct {
	Provider string `json:"provider"` // a Providers name: "aliyun" | "tencent" | "aws-eum" | "sns"
	// Block is the provider's own block, such as idco.sms.aliyun as an
	// *AliyunConfig; nil when the document has none.
	Block Block `json:"-"`
}

// UnmarshalJSON decodes provider and the block of every provider in
// Providers, as a struct with a field per block would (so a malformed
// block is an error even if another provider is named), and keeps the
// named provider's block.
func (c *Config) UnmarshalJSON(b []byte) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return asConfigField(err, "")
	}
	var head struct {
		Provider string `json:"provider"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return asConfigField(err, "")
	}
	*c = Config{Provider: head.Provider}
	for _, p := range Providers {
		raw := member(keys, p.Block)
		if raw == nil || string(raw) == "null" {
			continue
		}
		blk := p.newBlock()
		if err := json.Unmarshal(raw, blk); err != nil {
			return asConfigField(err, p.Block)
		}
		if p.Name == c.Provider {
			c.Block = blk
		}
	}
	return nil
}

// member is the value of key in keys, matched as encoding/json matches a
// struct field: exactly, else without regard to case.
func member(keys map[string]json.RawMessage, key string) json.RawMessage {
	if v, ok := keys[key]; ok {
		return v
	}
	for k, v := range keys {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// asConfigField words a type error as decoding into Config would: a
// field of Config, under block.
func asConfigField(err error, block string) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err
	}
	switch {
	case block != "" && te.Field != "":
		te.Field = block + "." + te.Field
	case block != "":
		te.Struct, te.Field = "Config", block
	case te.Field != "":
		te.Struct = "Config"
	default:
		te.Type = reflect.TypeFor[Config]()
	}
	return te
}

// Validate lists every problem of the block, each as "path: problem" from the
// config root, so that a deployment learns of them all at once.
func (c Config) Validate() []string {
	p, ok := Lookup(c.Provider)
	switch {
	case c.Provider == "":
		return []string{"idco.sms.provider: required (" + providerNames() + ")"}
	case !ok:
		return []string{"idco.sms.provider: must be " + providerNames()}
	}
	blk := p.block(c)
	if blk == nil {
		return []string{"idco.sms." + p.Block + ": required for this provider"}
	}
	probs := problems.List{At: "idco.sms." + p.Block + "."}
	blk.check(&probs)
	return probs.Items
}

// New builds the Sender of the provider cfg.Provider names. httpClient is
// used by the hand-written clients (nil means http.DefaultClient); awsCfg
// is required by the AWS providers, whose HTTP client and endpoint come
// from it. The error lists every problem of cfg.
func New(cfg Config, httpClient *http.Client, awsCfg *aws.Config) (Sender, error) {
	if probs := cfg.Validate(); len(probs) > 0 {
		return nil, errors.New("sms config: " + strings.Join(probs, "; "))
	}
	p, _ := Lookup(cfg.Provider)
	if p.AWS && awsCfg == nil {
		return nil, errors.New("sms config: provider " + p.Name + " needs an AWS config")
	}
	return p.block(cfg).sender(httpClient, awsCfg), nil
}
