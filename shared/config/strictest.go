package config

import (
	"fmt"
	"reflect"
	"slices"
)

// Settings that protect accounts apply strictest-wins across every app and
// platform a document configures: an account is shared by them all, and
// clientInfo.appId and uniPlatform, which pick the config, are the
// client's to choose, so otherwise an attacker would pick the laxest. For
// a limit the strictest is the smallest (a window or cooldown: the
// longest); enumeration protection is on if any config has it; SMS goes
// only to the regions every config allows.
type strictInt struct {
	name   string
	field  func(c *Config) *int
	larger bool // the largest value is the strictest
}

func strictInts() []strictInt {
	out := []strictInt{
		{"passwordErrorLimit", func(c *Config) *int { return &c.PasswordErrorLimit }, false},
		{"passwordErrorRetryTime", func(c *Config) *int { return &c.PasswordErrorRetryTime }, true},
		{"idco.loginCaptchaAfter", func(c *Config) *int { return &c.Idco.LoginCaptchaAfter }, false},
		{"idco.captcha.perIpPerMinute", func(c *Config) *int { return &c.Idco.Captcha.PerIPPerMinute }, false},
		{"idco.captcha.expiresIn", func(c *Config) *int { return &c.Idco.Captcha.ExpiresIn }, false},
		{"idco.captcha.length", func(c *Config) *int { return &c.Idco.Captcha.Length }, true},
		{"idco.recentLoginSeconds", func(c *Config) *int { return &c.Idco.RecentLoginSeconds }, false},
		{"idco.newChannelResetDelayHours", func(c *Config) *int { return c.Idco.NewChannelResetDelayHours }, true},
		{"idco.qrLogin.perIpPerHour", func(c *Config) *int { return &c.Idco.QRLogin.PerIPPerHour }, false},
		{"idco.qrLogin.perDevicePerHour", func(c *Config) *int { return &c.Idco.QRLogin.PerDevicePerHour }, false},
	}
	t := reflect.TypeFor[Limits]()
	for i := range t.NumField() {
		f := t.Field(i)
		name := f.Tag.Get("json")
		out = append(out, strictInt{"idco.limits." + name, func(c *Config) *int {
			return reflect.ValueOf(&c.Idco.Limits).Elem().Field(i).Addr().Interface().(*int)
		}, name == "cooldownSeconds" || name == "verifyWindowSeconds"})
	}
	return out
}

// applyStrictest sets every config's protective settings to the strictest
// among cs, and returns a warning for each setting that differed, or a
// problem when the apps share no SMS region.
func applyStrictest(cs []*Config) (warns []string, probs Problems) {
	if len(cs) < 2 {
		return nil, nil
	}
	for _, si := range strictInts() {
		v := *si.field(cs[0])
		differ := false
		for _, c := range cs[1:] {
			x := *si.field(c)
			differ = differ || x != v
			if (si.larger && x > v) || (!si.larger && x < v) {
				v = x
			}
		}
		if differ {
			warns = append(warns, fmt.Sprintf("%s: differs between apps or platforms; the strictest, %d, applies to all", si.name, v))
			for _, c := range cs {
				*si.field(c) = v
			}
		}
	}
	if slices.ContainsFunc(cs, (*Config).EnumerationProtected) && slices.ContainsFunc(cs, func(c *Config) bool { return !c.EnumerationProtected() }) {
		warns = append(warns, "idco.enumerationProtection: off for some apps or platforms; on for all")
		on := true
		for _, c := range cs {
			c.Idco.EnumerationProtection = &on
		}
	}
	var regions []string
	first := true
	for _, c := range cs {
		if c.Idco.SMS == nil {
			continue
		}
		if first {
			regions, first = slices.Clone(c.Idco.SMS.AllowedRegions), false
			continue
		}
		if !slices.Equal(slices.Sorted(slices.Values(regions)), slices.Sorted(slices.Values(c.Idco.SMS.AllowedRegions))) {
			warns = append(warns, "idco.sms.allowedRegions: differs between apps or platforms; only the regions all allow apply")
		}
		regions = slices.DeleteFunc(regions, func(r string) bool { return !slices.Contains(c.Idco.SMS.AllowedRegions, r) })
	}
	if !first {
		if len(regions) == 0 {
			return warns, Problems{"idco.sms.allowedRegions: the apps and platforms share no region"}
		}
		for _, c := range cs {
			if c.Idco.SMS != nil {
				c.Idco.SMS.AllowedRegions = regions
			}
		}
	}
	return dedupe(warns), nil
}

func dedupe(s []string) []string {
	var out []string
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
