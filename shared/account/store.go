package account

import (
	"context"
	"errors"
	"strings"
	"time"
)

// User is an account, stored under uni-id's field names (uni-id-users), so a
// migrated uni-id user reads the same. Times are milliseconds since the epoch.
type User struct {
	UID                   string            `json:"uid"`
	Username              string            `json:"username,omitempty"`
	Password              string            `json:"password,omitempty"`
	PasswordSecretVersion int               `json:"password_secret_version,omitempty"`
	Nickname              string            `json:"nickname,omitempty"`
	Mobile                string            `json:"mobile,omitempty"`
	MobileConfirmed       int               `json:"mobile_confirmed,omitempty"`
	Email                 string            `json:"email,omitempty"`
	EmailConfirmed        int               `json:"email_confirmed,omitempty"`
	Role                  []string          `json:"role,omitempty"`
	Status                int               `json:"status,omitempty"`
	DcloudAppid           []string          `json:"dcloud_appid,omitzero"` // nil: every app; empty: none
	RegisterDate          int64             `json:"register_date,omitempty"`
	RegisterEnv           *RegisterEnv      `json:"register_env,omitempty"`
	RegisterIP            string            `json:"register_ip,omitempty"`
	LastLoginDate         int64             `json:"last_login_date,omitempty"`
	LastLoginIP           string            `json:"last_login_ip,omitempty"`
	ValidTokenDate        int64             `json:"valid_token_date,omitempty"`
	MyInviteCode          string            `json:"my_invite_code,omitempty"`
	InviterUID            []string          `json:"inviter_uid,omitempty"`
	InviteTime            int64             `json:"invite_time,omitempty"`
	Avatar                string            `json:"avatar,omitempty"`
	RealNameAuth          *RealNameAuth     `json:"realname_auth,omitempty"`
	WxOpenid              map[string]string `json:"wx_openid,omitempty"` // <p> and <p>_<appId> -> openid
	WxUnionid             string            `json:"wx_unionid,omitempty"`
	QQOpenid              map[string]string `json:"qq_openid,omitempty"`
	QQUnionid             string            `json:"qq_unionid,omitempty"`
	AliOpenid             string            `json:"ali_openid,omitempty"`
	AppleOpenid           string            `json:"apple_openid,omitempty"`
	// OAuth holds the web OAuth identities (GitHub, Google, DingTalk, Weibo,
	// Facebook, X): provider name -> the provider's stable user id, each
	// also claimed as the unique key <provider>:<id>. Never an email.
	OAuth    map[string]string  `json:"oauth_identities,omitempty"`
	Sessions map[string]Session `json:"sessions,omitempty"`
	// MobileBoundAt and EmailBoundAt are when the current mobile or email
	// was bound to an existing account (not when it registered with it):
	// a newly bound channel cannot reset the password at once.
	MobileBoundAt int64 `json:"mobile_bound_at,omitempty"`
	EmailBoundAt  int64 `json:"email_bound_at,omitempty"`
	// AccessTokens are the user's personal access tokens by id; only a
	// digest of each secret is kept (and claimed as a unique key).
	AccessTokens map[string]AccessToken `json:"access_tokens,omitempty"`
	// OAuthGrants are the open platform's apps the user authorised, by
	// client id: the scopes consented to. Their sessions are in Sessions,
	// marked with the client id.
	OAuthGrants map[string]OAuthGrant `json:"oauth_grants,omitempty"`
	// Version counts saves; every save is conditional on it.
	Version int64 `json:"ver"`
	// Extra keeps the fields idco does not model (a migrated uni-id user's
	// tags, the profile's gender and avatar_file, whatever their shape), so
	// saving a user never drops them. Under the name of a modelled object
	// field (realname_auth, register_env) it keeps that object's members
	// idco does not model, which the store writes back.
	Extra map[string]any `json:"-"`
}

// RegisterEnv is uni-id's register_env.
type RegisterEnv struct {
	AppID          string `json:"appid"`
	UniPlatform    string `json:"uni_platform"`
	OSName         string `json:"os_name"`
	AppName        string `json:"app_name"`
	AppVersion     string `json:"app_version"`
	AppVersionCode string `json:"app_version_code"`
	Channel        string `json:"channel"`
	ClientIP       string `json:"client_ip"`
}

// Session is one logged-in device. Its token carries the session id and Gen;
// refreshing bumps Gen, so an older token stops working after the grace window.
type Session struct {
	Gen       int   `json:"gen"`
	Created   int64 `json:"created"`
	Expires   int64 `json:"expires"`
	RotatedAt int64 `json:"rotated_at,omitempty"`
	// AuthAt is the session's last real login (password, code, third
	// party; not a refresh), for the methods that need a recent one. 0
	// (a session from before idco kept it): Created.
	AuthAt   int64  `json:"auth_at,omitempty"`
	Platform string `json:"platform,omitempty"`
	DeviceID string `json:"device_id,omitempty"`
	AppID    string `json:"appid,omitempty"`
	// PushClientID is the device's uni-push client id (setPushCid); it
	// ends with the session, so a push for this user never reaches a
	// device that logged out or moved to another account.
	PushClientID string `json:"push_clientid,omitempty"`
	PushUpdated  int64  `json:"push_updated,omitempty"`
	// ClientID marks an open-platform app's session (its refresh token's),
	// with the scopes it was granted: never a device's, so its token is
	// refused wherever a login is needed.
	ClientID string   `json:"client_id,omitempty"`
	Scopes   []string `json:"scopes,omitempty"`
}

// Account status values, as uni-id.
const (
	StatusNormal      = 0
	StatusBanned      = 1
	StatusAuditing    = 2
	StatusAuditFailed = 3
	StatusClosed      = 4
)

// Store errors. Adapters return these (possibly wrapped); anything else is a
// fault of the store and becomes a retryable or system error.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict means the record changed since it was read.
	ErrConflict = errors.New("conflict")
	// ErrLimited means a counter is at its limit.
	ErrLimited = errors.New("limited")
	// ErrUnavailable means the store is throttled or failing; retry later.
	ErrUnavailable = errors.New("store unavailable")
)

// TakenError means a unique key (username, mobile, email, ...) belongs to
// another account.
type TakenError struct{ Key string }

// Error names the key's kind only: the value is often a phone number or
// an email, which logs must not hold.
func (e *TakenError) Error() string {
	kind, _, _ := strings.Cut(e.Key, ":")
	return "unique key taken: " + kind
}

// Users stores accounts and their unique keys. A unique key is a string such
// as "username:alice"; each is owned by at most one account, enforced in the
// same transaction that writes the account.
type Users interface {
	// Get returns the account uid with a strongly consistent read, or
	// ErrNotFound.
	Get(ctx context.Context, uid string) (*User, error)
	// Owner returns the uid owning key, or ErrNotFound.
	Owner(ctx context.Context, key string) (string, error)
	// Create writes a new account and claims keys. It returns *TakenError
	// naming a key another account owns, and writes nothing then.
	Create(ctx context.Context, u *User, keys []string) error
	// Save writes u over the stored account if the stored Version is still
	// u.Version (then it becomes u.Version+1), claims addKeys and releases
	// dropKeys in the same transaction. It returns ErrConflict when the
	// account changed, *TakenError when a key is taken, ErrNotFound when the
	// account is gone, and writes nothing in those cases.
	Save(ctx context.Context, u *User, addKeys, dropKeys []string) error
	// Delete removes the account if the stored Version is still u.Version,
	// and releases keys, each only if the account owns it, in the same
	// transaction. It returns ErrConflict when the account or a key changed
	// and ErrNotFound when the account is gone, and deletes nothing then.
	Delete(ctx context.Context, u *User, keys []string) error
	// List returns up to limit accounts after cursor ("" for the first
	// page) in no particular order, and the cursor of the next page ("" at
	// the end). Every account stored for the whole listing appears once.
	List(ctx context.Context, limit int, cursor string) ([]*User, string, error)
}

// Captchas stores captcha answers (hashed) by device and scene.
type Captchas interface {
	// Put stores the answer hash for key until expires, replacing any
	// earlier one.
	Put(ctx context.Context, key string, hash []byte, expires time.Time) error
	// Take removes the captcha at key and returns what it held, or
	// ErrNotFound. A captcha is taken on its first check, right or wrong.
	Take(ctx context.Context, key string) (hash []byte, expires time.Time, err error)
}

// Window names a sliding-window counter: Key counts the Hits of about the
// last Size. Time is cut into slots of Size/WindowSlots (rounded up to a
// millisecond), starting at multiples of that length since the Unix epoch,
// and the count at a moment is the Hits in its slot and the WindowSlots
// slots before it. That gives the guarantee a limit needs wherever a span
// starts, which fixed windows lack (they let twice the limit through
// around a window's edge):
//
//   - a counter never lets more than its limit of Hits succeed within any
//     span of Size;
//   - a Hit stops counting between Size and Size+Size/WindowSlots after it
//     was made, so a counter at its limit is free again at most that long
//     after its last Hit (Until).
//
// A limit that must follow the calendar (a day from midnight China time)
// puts the date in Key instead.
type Window struct {
	Key  string
	Size time.Duration
}

// WindowSlots is how many slots a Window's Size is cut into: the most a
// Hit overstays its Size is one slot, a twelfth of it.
const WindowSlots = 12

// Slot returns the index of the slot holding now and the slots' length.
func (w Window) Slot(now time.Time) (int64, time.Duration) {
	size := (w.Size.Milliseconds() + WindowSlots - 1) / WindowSlots
	size = max(size, 1)
	return now.UnixMilli() / size, time.Duration(size) * time.Millisecond
}

// Until returns when a Hit made at now stops counting: the end of the
// WindowSlots-th slot after now's. Every Hit counted at now has stopped
// counting by then.
func (w Window) Until(now time.Time) time.Time {
	k, size := w.Slot(now)
	return time.UnixMilli(0).Add(time.Duration(k+WindowSlots+1) * size)
}

// Counters are sliding-window counters for rate limits and failure counts,
// with Window's guarantee.
type Counters interface {
	// Hit adds one to w's count at now and returns the new count. If the
	// count is already limit it returns ErrLimited and changes nothing.
	// limit 0 means no limit.
	Hit(ctx context.Context, w Window, limit int, now time.Time) (int, error)
	// Counts returns each counter's count at now (0 if none), in one read.
	Counts(ctx context.Context, now time.Time, ws ...Window) ([]int, error)
	// Reset clears w's counter: its count is 0 until the next Hit.
	Reset(ctx context.Context, w Window, now time.Time) error
	// Unhit takes back the latest Hit of w's still counted at now (never
	// below zero): an attempt reserved before work that then failed.
	Unhit(ctx context.Context, w Window, now time.Time) error
}

// Limit is a counter that must stay below Max for an action to happen.
type Limit struct {
	Window
	Max int
}

// Cooldown is a sliding lock: Key is free again at Until.
type Cooldown struct {
	Key   string
	Until time.Time
}

// LimitError says which limit refused an Issue: Index into its limits, or
// -1 for the cooldown; Until is when the cooldown ends.
type LimitError struct {
	Index int
	Until time.Time
}

func (e *LimitError) Error() string { return "limit reached" }

// Codes stores one-time codes (hashed) with the limits on sending them.
type Codes interface {
	// Issue stores hash as the code at key until expires, replacing any
	// earlier code there, in one transaction with the send limits: the
	// cooldown must be free (it is then taken) and every limit's counter,
	// a Counters one with Window's guarantee, below its Max at now (each
	// then counts one). It returns *LimitError and changes nothing when a
	// limit refuses.
	Issue(ctx context.Context, key string, hash []byte, expires time.Time, cd Cooldown, limits []Limit, now time.Time) error
	// Withdraw undoes an Issue whose delivery failed: it removes the code,
	// frees the cooldown and gives back the counts the Issue at now took
	// (a counter reset since, or whose count no longer holds them, is left
	// as it is).
	Withdraw(ctx context.Context, key string, cd Cooldown, limits []Limit, now time.Time) error
	// Attempt counts one verification try of the code at key and returns
	// its hash. It returns ErrNotFound, counting nothing, when there is no
	// code, it has expired, or it has had max tries already.
	Attempt(ctx context.Context, key string, max int, now time.Time) ([]byte, error)
	// Consume removes the code at key if it still holds hash, so a code
	// verifies once however many checks race; ErrNotFound otherwise.
	Consume(ctx context.Context, key string, hash []byte) error
}
