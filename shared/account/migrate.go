package account

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/internal/lazyre"
)

// modelled are the uni-id-users fields User models (its json names), and
// idcoOnly those that are idco's own and never travel in an export.
var (
	modelled = func() map[string]bool {
		out := map[string]bool{}
		t := reflect.TypeFor[User]()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name != "" && name != "-" {
				out[name] = true
			}
		}
		return out
	}()
	idcoOnly = map[string]bool{"uid": true, "sessions": true, "ver": true}
)

var importID = lazyre.New(`^[A-Za-z0-9_-]{1,64}$`)

// UserFromUniID reads one document of a uniCloud export of uni-id-users:
// _id is the uid, uni-id's fields are User's, and every other field is
// kept in Extra, as it came (uni-id's token list included: those tokens are
// exchanged once for idco sessions).
func UserFromUniID(doc json.RawMessage) (*User, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(doc, &fields); err != nil {
		return nil, apierr.Param(apierr.InvalidParam, "document")
	}
	var id string
	if err := json.Unmarshal(fields["_id"], &id); err != nil || !importID.MatchString(id) {
		return nil, apierr.Param(apierr.InvalidParam, "_id")
	}
	known := map[string]json.RawMessage{}
	u := &User{UID: id}
	for k, v := range fields {
		switch {
		case k == "_id" || idcoOnly[k]:
		case modelled[k]:
			known[k] = v
		default:
			var x any
			if err := json.Unmarshal(v, &x); err != nil {
				return nil, apierr.Param(apierr.InvalidParam, k)
			}
			if u.Extra == nil {
				u.Extra = map[string]any{}
			}
			u.Extra[k] = x
		}
	}
	raw, _ := json.Marshal(known)
	if err := json.Unmarshal(raw, u); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, apierr.Param(apierr.InvalidParam, te.Field)
		}
		return nil, apierr.Param(apierr.InvalidParam, "document")
	}
	u.UID, u.Version, u.Sessions = id, 0, nil
	u.Username, u.Email = strings.ToLower(u.Username), strings.ToLower(u.Email)
	if len(u.Username) > 64 || strings.ContainsFunc(u.Username, func(r rune) bool { return r < 0x20 }) {
		return nil, apierr.Param(apierr.InvalidParam, "username")
	}
	if u.Mobile != "" && u.MobileConfirmed == 1 {
		if _, err := parsePhone(u.Mobile, []string{"+"}); err != nil {
			return nil, apierr.Param(apierr.InvalidParam, "mobile")
		}
	}
	if u.Email != "" && u.EmailConfirmed == 1 && validEmail(u.Email) != nil {
		return nil, apierr.Param(apierr.InvalidParam, "email")
	}
	return u, nil
}

// UniIDDoc is u as a document of uni-id-users: what UserFromUniID reads.
func UniIDDoc(u *User) map[string]any {
	raw, _ := json.Marshal(u)
	var doc map[string]any
	_ = json.Unmarshal(raw, &doc)
	for k := range idcoOnly {
		delete(doc, k)
	}
	for k, v := range u.Extra {
		if _, set := doc[k]; !set {
			doc[k] = v
		}
	}
	doc["_id"] = u.UID
	return doc
}

// ImportParams are importUsers' params: up to 100 documents, each with the
// line it came from.
type ImportParams struct {
	Users []struct {
		Line int             `json:"line"`
		Doc  json.RawMessage `json:"doc"`
	} `json:"users"`
	DryRun bool `json:"dryRun"`
}

// ImportResult is one document's outcome: created (or would be, in a dry
// run), exists (the same account is already there: a re-run), conflict
// (the uid, or a unique key of Key's kind, belongs to another account) or
// invalid (Param names the field).
type ImportResult struct {
	Line    int    `json:"line"`
	UID     string `json:"uid,omitempty"`
	Outcome string `json:"outcome"`
	Key     string `json:"key,omitempty"`
	ErrCode string `json:"errCode,omitempty"`
	Param   string `json:"param,omitempty"`
}

// ImportUsers handles importUsers: accounts exported from uni-id, each
// written whole with its unique keys or not at all, uniqueness enforced as
// for registrations. A re-run finds what it wrote and reports it as
// existing.
func (s *Service) ImportUsers(ctx context.Context, c *cloudobj.Call, p *ImportParams) (any, error) {
	if len(p.Users) == 0 || len(p.Users) > 100 {
		return nil, apierr.Param(apierr.InvalidParam, "users")
	}
	out := struct {
		Results []ImportResult `json:"results"`
	}{Results: []ImportResult{}}
	for _, d := range p.Users {
		r, err := s.importOne(ctx, d.Doc, p.DryRun)
		if err != nil {
			return nil, err // a store failure: nothing of this document was written
		}
		r.Line = d.Line
		out.Results = append(out.Results, r)
	}
	c.Log("imported", len(p.Users))
	return out, nil
}

func (s *Service) importOne(ctx context.Context, doc json.RawMessage, dry bool) (ImportResult, error) {
	u, err := UserFromUniID(doc)
	if err != nil {
		e := apierr.As(err)
		return ImportResult{Outcome: "invalid", ErrCode: e.Code, Param: e.Values["param"]}, nil
	}
	r := ImportResult{UID: u.UID}
	old, err := s.Users.Get(ctx, u.UID)
	switch {
	case err == nil:
		old.Version = 0
		if reflect.DeepEqual(UniIDDoc(old), UniIDDoc(u)) {
			r.Outcome = "exists"
		} else {
			r.Outcome, r.Key = "conflict", "uid"
		}
		return r, nil
	case !errors.Is(err, ErrNotFound):
		return r, storeErr("get user", err)
	}
	keys := s.keysOf(u)
	if hasRole(u.Role, AdminRole) {
		if _, err := s.Users.Owner(ctx, adminKey); errors.Is(err, ErrNotFound) {
			keys = append(keys, adminKey) // the first administrator mark, if free
		}
	}
	if dry {
		for _, k := range keys {
			owner, err := s.Users.Owner(ctx, k)
			if err == nil && owner != u.UID && k != adminKey {
				r.Outcome, r.Key = "conflict", keyKind(k)
				return r, nil
			}
			if err != nil && !errors.Is(err, ErrNotFound) {
				return r, storeErr("find key", err)
			}
		}
		r.Outcome = "created"
		return r, nil
	}
	err = s.Users.Create(ctx, u, keys)
	if t, ok := errors.AsType[*TakenError](err); ok && t.Key == adminKey {
		err = s.Users.Create(ctx, u, keys[:len(keys)-1])
	}
	switch t, ok := errors.AsType[*TakenError](err); {
	case ok:
		r.Outcome, r.Key = "conflict", keyKind(t.Key)
	case errors.Is(err, ErrConflict):
		r.Outcome, r.Key = "conflict", "uid"
	case err != nil:
		return r, storeErr("create user", err)
	default:
		r.Outcome = "created"
	}
	return r, nil
}

// keyKind names a unique key without its value (a phone number, an email).
func keyKind(k string) string {
	kind, _, _ := strings.Cut(k, ":")
	return kind
}

// ExportUsers handles exportUsers: a page of accounts as uni-id-users
// documents (what importUsers reads), and the next page's cursor.
func (s *Service) ExportUsers(ctx context.Context, _ *cloudobj.Call, p *PageParams) (any, error) {
	if err := p.check(100, 500); err != nil {
		return nil, err
	}
	users, next, err := s.Users.List(ctx, p.Limit, p.Cursor)
	if err != nil {
		return nil, storeErr("list users", err)
	}
	docs := make([]map[string]any, 0, len(users))
	for _, u := range users {
		docs = append(docs, UniIDDoc(u))
	}
	return struct {
		Users  []map[string]any `json:"users"`
		Cursor string           `json:"cursor"`
	}{docs, next}, nil
}
