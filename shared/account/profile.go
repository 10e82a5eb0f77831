package account

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
)

// AvatarFile is uni-id's avatar_file: a picture in file storage.
type AvatarFile struct {
	Name    string `json:"name,omitempty"`
	Extname string `json:"extname,omitempty"`
	URL     string `json:"url,omitempty"`
}

// profileFields are the fields of uni-id-users a caller may read of their own
// account through getProfile: what uni-id-pages reads through the client
// database, and the other harmless ones. Passwords, sessions, third-party
// ids, real-name data and invite links are never among them.
var profileFields = []string{"_id", "username", "nickname", "gender", "avatar", "avatar_file",
	"mobile", "mobile_confirmed", "email", "email_confirmed", "role", "status",
	"register_date", "last_login_date", "my_invite_code"}

// GetProfileParams are getProfile's params: the fields wanted (all readable
// ones when empty), as the client database's field('a,b').
type GetProfileParams struct {
	Fields []string `json:"fields"`
}

// ProfileResult is getProfile's answer.
type ProfileResult struct {
	UserInfo map[string]any `json:"userInfo"`
}

// GetProfile handles getProfile: the caller's own record, limited to
// profileFields. It stands in for uni-id-pages' client-database read of
// uni-id-users where _id is the caller. A field outside the list is
// uni-id-permission-error, as the client database refuses it.
func (s *Service) GetProfile(ctx context.Context, c *cloudobj.Call, p *GetProfileParams) (any, error) {
	fields := p.Fields
	if len(fields) == 0 {
		fields = profileFields
	}
	for _, f := range fields {
		if !slices.Contains(profileFields, f) {
			return nil, apierr.New(apierr.PermissionError)
		}
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	all := map[string]any{"_id": u.UID, "username": u.Username, "nickname": u.Nickname,
		"gender": u.Extra["gender"], "avatar": u.Avatar, "avatar_file": u.Extra["avatar_file"],
		"mobile": u.Mobile, "mobile_confirmed": u.MobileConfirmed, "email": u.Email,
		"email_confirmed": u.EmailConfirmed, "role": u.Role, "status": u.Status,
		"register_date": u.RegisterDate, "last_login_date": u.LastLoginDate, "my_invite_code": u.MyInviteCode}
	out := map[string]any{"_id": u.UID}
	for _, f := range fields {
		if v := all[f]; !isZero(v) {
			out[f] = v
		}
	}
	return ProfileResult{UserInfo: out}, nil
}

// isZero reports the values a uni-id record would not hold at all.
func isZero(v any) bool {
	switch v := v.(type) {
	case string:
		return v == ""
	case int:
		return v == 0
	case int64:
		return v == 0
	case []string:
		return len(v) == 0
	}
	return v == nil
}

// UpdateProfileParams are updateProfile's params: the profile fields to
// set. Any other member is refused, so an identity field (username, mobile,
// email, role, status, dcloud_appid, ...) can never be written this way.
type UpdateProfileParams struct {
	Nickname   *string     `json:"nickname"`
	Gender     *int        `json:"gender"`
	Avatar     *string     `json:"avatar"`
	AvatarFile *AvatarFile `json:"avatar_file"`
	// Rest collects every other member, to refuse it.
	Rest map[string]jsontext.Value `json:",embed"`
}

// UpdateResult is updateProfile's answer: 1 when something changed, as the
// client database's updated count.
type UpdateResult struct {
	Updated int `json:"updated"`
}

// UpdateProfile handles updateProfile: the caller's own nickname, gender and
// avatar. It stands in for uni-id-pages' client-database update of
// uni-id-users where _id is the caller.
func (s *Service) UpdateProfile(ctx context.Context, c *cloudobj.Call, p *UpdateProfileParams) (any, error) {
	if len(p.Rest) > 0 {
		c.Log("refused", slices.Sorted(maps.Keys(p.Rest)))
		return nil, apierr.New(apierr.PermissionError)
	}
	if err := checkProfile(p); err != nil {
		return nil, err
	}
	u, err := s.caller(ctx, c)
	if err != nil {
		return nil, err
	}
	changed := false
	apply := func(u *User) error {
		before := profileOf(u)
		if p.Nickname != nil {
			u.Nickname = *p.Nickname
		}
		if p.Gender != nil {
			setExtra(u, "gender", *p.Gender, *p.Gender == 0)
		}
		if p.Avatar != nil {
			u.Avatar = *p.Avatar
		}
		if f := p.AvatarFile; f != nil {
			// A new picture replaces the old record whole, as the client
			// database's update of the field does.
			setExtra(u, "avatar_file", f.record(), *f == AvatarFile{})
		}
		changed = before != profileOf(u)
		if !changed {
			return errUnchanged
		}
		return nil
	}
	if _, err := s.updateCaller(ctx, c, u, apply); err != nil && !errors.Is(err, errUnchanged) {
		return nil, err
	}
	if changed {
		return UpdateResult{Updated: 1}, nil
	}
	return UpdateResult{}, nil
}

// errUnchanged stops an update that would write the same profile.
var errUnchanged = errors.New("profile unchanged")

// profileOf is the profile of u, comparable.
func profileOf(u *User) string {
	b, _ := json.Marshal([]any{u.Nickname, u.Avatar, u.Extra["gender"], u.Extra["avatar_file"]})
	return string(b)
}

// setExtra sets or, when remove, deletes an unmodelled field. uni-id keeps
// gender and avatar_file as the client wrote them, whatever their shape, so
// idco leaves them in Extra rather than decode them into types a migrated
// record might not fit.
func setExtra(u *User, key string, v any, remove bool) {
	if remove {
		delete(u.Extra, key)
		return
	}
	if u.Extra == nil {
		u.Extra = map[string]any{}
	}
	u.Extra[key] = v
}

// record is f as stored: uni-id's avatar_file object.
func (f AvatarFile) record() map[string]any {
	out := map[string]any{}
	for k, v := range map[string]string{"name": f.Name, "extname": f.Extname, "url": f.URL} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// checkProfile validates the fields of an update: uni-id's nickname rule,
// gender 0 (unknown), 1 or 2, and avatar addresses of at most 1024 bytes
// with an http, https or cloud scheme.
func checkProfile(p *UpdateProfileParams) error {
	if p.Nickname != nil {
		if err := validNickname(*p.Nickname); err != nil {
			return err
		}
	}
	if p.Gender != nil && (*p.Gender < 0 || *p.Gender > 2) {
		return apierr.Param(apierr.InvalidParam, "gender")
	}
	if p.Avatar != nil && !validAvatarURL(*p.Avatar) {
		return apierr.Param(apierr.InvalidParam, "avatar")
	}
	if f := p.AvatarFile; f != nil {
		if len(f.Name) > 255 || len(f.Extname) > 16 || !validAvatarURL(f.URL) {
			return apierr.Param(apierr.InvalidParam, "avatar_file")
		}
	}
	return nil
}

func validAvatarURL(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > 1024 {
		return false
	}
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "cloud":
		return u.Host != ""
	}
	return false
}
