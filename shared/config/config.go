// Package config owns idco's configuration: uni-id's config.json shape (one
// object, or per-app configs chosen by dcloudAppid, each with per-platform
// blocks) plus idco's own keys under "idco". It parses and validates the whole
// document at once and hands out the effective config for an (app, platform).
package config

import (
	"encoding/json"
	"time"
)

// Config is the effective configuration for one app on one platform: the
// defaults, overlaid by the app's config, overlaid by its platform block, as
// uni-id's Object.assign does.
type Config struct {
	DcloudAppid             string           `json:"dcloudAppid"`
	IsDefaultConfig         bool             `json:"isDefaultConfig"`
	PasswordSecret          PasswordSecrets  `json:"passwordSecret"`
	PasswordStrength        string           `json:"passwordStrength"`
	TokenSecret             string           `json:"tokenSecret"`
	TokenExpiresIn          int              `json:"tokenExpiresIn"`
	TokenExpiresThreshold   int              `json:"tokenExpiresThreshold"`
	MaxTokenLength          int              `json:"maxTokenLength"`
	PasswordErrorLimit      int              `json:"passwordErrorLimit"`
	PasswordErrorRetryTime  int              `json:"passwordErrorRetryTime"`
	AutoSetInviteCode       bool             `json:"autoSetInviteCode"`
	ForceInviteCode         bool             `json:"forceInviteCode"`
	UserRegisterDefaultRole []string         `json:"userRegisterDefaultRole"`
	OAuth                   map[string]OAuth `json:"oauth"`
	Service                 Service          `json:"service"`
	Idco                    Idco             `json:"idco"`
}

// OAuth is one provider's block under <platform>.oauth, kept as raw keys: each
// provider checks the keys it needs.
type OAuth map[string]any

// Service holds uni-id's service block.
type Service struct {
	SMS json.RawMessage `json:"sms"`
}

// Idco holds idco's own keys. Unknown keys here are errors, since no uni-id
// file has them.
type Idco struct {
	// Registration is "open" (default) or "disabled": disabled refuses every
	// register method.
	Registration string `json:"registration"`
	// PasswordLogin, when false, refuses the login method.
	PasswordLogin *bool `json:"passwordLogin"`
	// EnumerationProtection hides whether an account exists (default true).
	EnumerationProtection *bool `json:"enumerationProtection"`
	// LoginCaptchaAfter is the number of failed password logins from one IP
	// for one account within two hours after which a captcha is required.
	LoginCaptchaAfter int `json:"loginCaptchaAfter"`
	// RefreshGraceSeconds is how long a just-rotated token still refreshes or
	// authenticates, so concurrent refreshes both succeed.
	RefreshGraceSeconds int           `json:"refreshGraceSeconds"`
	Captcha             CaptchaConfig `json:"captcha"`
	Argon2              Argon2        `json:"argon2"`
}

// CaptchaConfig tunes the image captcha.
type CaptchaConfig struct {
	ExpiresIn      int `json:"expiresIn"`      // seconds, default 180 (uni-captcha)
	Length         int `json:"length"`         // symbols, default 4
	PerIPPerMinute int `json:"perIpPerMinute"` // issuance cap, default 30
}

// Argon2 tunes password hashing.
type Argon2 struct {
	MemoryKiB uint32 `json:"memoryKiB"`
	Time      uint32 `json:"time"`
	Threads   uint8  `json:"threads"`
}

// PasswordLoginEnabled reports whether the login method is allowed.
func (c *Config) PasswordLoginEnabled() bool {
	return c.Idco.PasswordLogin == nil || *c.Idco.PasswordLogin
}

// EnumerationProtected reports whether answers must hide account existence.
func (c *Config) EnumerationProtected() bool {
	return c.Idco.EnumerationProtection == nil || *c.Idco.EnumerationProtection
}

// RegistrationOpen reports whether register methods may create accounts.
func (c *Config) RegistrationOpen() bool { return c.Idco.Registration != "disabled" }

// TokenTTL is the lifetime of a token.
func (c *Config) TokenTTL() time.Duration { return time.Duration(c.TokenExpiresIn) * time.Second }

// TokenThreshold is the remaining lifetime under which a call gets a newToken.
func (c *Config) TokenThreshold() time.Duration {
	return time.Duration(c.TokenExpiresThreshold) * time.Second
}

// RefreshGrace is how long a rotated token stays usable.
func (c *Config) RefreshGrace() time.Duration {
	return time.Duration(c.Idco.RefreshGraceSeconds) * time.Second
}

// CaptchaTTL is a captcha's lifetime.
func (c *Config) CaptchaTTL() time.Duration {
	return time.Duration(c.Idco.Captcha.ExpiresIn) * time.Second
}

// PasswordErrorWindow is how long failed password attempts count.
func (c *Config) PasswordErrorWindow() time.Duration {
	return time.Duration(c.PasswordErrorRetryTime) * time.Second
}

// defaults are uni-id's code defaults plus idco's.
func defaults() map[string]any {
	return map[string]any{
		"tokenExpiresIn":         7200,
		"tokenExpiresThreshold":  1200,
		"maxTokenLength":         10,
		"passwordErrorLimit":     6,
		"passwordErrorRetryTime": 3600,
	}
}

// fillIdcoDefaults sets idco's defaults for keys left zero.
func fillIdcoDefaults(d *Idco) {
	if d.Registration == "" {
		d.Registration = "open"
	}
	if d.LoginCaptchaAfter == 0 {
		d.LoginCaptchaAfter = 3
	}
	if d.RefreshGraceSeconds == 0 {
		d.RefreshGraceSeconds = 10
	}
	if d.Captcha.ExpiresIn == 0 {
		d.Captcha.ExpiresIn = 180
	}
	if d.Captcha.Length == 0 {
		d.Captcha.Length = 4
	}
	if d.Captcha.PerIPPerMinute == 0 {
		d.Captcha.PerIPPerMinute = 30
	}
	if d.Argon2.MemoryKiB == 0 {
		d.Argon2.MemoryKiB = 19456
	}
	if d.Argon2.Time == 0 {
		d.Argon2.Time = 2
	}
	if d.Argon2.Threads == 0 {
		d.Argon2.Threads = 1
	}
}
