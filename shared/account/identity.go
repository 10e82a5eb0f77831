package account

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
)

// Third-party providers.
const (
	Weixin = "weixin"
	QQ     = "qq"
	Alipay = "alipay"
	Apple  = "apple"
)

// Proof is what a client sends to prove a third-party identity.
type Proof struct {
	Provider      string
	Platform      string // the client's normalised uniPlatform
	UserAgent     string // tells WeChat's in-app browser (h5) from a web QR login
	Code          string // WeChat, QQ mini program, Alipay
	AccessToken   string // QQ app
	IdentityToken string // Apple
	Nonce         string // Apple, when the client used one
	WantProfile   bool   // fetch nickname and avatar (registration)
}

// Identity is a verified third-party identity.
type Identity struct {
	Provider string
	// Sub is uni-id's sub-platform (mp, app, h5, web) for WeChat and QQ.
	Sub     string
	OpenID  string
	UnionID string
	// Secret is what the provider gave for later server calls (a WeChat
	// mini-program session_key): kept server-side only, never returned.
	Secret    string
	SecretTTL time.Duration
	// Profile, when the provider offers one, fetches the nickname and avatar
	// URL; it is called only when the identity registers.
	Profile func(ctx context.Context) (nickname, avatar string, err error)
}

// Identities verifies third-party proofs against the providers. Errors are
// *apierr.Error: uni-id-get-third-party-account-failed for a bad or used
// proof, uni-id-rate-limited, uni-id-retry-later when the provider is down,
// uni-id-config-field-required when the app's oauth config is incomplete.
type Identities interface {
	Identify(ctx context.Context, cfg *config.Config, p Proof) (*Identity, error)
}

// PhoneProof is what a client sends to prove a phone number.
type PhoneProof struct {
	Kind        string // "weixin" (mini-program phone code), "weixin-data" (encryptedData), "univerify"
	Code        string
	AccessToken string
	OpenID      string
	Data, IV    string // WeChat encryptedData
	SessionKey  string // for weixin-data: the stored session_key
	AppID       string // the DCloud appId (univerify)
}

// Phones turns phone proofs into numbers (E.164 or uni-id's 11 digits).
// Errors as Identities.
type Phones interface {
	Phone(ctx context.Context, cfg *config.Config, p PhoneProof) (string, error)
}

// Cache keeps small server-side values with an expiry: WeChat session keys,
// the mini-program access token. Get returns ErrNotFound when absent or
// expired.
type Cache interface {
	CacheGet(ctx context.Context, key string, now time.Time) ([]byte, error)
	CacheSet(ctx context.Context, key string, value []byte, expires time.Time) error
	// CacheTake removes the value and returns it, once: ErrNotFound for
	// every other taker.
	CacheTake(ctx context.Context, key string, now time.Time) ([]byte, error)
}

// identityKeys returns the unique keys of a user's third-party identities:
// a WeChat or QQ openid is unique per sub-platform and app (the
// <p>_<appId> entries), a unionid across apps.
func identityKeys(u *User) []string {
	var keys []string
	for _, k := range sortedKeys(u.WxOpenid) {
		if strings.Contains(k, "_") {
			keys = append(keys, "wx-openid:"+k+":"+u.WxOpenid[k])
		}
	}
	if u.WxUnionid != "" {
		keys = append(keys, "wx-unionid:"+u.WxUnionid)
	}
	for _, k := range sortedKeys(u.QQOpenid) {
		if strings.Contains(k, "_") {
			keys = append(keys, "qq-openid:"+k+":"+u.QQOpenid[k])
		}
	}
	if u.QQUnionid != "" {
		keys = append(keys, "qq-unionid:"+u.QQUnionid)
	}
	if u.AliOpenid != "" {
		keys = append(keys, "ali-openid:"+u.AliOpenid)
	}
	if u.AppleOpenid != "" {
		keys = append(keys, "apple:"+u.AppleOpenid)
	}
	return keys
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// slot is where an identity lives on the user record and its lookup keys.
func slot(id *Identity, appID string) (openKey, unionKey string) {
	sub := id.Sub + "_" + appID
	switch id.Provider {
	case Weixin:
		openKey = "wx-openid:" + sub + ":" + id.OpenID
		if id.UnionID != "" {
			unionKey = "wx-unionid:" + id.UnionID
		}
	case QQ:
		openKey = "qq-openid:" + sub + ":" + id.OpenID
		if id.UnionID != "" {
			unionKey = "qq-unionid:" + id.UnionID
		}
	case Alipay:
		openKey = "ali-openid:" + id.OpenID
	case Apple:
		openKey = "apple:" + id.OpenID
	}
	return openKey, unionKey
}

// attach writes an identity onto a user record, as uni-id does: the openid
// under both <p> and <p>_<appId>, and the unionid.
func attach(u *User, id *Identity, appID string) {
	switch id.Provider {
	case Weixin:
		if u.WxOpenid == nil {
			u.WxOpenid = map[string]string{}
		}
		u.WxOpenid[id.Sub], u.WxOpenid[id.Sub+"_"+appID] = id.OpenID, id.OpenID
		if id.UnionID != "" {
			u.WxUnionid = id.UnionID
		}
	case QQ:
		if u.QQOpenid == nil {
			u.QQOpenid = map[string]string{}
		}
		u.QQOpenid[id.Sub], u.QQOpenid[id.Sub+"_"+appID] = id.OpenID, id.OpenID
		if id.UnionID != "" {
			u.QQUnionid = id.UnionID
		}
	case Alipay:
		u.AliOpenid = id.OpenID
	case Apple:
		u.AppleOpenid = id.OpenID
	}
}

// detach removes a provider's identities from a user record.
func detach(u *User, provider string) bool {
	switch provider {
	case Weixin:
		had := len(u.WxOpenid) > 0 || u.WxUnionid != ""
		u.WxOpenid, u.WxUnionid = nil, ""
		return had
	case QQ:
		had := len(u.QQOpenid) > 0 || u.QQUnionid != ""
		u.QQOpenid, u.QQUnionid = nil, ""
		return had
	case Alipay:
		had := u.AliOpenid != ""
		u.AliOpenid = ""
		return had
	case Apple:
		had := u.AppleOpenid != ""
		u.AppleOpenid = ""
		return had
	}
	return false
}

// takenErr answers a unique key another account owns: a third-party
// identity is uni-id-bind-conflict, anything else uni-id-account-exists.
func takenErr(t *TakenError) error {
	if strings.HasPrefix(t.Key, "idcard:") {
		return apierr.Wrap(apierr.IDCardExists, t)
	}
	for _, p := range []string{"wx-", "qq-", "ali-", "apple:"} {
		if strings.HasPrefix(t.Key, p) {
			return apierr.Wrap(apierr.BindConflict, t)
		}
	}
	return apierr.Wrap(apierr.AccountExists, t)
}

// loginMethods counts the ways a user can log in: a password with a
// username, mobile or email; a confirmed mobile (SMS code); a confirmed
// email (email code); each third-party identity.
func loginMethods(u *User) int {
	n := 0
	if u.Password != "" && u.Username != "" {
		n++
	}
	if u.Mobile != "" && u.MobileConfirmed == 1 {
		n++
	}
	if u.Email != "" && u.EmailConfirmed == 1 {
		n++
	}
	for _, has := range []bool{len(u.WxOpenid) > 0 || u.WxUnionid != "", len(u.QQOpenid) > 0 || u.QQUnionid != "",
		u.AliOpenid != "", u.AppleOpenid != ""} {
		if has {
			n++
		}
	}
	return n
}
