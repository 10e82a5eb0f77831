// Package problems collects what is wrong with a provider's config block,
// each as "<path><key>: <problem>" from the config root, so that a
// deployment learns of every problem at once rather than one per start.
// The SMS and email providers (shared/sms, shared/email) check their blocks
// with it.
package problems

import (
	"slices"
	"strings"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// List is the problems found so far under one path.
type List struct {
	// At is the path keys are relative to, such as "idco.sms.aliyun.".
	At string
	// Items are the problems, in the order found.
	Items []string
}

// Add records msg at key.
func (l *List) Add(key, msg string) { l.Items = append(l.Items, l.At+key+": "+msg) }

// Required records a key left empty or blank.
func (l *List) Required(key, v string) {
	if strings.TrimSpace(v) == "" {
		l.Add(key, "required")
	}
}

// OneOf records a value that is none of allowed. allowed[0] is the value
// that stands for the default (usually ""), accepted but not offered in
// the message.
func (l *List) OneOf(key, v string, allowed ...string) {
	if !slices.Contains(allowed, v) {
		l.Add(key, "must be one of "+strings.Join(allowed[1:], ", "))
	}
}

// Endpoint accepts an empty value, a bare host or an http(s) base URL
// without a path (httpcall.BaseURL).
func (l *List) Endpoint(key, v string) {
	if v == "" {
		return
	}
	if _, err := httpcall.BaseURL(v, ""); err != nil {
		l.Add(key, err.Error())
	}
}
