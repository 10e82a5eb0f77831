package account

import (
	"context"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/config"
)

// The third-party providers the uni-id-co methods name (loginByWeixin...);
// what each does is its package's (account.Provider).
const (
	Weixin = "weixin"
	QQ     = "qq"
	Alipay = "alipay"
	Apple  = "apple"

	Univerify = "univerify" // one-click login: a phone number, no identity
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
	// RedirectURI is the redirect_uri a web OAuth code was issued for (the
	// providers require the same one to exchange it), and CodeVerifier the
	// PKCE verifier of its code_challenge (X, Google, GitHub).
	RedirectURI  string
	CodeVerifier string
	WantProfile  bool // fetch nickname and avatar (registration)
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
	Provider    string // Weixin (a mini-program phone code or encryptedData), Univerify
	Kind        string // PhoneData for WeChat's encryptedData, "" otherwise
	Code        string
	AccessToken string
	OpenID      string
	Data, IV    string // WeChat encryptedData
	SessionKey  string // for weixin-data: the stored session_key
	AppID       string // the DCloud appId (univerify)
}

// PhoneData is the Kind of a WeChat encryptedData phone proof.
const PhoneData = "data"

// Phones turns phone proofs into numbers (E.164 or uni-id's 11 digits).
// Errors as Identities.
type Phones interface {
	Phone(ctx context.Context, cfg *config.Config, p PhoneProof) (string, error)
}

// MiniProgramCodes draws mini-program codes (WeChat's
// wxacode.getUnlimited) for QR-code login.
type MiniProgramCodes interface {
	// MiniProgramCode returns the picture (its bytes and content type,
	// image/png or image/jpeg) of a code of cfg's mini program that opens
	// idco.qrLogin.page with scene. Errors are *apierr.Error:
	// uni-id-config-field-required or -invalid, uni-id-retry-later,
	// uni-id-rate-limited, uni-id-get-third-party-account-failed.
	MiniProgramCode(ctx context.Context, cfg *config.Config, scene string) (picture []byte, contentType string, err error)
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
	// CacheSwap replaces the value at key by value if it still holds old
	// and is live at now, keeping its expiry: a compare-and-set, so of
	// writers racing from one value exactly one moves it on. It returns
	// ErrNotFound when no live value is there, ErrConflict when another
	// value is, and changes nothing then.
	CacheSwap(ctx context.Context, key string, old, value []byte, now time.Time) error
}

// identityKeys returns the unique keys of a user's third-party identities.
func (s *Service) identityKeys(u *User) []string {
	var keys []string
	for _, p := range s.identityProviders() {
		keys = append(keys, p.Keys(u)...)
	}
	return keys
}

// slot is where an identity lives on the user record and its lookup keys.
func (s *Service) slot(id *Identity, appID string) (openKey, unionKey string) {
	if p := s.identityProvider(id.Provider); p != nil {
		return p.Slot(id, appID)
	}
	return "", ""
}

// attach writes an identity onto a user record.
func (s *Service) attach(u *User, id *Identity, appID string) {
	if p := s.identityProvider(id.Provider); p != nil {
		p.Attach(u, id, appID)
	}
}

// takenErr answers a unique key another account owns: a third-party
// identity is uni-id-bind-conflict, anything else uni-id-account-exists.
func (s *Service) takenErr(t *TakenError) error {
	if strings.HasPrefix(t.Key, "idcard:") {
		return apierr.Wrap(apierr.IDCardExists, t)
	}
	for _, p := range s.identityProviders() {
		if p.Owns(t.Key) {
			return apierr.Wrap(apierr.BindConflict, t)
		}
	}
	return apierr.Wrap(apierr.AccountExists, t)
}

// loginMethods counts the ways a user can log in: a password with a
// username, mobile or email; a confirmed mobile (SMS code); a confirmed
// email (email code); each third-party identity.
func (s *Service) loginMethods(u *User) int {
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
	for _, p := range s.identityProviders() {
		if p.Bound(u) {
			n++
		}
	}
	return n
}
