package cloudobj

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/idco-dev/idco/shared/apierr"
)

// MaxBody is the largest request body accepted, checked before decoding.
const MaxBody = 16 << 10

// maxDepth bounds nesting, so a hostile body cannot make decoding deep.
const maxDepth = 32

// body is the request document: uni-id's {method, params, clientInfo,
// uniIdToken}. Unknown top-level keys are refused.
type body struct {
	Method     string          `json:"method"`
	Params     json.RawMessage `json:"params"`
	ClientInfo json.RawMessage `json:"clientInfo"`
	UniIDToken string          `json:"uniIdToken"`
}

// parseBody checks and decodes a request body. Every failure is
// uni-id-invalid-param (or payload-too-large), and nothing has run yet.
func parseBody(data []byte) (*body, error) {
	if len(data) > MaxBody {
		return nil, apierr.New(apierr.PayloadTooLarge)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return &body{}, nil
	}
	if err := checkJSON(data); err != nil {
		return nil, apierr.Wrap(apierr.InvalidParam, err)
	}
	var b body
	if err := strictUnmarshal(data, &b); err != nil {
		return nil, apierr.Wrap(apierr.InvalidParam, err)
	}
	return &b, nil
}

// strictUnmarshal decodes exactly one JSON value into v, refusing unknown
// fields and wrong types.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// checkJSON refuses what encoding/json would let through: invalid UTF-8,
// duplicate object keys, control and bidi characters in strings, deep
// nesting, and more than one value.
func checkJSON(data []byte) error {
	if !utf8.Valid(data) {
		return errors.New("body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		keys  map[string]bool
		isObj bool
		key   bool // next string token in an object is a key
	}
	var stack []*frame
	values := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if top == nil {
			values++
			if values > 1 {
				return errors.New("more than one JSON value")
			}
		}
		if top != nil && top.isObj && top.key {
			k := tok.(string)
			if top.keys[k] {
				return fmt.Errorf("duplicate key %q", k)
			}
			if err := checkText(k); err != nil {
				return err
			}
			top.keys[k] = true
			top.key = false
			continue
		}
		if top != nil && top.isObj {
			top.key = true
		}
		switch t := tok.(type) {
		case json.Delim:
			if len(stack) >= maxDepth {
				return errors.New("nesting too deep")
			}
			stack = append(stack, &frame{isObj: t == '{', key: t == '{', keys: map[string]bool{}})
		case string:
			if err := checkText(t); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkText refuses control characters and bidi overrides, which have no
// place in any uni-id parameter and hide text in logs and consoles.
func checkText(s string) error {
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return fmt.Errorf("control character U+%04X in a string", r)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
			return fmt.Errorf("bidi control U+%04X in a string", r)
		}
	}
	return nil
}

// DecodeParams decodes a call's params strictly into p: unknown fields and
// wrong types are uni-id-invalid-param. Absent or null params leave p zero.
// uniCloud's one-element array form [params] is accepted.
func DecodeParams(raw json.RawMessage, p any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	if raw[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil || len(list) > 1 {
			return apierr.Wrap(apierr.InvalidParam, errors.New("params array must hold one object"))
		}
		if len(list) == 0 {
			return nil
		}
		raw = bytes.TrimSpace(list[0])
		if bytes.Equal(raw, []byte("null")) {
			return nil
		}
	}
	if raw[0] != '{' {
		return apierr.Wrap(apierr.InvalidParam, errors.New("params must be an object"))
	}
	if err := strictUnmarshal(raw, p); err != nil {
		return apierr.Wrap(apierr.InvalidParam, err)
	}
	return nil
}

// rawClient is clientInfo as uni-app sends it. Unknown keys are ignored
// (uni-app adds new ones in every release); known keys must have the right
// type.
type rawClient struct {
	AppID       *string         `json:"appId"`
	UniPlatform *string         `json:"uniPlatform"`
	DeviceID    *string         `json:"deviceId"`
	Locale      *string         `json:"locale"`
	OSName      *string         `json:"osName"`
	AppName     *string         `json:"appName"`
	AppVersion  *string         `json:"appVersion"`
	VersionCode json.RawMessage `json:"appVersionCode"`
	Channel     json.RawMessage `json:"channel"`
	UserAgent   *string         `json:"userAgent"`
}

// parseClientInfo decodes clientInfo. A missing clientInfo is allowed (a
// curl user has none): the platform defaults to web and the app to the
// default config.
func parseClientInfo(raw json.RawMessage) (ClientInfo, error) {
	var ci ClientInfo
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		ci.Platform = "web"
		return ci, nil
	}
	var rc rawClient
	if err := json.Unmarshal(raw, &rc); err != nil {
		return ci, apierr.Wrap(apierr.InvalidParam, fmt.Errorf("clientInfo: %v", err))
	}
	vc, err1 := numOrString(rc.VersionCode)
	ch, err2 := numOrString(rc.Channel)
	if err := errors.Join(err1, err2); err != nil {
		return ci, apierr.Wrap(apierr.InvalidParam, fmt.Errorf("clientInfo: %v", err))
	}
	ci = ClientInfo{
		AppID: deref(rc.AppID), Platform: NormalizePlatform(deref(rc.UniPlatform)),
		DeviceID: deref(rc.DeviceID), Locale: deref(rc.Locale), OSName: deref(rc.OSName),
		AppName: deref(rc.AppName), AppVersion: deref(rc.AppVersion), VersionCode: vc,
		Channel: ch, UserAgent: deref(rc.UserAgent),
	}
	if len(ci.DeviceID) > 128 || len(ci.AppID) > 128 {
		return ci, apierr.Wrap(apierr.InvalidParam, errors.New("clientInfo: deviceId or appId too long"))
	}
	return ci, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// numOrString accepts uni-id's number|string fields.
func numOrString(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", errors.New("want a number or a string")
	}
	return n.String(), nil
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
