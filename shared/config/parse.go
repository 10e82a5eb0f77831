package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Platforms are the uniPlatform values that may carry a config block. "app"
// and "web" are the normalised forms of app-plus/app-android/app-ios and h5.
var Platforms = []string{
	"app", "web", "mp-weixin", "mp-qq", "mp-alipay", "mp-baidu", "mp-toutiao",
	"mp-lark", "mp-kuaishou", "mp-jd", "mp-360", "mp-xhs", "mp-harmony",
	"quickapp-webview", "quickapp-webview-union", "quickapp-webview-huawei",
}

// legacyPlatforms are blocks uni-id-co refuses: app clients must use "app"
// and web clients "web".
var legacyPlatforms = map[string]string{"app-plus": "app", "h5": "web"}

// knownKeys are uni-id's config keys that idco reads or deliberately
// ignores; other keys draw a warning, since they are probably typos.
var knownKeys = map[string]bool{
	"dcloudAppid": true, "isDefaultConfig": true, "passwordSecret": true,
	"passwordStrength": true, "tokenSecret": true, "tokenExpiresIn": true,
	"tokenExpiresThreshold": true, "maxTokenLength": true, "passwordErrorLimit": true,
	"passwordErrorRetryTime": true, "autoSetInviteCode": true, "forceInviteCode": true,
	"userRegisterDefaultRole": true, "oauth": true, "service": true, "idco": true,
	"requestAuthSecret": true, "sensitiveInfoEncryptSecret": true,
	"idCardCertifyLimit": true, "realNameCertifyLimit": true, "frvNeedAlivePhoto": true,
	"bindTokenToDevice": true, "preferedAppPlatform": true, "preferedWebPlatform": true,
	"removePermissionAndRoleFromToken": true, "autoSetDcloudAppid": true,
	"appAuth": true, "adminAuth": true, "uniIdVersion": true,
}

// Set is a parsed configuration document: the effective Config of every app
// on every platform, computed once at start.
type Set struct {
	apps     map[string]*app // by dcloudAppid
	fallback *app            // the isDefaultConfig entry, or the only one
	multi    bool            // the document lists several apps
	Warnings []string
}

type app struct {
	base      *Config            // no platform block applied
	platforms map[string]*Config // by normalised platform
}

// Problems lists every problem found in a document, so an operator fixes
// them in one pass.
type Problems []string

func (p Problems) Error() string {
	return "config: " + strings.Join(p, "; ")
}

// ErrNoAppConfig means no config entry applies to the calling app.
var ErrNoAppConfig = errors.New("config: no config for this dcloudAppid and no isDefaultConfig entry")

// Parse reads a config document: a single uni-id config object, or an array
// of them each naming its dcloudAppid. It returns Problems listing every
// problem when the document is unusable.
func Parse(data []byte) (*Set, error) {
	raws, err := splitApps(data)
	if err != nil {
		return nil, Problems{err.Error()}
	}
	s := &Set{apps: map[string]*app{}, multi: len(raws) > 1}
	var probs Problems
	for i, raw := range raws {
		where := ""
		if len(raws) > 1 {
			where = fmt.Sprintf("[%d].", i)
		}
		a, ws, ps := buildApp(raw, where)
		s.Warnings = append(s.Warnings, ws...)
		probs = append(probs, ps...)
		if a == nil {
			continue
		}
		id := a.base.DcloudAppid
		if id == "*" {
			probs = append(probs, where+`dcloudAppid: "*" names no app`)
		}
		if len(raws) > 1 && a.base.IsDefaultConfig && id == "" {
			s.Warnings = append(s.Warnings, where+"isDefaultConfig: with several apps configured an unknown appId is refused, so an entry without a dcloudAppid applies to none")
		}
		switch {
		case len(raws) == 1:
			s.fallback = a
		case a.base.IsDefaultConfig:
			if s.fallback != nil {
				probs = append(probs, where+"isDefaultConfig: more than one default config")
			}
			s.fallback = a
		case id == "":
			probs = append(probs, where+"dcloudAppid: required when the document has several configs")
		}
		if id != "" {
			if _, dup := s.apps[id]; dup {
				probs = append(probs, fmt.Sprintf("%sdcloudAppid: %q appears twice", where, id))
			}
			s.apps[id] = a
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	warns, probs := applyStrictest(s.All())
	s.Warnings = append(s.Warnings, warns...)
	if len(probs) > 0 {
		return nil, probs
	}
	return s, nil
}

// ErrUnknownApp means the document configures several apps and the
// client's appId is none of them.
var ErrUnknownApp = errors.New("config: the client's appId is not a configured dcloudAppid")

// For returns the effective config for an app on a normalised platform.
func (s *Set) For(appID, platform string) (*Config, error) {
	c, _, err := s.Resolve(appID, platform)
	return c, err
}

// Resolve returns the effective config for a client's appId on a
// normalised platform, and the app id idco records for it: the appId
// itself when it is configured; with a single config, that config's
// dcloudAppid ("" when it names none), whatever the client sent. With
// several apps configured an unknown appId is ErrUnknownApp. So only
// configured app ids are ever stored, and a client cannot pick "*" or an
// invented id. Resolve of the app id it returns gives the same answer.
func (s *Set) Resolve(appID, platform string) (*Config, string, error) {
	a, ok := s.apps[appID]
	switch {
	case ok:
	case s.multi:
		return nil, "", ErrUnknownApp
	default:
		a = s.fallback
	}
	if a == nil {
		return nil, "", ErrNoAppConfig
	}
	id := a.base.DcloudAppid
	if c, ok := a.platforms[platform]; ok {
		return c, id, nil
	}
	return a.base, id, nil
}

// All returns every effective config, for checks that span them.
func (s *Set) All() []*Config {
	seen := map[*app]bool{}
	var out []*Config
	add := func(a *app) {
		if a == nil || seen[a] {
			return
		}
		seen[a] = true
		out = append(out, a.base)
		for _, p := range Platforms {
			if c, ok := a.platforms[p]; ok {
				out = append(out, c)
			}
		}
	}
	ids := make([]string, 0, len(s.apps))
	for id := range s.apps {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		add(s.apps[id])
	}
	add(s.fallback)
	return out
}

// splitApps returns the document's per-app objects.
func splitApps(data []byte) ([]map[string]json.RawMessage, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var list []map[string]json.RawMessage
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, fmt.Errorf("not a JSON array of config objects: %v", err)
		}
		if len(list) == 0 {
			return nil, errors.New("the config array is empty")
		}
		return list, nil
	}
	var one map[string]json.RawMessage
	if err := json.Unmarshal(data, &one); err != nil {
		return nil, fmt.Errorf("not a JSON config object: %v", err)
	}
	return []map[string]json.RawMessage{one}, nil
}

// buildApp computes an app's base and per-platform configs and validates each.
func buildApp(raw map[string]json.RawMessage, where string) (*app, []string, Problems) {
	var warns []string
	var probs Problems
	base := map[string]json.RawMessage{}
	blocks := map[string]json.RawMessage{}
	for k, v := range raw {
		switch {
		case isPlatform(k):
			blocks[k] = v
		case legacyPlatforms[k] != "":
			probs = append(probs, fmt.Sprintf("%s%s: legacy platform block; rename it %q", where, k, legacyPlatforms[k]))
		case knownKeys[k]:
			base[k] = v
		default:
			warns = append(warns, fmt.Sprintf("%s%s: unknown key, ignored", where, k))
		}
	}
	a := &app{platforms: map[string]*Config{}}
	c, ps := effective(base, nil, where)
	probs = append(probs, ps...)
	a.base = c
	for _, p := range Platforms {
		block, ok := blocks[p]
		if !ok {
			continue
		}
		c, ps := effective(base, block, where+p+".")
		probs = append(probs, ps...)
		a.platforms[p] = c
	}
	if len(probs) > 0 {
		return nil, warns, probs
	}
	return a, warns, nil
}

func isPlatform(k string) bool {
	for _, p := range Platforms {
		if p == k {
			return true
		}
	}
	return false
}

// effective overlays defaults, base and an optional platform block (shallow,
// as Object.assign), decodes the result and validates it.
func effective(base map[string]json.RawMessage, block json.RawMessage, where string) (*Config, Problems) {
	merged := map[string]any{}
	for k, v := range defaults() {
		merged[k] = v
	}
	for k, v := range base {
		merged[k] = v
	}
	if block != nil {
		var overlay map[string]json.RawMessage
		if err := json.Unmarshal(block, &overlay); err != nil {
			return nil, Problems{where + ": a platform block must be an object"}
		}
		for k, v := range overlay {
			merged[k] = v
		}
	}
	c := &Config{}
	var probs Problems
	for k, v := range merged {
		if err := decodeField(c, k, v); err != nil {
			probs = append(probs, where+k+": "+err.Error())
		}
	}
	fillIdcoDefaults(&c.Idco)
	probs = append(probs, validate(c, where)...)
	return c, probs
}

// decodeField decodes one top-level key into c, so a bad key names itself.
func decodeField(c *Config, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	doc := []byte(`{"` + key + `":` + string(b) + `}`)
	dec := json.NewDecoder(bytes.NewReader(doc))
	if key == "idco" {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(c); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("wrong type: want %s", te.Type)
		}
		return err
	}
	return nil
}
