package cloudobj

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/internal/flex"
)

// MaxBody is the largest request body accepted, checked before decoding.
const MaxBody = 16 << 10

// maxDepth bounds nesting, so a hostile body cannot make decoding deep.
const maxDepth = 32

// body is the request document: uni-id's {method, params, clientInfo,
// uniIdToken}. Unknown top-level keys are refused: only idco's adapter and
// uniCloud's URL form write this document, and neither adds any.
type body struct {
	Method     string         `json:"method"`
	Params     jsontext.Value `json:"params"`
	ClientInfo jsontext.Value `json:"clientInfo"`
	UniIDToken string         `json:"uniIdToken"`
}

// parseBody checks and decodes a request body. Every failure is
// uni-id-invalid-param naming the field where it can (or
// payload-too-large), and nothing has run yet.
func parseBody(data []byte) (*body, error) {
	if len(data) > MaxBody {
		return nil, apierr.New(apierr.PayloadTooLarge)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return &body{}, nil
	}
	if err := checkJSON(data); err != nil {
		return nil, paramErr(nil, err)
	}
	var b body
	if err := json.Unmarshal(data, &b, json.RejectUnknownMembers(true)); err != nil {
		return nil, paramErr(nil, err)
	}
	return &b, nil
}

// checkJSON walks the whole document once. The decoder refuses invalid
// UTF-8, invalid escapes (lone surrogates included: Go's encoding/json would
// make each one U+FFFD, so distinct passwords became one) and duplicate
// names at any depth; the walk adds what JSON allows and idco does not:
// control and bidi characters in strings and names, U+FFFD in params (what
// a decoder upstream, Lambda's or encoding/json, leaves of invalid text),
// nesting deeper than maxDepth, and more than one value.
func checkJSON(data []byte) error {
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	values := 0
	for {
		tok, err := dec.ReadToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch tok.Kind() {
		case '{', '[':
			if dec.StackDepth() > maxDepth {
				return &pointerError{dec.StackPointer(), errors.New("nesting too deep")}
			}
		case '"':
			inParams := strings.HasPrefix(string(dec.StackPointer()), "/params/")
			if err := checkText(tok.String(), inParams); err != nil {
				return &pointerError{dec.StackPointer(), err}
			}
		}
		if dec.StackDepth() == 0 {
			if values++; values > 1 {
				return errors.New("more than one JSON value")
			}
		}
	}
}

// checkText refuses control characters and bidi overrides, which have no
// place in any uni-id parameter and hide text in logs and consoles, and,
// when noReplacement, U+FFFD, the trace of invalid text.
func checkText(s string, noReplacement bool) error {
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return fmt.Errorf("control character U+%04X in a string", r)
		case unicode.Is(unicode.Bidi_Control, r):
			return fmt.Errorf("bidi control U+%04X in a string", r)
		case r == utf8.RuneError && noReplacement:
			return errors.New("U+FFFD (invalid text replaced) in a string")
		}
	}
	return nil
}

// pointerError is a refusal of the member at pointer.
type pointerError struct {
	pointer jsontext.Pointer
	err     error
}

func (e *pointerError) Error() string { return fmt.Sprintf("%v within %q", e.err, e.pointer) }
func (e *pointerError) Unwrap() error { return e.err }

// paramErr is uni-id-invalid-param for a decoding failure err, whose
// message names the field it concerns (password, clientInfo.deviceId),
// never the decoder's words or Go's types: err goes to the log only. prefix
// is the pointer of the document err's pointer is within (nil: the body).
func paramErr(prefix []string, err error) error {
	var p jsontext.Pointer
	if e, ok := errors.AsType[*pointerError](err); ok {
		p = e.pointer
	} else if e, ok := errors.AsType[*json.SemanticError](err); ok {
		p = e.JSONPointer
	} else if e, ok := errors.AsType[*jsontext.SyntacticError](err); ok {
		p = e.JSONPointer
	}
	field := fieldName(append(slices.Clone(prefix), slices.Collect(p.Tokens())...))
	if field == "" {
		return apierr.Wrap(apierr.InvalidParam, err)
	}
	e := apierr.Param(apierr.InvalidParam, field)
	e.Cause = err
	return e
}

// fieldName names the member at a pointer's tokens as a client knows it:
// the members joined by dots (password, clientInfo.deviceId, role.1),
// without the document's params and the index of uniCloud's one-element
// array around them. A name that is not plain (letters, digits, _ - $, at
// most 64 bytes: the client chose it) ends it, so no odd text is echoed.
func fieldName(tokens []string) string {
	for i, t := range tokens {
		if t == "" || len(t) > 64 || strings.ContainsFunc(t, func(r rune) bool {
			return r >= utf8.RuneSelf || !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_-$", r))
		}) {
			tokens = tokens[:i]
			break
		}
	}
	if len(tokens) > 0 && tokens[0] == "params" {
		tokens = tokens[1:]
		if len(tokens) > 0 && strings.Trim(tokens[0], "0123456789") == "" {
			tokens = tokens[1:]
		}
		if len(tokens) == 0 {
			return "params"
		}
	}
	return strings.Join(tokens, ".")
}

// DecodeParams decodes a call's params into p, as uni-id-co takes them:
// known fields must have their type (else uni-id-invalid-param); names match
// exactly, so a key differing only in case is unknown; unknown fields are
// ignored and their names returned, for the debug log. Absent or null params
// leave p zero. uniCloud's one-element array form [params] is accepted.
func DecodeParams(raw []byte, p any) (unknown []string, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] == '[' {
		var list []jsontext.Value
		if err := json.Unmarshal(raw, &list); err != nil || len(list) > 1 {
			return nil, paramErr([]string{"params"}, errors.New("params array must hold one object"))
		}
		if len(list) == 0 {
			return nil, nil
		}
		raw = bytes.TrimSpace(list[0])
		if bytes.Equal(raw, []byte("null")) {
			return nil, nil
		}
	}
	if raw[0] != '{' {
		return nil, paramErr([]string{"params"}, errors.New("params must be an object"))
	}
	if err := json.Unmarshal(raw, p); err != nil {
		return nil, paramErr([]string{"params"}, err)
	}
	return unknownNames(raw, knownNames(reflect.TypeOf(p))), nil
}

// knownNamesCache maps a params type to the JSON names it decodes.
var knownNamesCache sync.Map // reflect.Type -> map[string]bool

// knownNames returns the member names a struct type (or a pointer to one)
// decodes, by the JSON rules: the tag's name, else the field's name, and
// the fields of an embedded struct without a name. A fallback map (tagged
// embed) collects unknown members, so its name is not one.
func knownNames(t reflect.Type) map[string]bool {
	if v, ok := knownNamesCache.Load(t); ok {
		return v.(map[string]bool)
	}
	names := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return
		}
		for f := range t.Fields() {
			tag, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case tag == "-" || (!f.IsExported() && !f.Anonymous):
			case (f.Anonymous && tag == "") || slices.Contains(strings.Split(opts, ","), "embed"):
				walk(f.Type) // a struct's members; nothing for a fallback map
			case tag != "":
				names[tag] = true
			default:
				names[f.Name] = true
			}
		}
	}
	walk(t)
	knownNamesCache.Store(t, names)
	return names
}

// unknownNames lists the top-level member names of the object raw that
// known lacks. raw has been decoded already, so it is well formed.
func unknownNames(raw []byte, known map[string]bool) []string {
	var out []string
	dec := jsontext.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.ReadToken(); err != nil {
		return nil
	}
	for dec.PeekKind() == '"' {
		tok, err := dec.ReadToken()
		if err != nil {
			return out
		}
		if name := tok.String(); !known[name] {
			out = append(out, name)
		}
		if dec.SkipValue() != nil {
			return out
		}
	}
	return out
}

// rawClient is clientInfo as uni-app sends it. Unknown keys are ignored
// (uni-app adds new ones in every release); known keys must have the right
// type.
type rawClient struct {
	AppID       *string     `json:"appId"`
	UniPlatform *string     `json:"uniPlatform"`
	DeviceID    *string     `json:"deviceId"`
	Locale      *string     `json:"locale"`
	OSName      *string     `json:"osName"`
	AppName     *string     `json:"appName"`
	AppVersion  *string     `json:"appVersion"`
	VersionCode flex.String `json:"appVersionCode"`
	Channel     flex.String `json:"channel"`
	UserAgent   *string     `json:"userAgent"`
}

// clientCaps bound each clientInfo string idco reads, in bytes. The ones
// that name something (the app, the device, the platform: keys of config,
// sessions and captchas) are refused beyond their cap, since a cut one
// could name another; the ones that only describe the client (stored in
// register_env and logged) are cut at a character boundary, since a real
// client may well send long ones (a webview's userAgent, a developer's
// appName) and must not be refused for it.
var clientCaps = []struct {
	name   string
	max    int
	refuse bool
	field  func(ci *ClientInfo) *string
}{
	{"appId", 128, true, func(ci *ClientInfo) *string { return &ci.AppID }},
	{"deviceId", 128, true, func(ci *ClientInfo) *string { return &ci.DeviceID }},
	{"uniPlatform", 64, true, func(ci *ClientInfo) *string { return &ci.Platform }},
	{"locale", 64, false, func(ci *ClientInfo) *string { return &ci.Locale }},
	{"osName", 64, false, func(ci *ClientInfo) *string { return &ci.OSName }},
	{"appName", 128, false, func(ci *ClientInfo) *string { return &ci.AppName }},
	{"appVersion", 64, false, func(ci *ClientInfo) *string { return &ci.AppVersion }},
	{"appVersionCode", 64, false, func(ci *ClientInfo) *string { return &ci.VersionCode }},
	{"channel", 128, false, func(ci *ClientInfo) *string { return &ci.Channel }},
	{"userAgent", 512, false, func(ci *ClientInfo) *string { return &ci.UserAgent }},
}

// parseClientInfo decodes clientInfo. A missing clientInfo is allowed (a
// curl user has none): the platform defaults to web and the app to the
// default config. Every string is held to clientCaps.
func parseClientInfo(raw []byte) (ClientInfo, error) {
	var ci ClientInfo
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		ci.Platform = "web"
		return ci, nil
	}
	var rc rawClient
	if err := json.Unmarshal(raw, &rc); err != nil {
		return ci, paramErr([]string{"clientInfo"}, err)
	}
	ci = ClientInfo{
		AppID: deref(rc.AppID), Platform: deref(rc.UniPlatform),
		DeviceID: deref(rc.DeviceID), Locale: deref(rc.Locale), OSName: deref(rc.OSName),
		AppName: deref(rc.AppName), AppVersion: deref(rc.AppVersion), VersionCode: string(rc.VersionCode),
		Channel: string(rc.Channel), UserAgent: deref(rc.UserAgent),
	}
	for _, c := range clientCaps {
		f := c.field(&ci)
		if len(*f) <= c.max {
			continue
		}
		if c.refuse {
			return ci, paramErr([]string{"clientInfo", c.name}, fmt.Errorf("clientInfo.%s: %d bytes, at most %d", c.name, len(*f), c.max))
		}
		*f = cut(*f, c.max)
	}
	ci.Platform = NormalizePlatform(ci.Platform)
	return ci, nil
}

// cut returns s cut to at most n bytes, at a character boundary.
func cut(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// NormalizePlatform maps uni-app platform names as uni-id does: app-plus,
// app-android and app-ios are app; h5 is web; empty is web.
func NormalizePlatform(p string) string {
	switch p {
	case "app", "app-plus", "app-android", "app-ios", "app-harmony":
		return "app"
	case "web", "h5", "":
		return "web"
	}
	return p
}

// pickLocale returns "en" or "zh-Hans" from clientInfo.locale, then
// Accept-Language.
func pickLocale(clientLocale, acceptLanguage string) string {
	for _, l := range []string{clientLocale, acceptLanguage} {
		l = strings.TrimSpace(strings.Split(l, ",")[0])
		if l == "" {
			continue
		}
		if apierr.IsEnglish(strings.ToLower(l)) {
			return "en"
		}
		return "zh-Hans"
	}
	return "zh-Hans"
}
