package account

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
)

// ExternalProvider is uni-id's provider name of an external system's
// identity (identities[].provider).
const ExternalProvider = "externalDirectConnect"

// signatureWindow is how old a signed call may be, as uni-id's 20 s;
// signatureSkew how far ahead of this clock its timestamp may be (uni-id
// sets no bound; one is needed so a signature cannot be kept for later).
const (
	signatureWindow = 20 * time.Second
	signatureSkew   = time.Minute
)

// SignatureString is uni-id's string to sign of a URL call: the params
// whose JSON value is not an object, array or null, sorted by name, as
// k=v joined by &, with values as JavaScript prints them.
func SignatureString(params json.RawMessage) (string, error) {
	var m map[string]json.RawMessage
	if len(params) > 0 {
		if err := json.Unmarshal(params, &m); err != nil {
			return "", err
		}
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		raw := strings.TrimSpace(string(m[k]))
		switch {
		case raw == "null", strings.HasPrefix(raw, "{"), strings.HasPrefix(raw, "["):
			continue
		case strings.HasPrefix(raw, `"`):
			var s string
			if err := json.Unmarshal(m[k], &s); err != nil {
				return "", err
			}
			parts = append(parts, k+"="+s)
		case raw == "true" || raw == "false":
			parts = append(parts, k+"="+raw)
		default:
			f, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				return "", err
			}
			parts = append(parts, k+"="+jsNumber(f))
		}
	}
	return strings.Join(parts, "&"), nil
}

// jsNumber prints f as JavaScript's String(f) does for the numbers a
// client sends (integers and decimals below 1e21).
func jsNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Sign is uni-id's URL-call signature: upper-case hex of HMAC-SHA256 keyed
// by secret+nonce over timestamp+the string to sign.
func Sign(secret, nonce, timestamp, signed string) string {
	mac := hmac.New(sha256.New, []byte(secret+nonce))
	mac.Write([]byte(timestamp + signed))
	return strings.ToUpper(hex.EncodeToString(mac.Sum(nil)))
}

// verifySignature checks an external system's call as uni-id's
// verify-request-sign does: over HTTP, signed with requestAuthSecret, at
// most 20 s old; and, unlike uni-id, not more than a minute ahead and with
// a nonce used once, so a captured call cannot be replayed. A trusted call
// (the operator's direct invocation) needs no signature.
func (s *Service) verifySignature(ctx context.Context, cfg *config.Config, c *cloudobj.Call) error {
	if c.Trusted { // not over HTTP: a direct invocation
		return nil
	}
	if cfg.RequestAuthSecret == "" {
		return &apierr.Error{Code: apierr.ConfigFieldRequired, Values: map[string]string{"field": "requestAuthSecret"}}
	}
	nonce, ts, sig := c.Header("uni-id-nonce"), c.Header("uni-id-timestamp"), c.Header("uni-id-signature")
	ms, err := strconv.ParseInt(ts, 10, 64)
	now := s.now()
	if err != nil || nonce == "" || len(nonce) > 128 || time.UnixMilli(ms).Add(signatureWindow).Before(now) ||
		time.UnixMilli(ms).After(now.Add(signatureSkew)) {
		return apierr.Wrap(apierr.IllegalRequest, errors.New("timestamp or nonce refused"))
	}
	signed, err := SignatureString(c.Params)
	if err != nil {
		return apierr.Param(apierr.InvalidParam, "params")
	}
	if !hmac.Equal([]byte(sig), []byte(Sign(cfg.RequestAuthSecret, nonce, ts, signed))) {
		return apierr.Wrap(apierr.IllegalRequest, errors.New("signature mismatch"))
	}
	// One use per nonce: counted in the window of the call's own
	// timestamp, so a replay of the same call meets the same counter.
	w := Window{Key: "s2s-nonce:" + nonce, Size: 10 * time.Minute}
	if _, err := s.Counters.Hit(ctx, w, 1, time.UnixMilli(ms)); err != nil {
		if errors.Is(err, ErrLimited) {
			return apierr.Wrap(apierr.IllegalRequest, errors.New("nonce used"))
		}
		return storeErr("count nonce", err)
	}
	return nil
}

func externalKey(externalUID string) string { return "external:" + externalUID }

// externalUID returns the uid of the account's external-system identity.
func externalUID(u *User) string {
	ids, _ := u.Extra["identities"].([]any)
	for _, x := range ids {
		if m, ok := x.(map[string]any); ok && m["provider"] == ExternalProvider {
			id, _ := m["uid"].(string)
			return id
		}
	}
	return ""
}

// ExternalRegisterParams are externalRegister's params.
type ExternalRegisterParams struct {
	ExternalUID string   `json:"externalUid"`
	Nickname    string   `json:"nickname"`
	Gender      *float64 `json:"gender"`
	Avatar      string   `json:"avatar"`
	InviteCode  string   `json:"inviteCode"`
}

// ExternalRegister handles externalRegister: an account for an external
// system's user, found again by externalUid.
func (s *Service) ExternalRegister(ctx context.Context, c *cloudobj.Call, p *ExternalRegisterParams) (any, error) {
	cfg, err := s.externalConfig(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := checkExternalUID(p.ExternalUID); err != nil {
		return nil, err
	}
	if err := validNickname(p.Nickname); err != nil {
		return nil, err
	}
	if p.Avatar != "" && !validAvatarURL(p.Avatar) {
		return nil, apierr.Param(apierr.InvalidParam, "avatar")
	}
	if !cfg.RegistrationOpen() {
		return nil, apierr.New(apierr.RegistrationDisabled)
	}
	u, err := s.newUser(cfg, c, nil)
	if err != nil {
		return nil, err
	}
	u.Nickname, u.Avatar = p.Nickname, p.Avatar
	info := map[string]any{}
	if p.Avatar != "" {
		info["avatar"] = p.Avatar
		setExtra(u, "avatar_file", avatarFile(p.Avatar), false)
	}
	if p.Gender != nil {
		info["gender"] = *p.Gender
		setExtra(u, "gender", *p.Gender, false)
	}
	if p.Nickname != "" {
		info["nickname"] = p.Nickname
	}
	setExtra(u, "identities", []any{map[string]any{"provider": ExternalProvider, "userInfo": info, "uid": p.ExternalUID}}, false)
	if _, err := s.create(ctx, cfg, c, u, s.keysOf(u), ""); err != nil {
		return nil, err
	}
	out := map[string]any{"externalUid": p.ExternalUID, "uid": u.UID, "nickname": p.Nickname, "avatar": p.Avatar}
	if p.Gender != nil {
		out["gender"] = *p.Gender
	}
	return out, nil
}

// avatarFile is uni-id's avatar_file of an avatar URL.
func avatarFile(avatar string) map[string]any {
	p := avatar
	if u, err := url.Parse(avatar); err == nil {
		p = u.Path
	}
	return map[string]any{"name": p, "extname": strings.TrimPrefix(path.Ext(p), "."), "url": avatar}
}

func checkExternalUID(id string) error {
	if id == "" {
		return apierr.Param(apierr.ParamRequired, "externalUid")
	}
	if len(id) > 128 || strings.ContainsAny(id, "\x00\n\r") {
		return apierr.Param(apierr.InvalidParam, "externalUid")
	}
	return nil
}

// ExternalLoginParams are externalLogin's params: uid or externalUid.
type ExternalLoginParams struct {
	UID         string `json:"uid"`
	ExternalUID string `json:"externalUid"`
}

// ExternalLogin handles externalLogin: a session of the account, for the
// external system to hand to its user.
func (s *Service) ExternalLogin(ctx context.Context, c *cloudobj.Call, p *ExternalLoginParams) (any, error) {
	cfg, err := s.externalConfig(ctx, c)
	if err != nil {
		return nil, err
	}
	u, err := s.externalAccount(ctx, p.UID, p.ExternalUID)
	if err != nil {
		return nil, err
	}
	if !inApp(u, c.Client.AppID) {
		return nil, apierr.New(apierr.AccountNotInApp)
	}
	res, err := s.login(ctx, cfg, c, u, loginOpts{typ: "login"})
	if err != nil {
		return nil, err
	}
	return map[string]any{"uid": res.(LoginResult).UID}, nil
}

// externalAccount finds the account by uid or by its external uid.
func (s *Service) externalAccount(ctx context.Context, uid, ext string) (*User, error) {
	if uid == "" && ext == "" {
		return nil, apierr.Param(apierr.ParamRequired, "uid or externalUid")
	}
	key := ""
	if uid == "" {
		if err := checkExternalUID(ext); err != nil {
			return nil, err
		}
		key = externalKey(ext)
	}
	return s.account(ctx, key, uid)
}

// externalConfig is the preamble of the external systems' methods: the
// app's config, and the call's signature checked against it.
func (s *Service) externalConfig(ctx context.Context, c *cloudobj.Call) (*config.Config, error) {
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	return cfg, s.verifySignature(ctx, cfg, c)
}

// ExternalUpdateParams are updateUserInfoByExternal's params: the account
// by uid or externalUid, and updateUser's fields plus gender and avatar.
type ExternalUpdateParams struct {
	UID         string    `json:"uid"`
	ExternalUID string    `json:"externalUid"`
	Username    string    `json:"username"`
	Password    string    `json:"password"`
	Gender      *float64  `json:"gender"`
	Avatar      *string   `json:"avatar"`
	Nickname    *string   `json:"nickname"`
	Mobile      *string   `json:"mobile"`
	Email       *string   `json:"email"`
	Role        *[]string `json:"role"`
	Tags        *[]string `json:"tags"`
	Status      *int      `json:"status"`

	AuthorizedApp *[]string `json:"authorizedApp"`
}

// UpdateUserInfoByExternal handles updateUserInfoByExternal: the fields
// given, the external identity's userInfo kept in step.
func (s *Service) UpdateUserInfoByExternal(ctx context.Context, c *cloudobj.Call, p *ExternalUpdateParams) (any, error) {
	cfg, err := s.externalConfig(ctx, c)
	if err != nil {
		return nil, err
	}
	u, err := s.externalAccount(ctx, p.UID, p.ExternalUID)
	if err != nil {
		return nil, err
	}
	if p.Username != "" {
		if err := validUsername(p.Username); err != nil {
			return nil, err
		}
	}
	hash, err := s.adminPassword(cfg, p.Password)
	if err != nil {
		return nil, err
	}
	if p.Avatar != nil && *p.Avatar != "" && !validAvatarURL(*p.Avatar) {
		return nil, apierr.Param(apierr.InvalidParam, "avatar")
	}
	set := UpdateUserParams{AuthorizedApp: p.AuthorizedApp, Nickname: p.Nickname, Role: p.Role, Mobile: p.Mobile,
		Email: p.Email, Tags: p.Tags, Status: p.Status}
	return nil, s.changeUser(ctx, c, u.UID, func(u *User) error {
		if p.Username != "" {
			u.Username = strings.ToLower(p.Username)
		}
		s.setPassword(u, hash)
		if err := s.applyUserFields(ctx, cfg, u, &set); err != nil {
			return err
		}
		if p.Gender != nil {
			setExtra(u, "gender", *p.Gender, false)
		}
		if p.Avatar != nil {
			u.Avatar = *p.Avatar
			setExtra(u, "avatar_file", avatarFile(*p.Avatar), *p.Avatar == "")
		}
		updateExternalInfo(u, p)
		return nil
	})
}

// updateExternalInfo keeps identities[].userInfo of the external identity
// in step with the account's nickname, gender and avatar.
func updateExternalInfo(u *User, p *ExternalUpdateParams) {
	ids, _ := u.Extra["identities"].([]any)
	out := make([]any, 0, len(ids))
	for _, x := range ids {
		m, ok := x.(map[string]any)
		if ok && m["provider"] == ExternalProvider {
			n := map[string]any{}
			for k, v := range m {
				n[k] = v
			}
			info := map[string]any{}
			if old, ok := m["userInfo"].(map[string]any); ok {
				for k, v := range old {
					info[k] = v
				}
			}
			if p.Nickname != nil {
				info["nickname"] = *p.Nickname
			}
			if p.Gender != nil {
				info["gender"] = *p.Gender
			}
			if p.Avatar != nil {
				info["avatar"] = *p.Avatar
			}
			n["userInfo"] = info
			x = n
		}
		out = append(out, x)
	}
	if len(out) > 0 {
		setExtra(u, "identities", out, false)
	}
}

// HandshakeParams are secureNetworkHandshakeByWeixin's params.
type HandshakeParams struct {
	Code              string `json:"code"`
	CallLoginByWeixin bool   `json:"callLoginByWeixin"`
}

// SecureNetworkHandshakeByWeixin handles secureNetworkHandshakeByWeixin
// (mp-weixin only): the code's session is verified with WeChat and its
// openid, unionid and session_key kept server-side for the token's
// lifetime under uni-id's key; with callLoginByWeixin the same identity
// also logs in (a code can be used once, so this is the only way).
func (s *Service) SecureNetworkHandshakeByWeixin(ctx context.Context, c *cloudobj.Call, p *HandshakeParams) (any, error) {
	if c.Client.Platform != "mp-weixin" {
		return nil, apierr.New(apierr.UnsupportedRequest)
	}
	if err := required("code", p.Code); err != nil {
		return nil, err
	}
	cfg, err := s.cfg(c)
	if err != nil {
		return nil, err
	}
	id, err := s.identify(ctx, cfg, c, Proof{Provider: Weixin, Code: p.Code})
	if err != nil {
		return nil, err
	}
	if s.Cache != nil {
		doc, _ := json.Marshal(map[string]string{"openid": id.OpenID, "unionid": id.UnionID, "session_key": id.Secret})
		key := "uni-id:" + c.Client.AppID + ":weixin-mp:code:" + p.Code + ":secure-network-cache"
		if err := s.Cache.CacheSet(ctx, key, doc, s.now().Add(time.Duration(cfg.TokenExpiresIn)*time.Second)); err != nil {
			return nil, storeErr("keep secure network session", err)
		}
	}
	if p.CallLoginByWeixin {
		return s.loginWithIdentity(ctx, cfg, c, id, "")
	}
	return nil, nil
}
