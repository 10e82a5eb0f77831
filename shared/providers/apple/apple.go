// Package apple verifies Sign in with Apple identity tokens: RS256 against
// Apple's JWKS (cached, refetched on an unknown kid at most every few
// minutes), issuer, audience, expiry and nonce.
//
// It departs from uni-id, which caches the keys for the process lifetime and
// never refreshes them, so a key rotation breaks Apple login until a cold
// start. Here an unknown kid triggers a refetch, rate-limited so that forged
// kids cannot make idco hammer Apple, and an unreachable JWKS only fails
// tokens whose key is not cached yet (ErrUnavailable, never acceptance).
package apple

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/idco-dev/idco/shared/internal/httpcall"
	"github.com/idco-dev/idco/shared/internal/jwks"
)

// Issuer is the only iss Apple's identity tokens carry.
const Issuer = "https://appleid.apple.com"

// DefaultJWKSURL is where Apple publishes its token signing keys.
const DefaultJWKSURL = "https://appleid.apple.com/auth/keys"

// Defaults used when the matching Verifier field is zero.
const (
	DefaultRefetchEvery = jwks.DefaultRefetchEvery
	DefaultTimeout      = jwks.DefaultTimeout
)

// skew is the clock difference tolerated on exp and iat. Apple's tokens
// live about ten minutes, so a minute of slack is plenty.
const skew = 60 * time.Second

var (
	// ErrInvalid is wrapped by every rejection of the token itself: bad
	// signature or alg, wrong iss or aud, expired, nonce mismatch, or a kid
	// that is not in a fresh copy of Apple's JWKS. Answer it as a failed
	// third-party login; retrying the same token cannot help.
	ErrInvalid = errors.New("apple: invalid identity token")
	// ErrUnavailable means the token could not be checked: its kid is not
	// cached and Apple's JWKS could not be fetched. It is retryable (503).
	ErrUnavailable = errors.New("apple: signing keys unavailable")
)

// Verifier checks identity tokens. The zero values of JWKSURL, HTTP, Now,
// RefetchEvery and Timeout mean DefaultJWKSURL, http.DefaultClient,
// time.Now, DefaultRefetchEvery and DefaultTimeout. One Verifier is meant to
// be shared by all requests of a process, so that the key cache is too; it
// is safe for concurrent use and must not be copied after first use.
type Verifier struct {
	JWKSURL      string
	HTTP         *http.Client
	Now          func() time.Time
	RefetchEvery time.Duration
	Timeout      time.Duration

	once sync.Once
	set  *jwks.Set // Apple's keys, built from the fields on first use
}

// Identity is what a verified token says about the user. Subject is Apple's
// stable user id for the developer team and the only thing to key accounts
// by; the email is informational and must never match an existing account.
type Identity struct {
	Subject       string
	Email         string
	EmailVerified bool
	PrivateEmail  bool // the address is an Apple private relay address
}

// claims are the parts of Apple's identity token idco reads.
type claims struct {
	jwt.RegisteredClaims
	Nonce          string  `json:"nonce"`
	Email          string  `json:"email"`
	EmailVerified  boolish `json:"email_verified"`
	IsPrivateEmail boolish `json:"is_private_email"`
}

// Verify checks idToken and returns the identity in it. audiences lists the
// client ids the token may be for (app bundle ids, web service ids); aud
// must equal one of them. When nonce is not empty, the token's nonce claim
// must equal hex(SHA-256(nonce)) or nonce itself. Apple copies whatever the
// client put in the authorization request: Firebase's recipe, which native
// apps widely follow, sends the SHA-256 hex of the raw nonce so that a token
// seen in transit does not reveal it, while Sign in with Apple JS passes the
// nonce unchanged. Both prove the token was minted for this nonce; making
// the nonce server-issued, bound to the client and single-use is the
// caller's job, and with that the unhashed form cannot be replayed either.
func (v *Verifier) Verify(ctx context.Context, idToken string, audiences []string, nonce string) (*Identity, error) {
	if len(audiences) == 0 {
		return nil, errors.New("apple: no audiences configured")
	}
	var c claims
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(audiences...),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(skew),
		jwt.WithTimeFunc(v.now),
	)
	_, err := parser.ParseWithClaims(idToken, &c, v.keys().Keyfunc(ctx))
	switch {
	case errors.Is(err, jwks.ErrUnavailable):
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	case c.Subject == "":
		return nil, fmt.Errorf("%w: no sub", ErrInvalid)
	case nonce != "" && !nonceMatches(c.Nonce, nonce):
		return nil, fmt.Errorf("%w: nonce mismatch", ErrInvalid)
	}
	return &Identity{
		Subject:       c.Subject,
		Email:         c.Email,
		EmailVerified: bool(c.EmailVerified),
		PrivateEmail:  bool(c.IsPrivateEmail),
	}, nil
}

// keys returns Apple's key set, built on first use.
func (v *Verifier) keys() *jwks.Set {
	v.once.Do(func() {
		u := v.JWKSURL
		if u == "" {
			u = DefaultJWKSURL
		}
		v.set = &jwks.Set{URL: u, HTTP: v.HTTP, Now: v.Now, RefetchEvery: v.RefetchEvery, Timeout: v.Timeout}
	})
	return v.set
}

// nonceMatches compares in constant time against both accepted forms.
func nonceMatches(claim, nonce string) bool {
	sum := sha256.Sum256([]byte(nonce))
	hashed := hex.EncodeToString(sum[:])
	raw := subtle.ConstantTimeCompare([]byte(claim), []byte(nonce))
	hash := subtle.ConstantTimeCompare([]byte(claim), []byte(hashed))
	return raw|hash == 1
}

// boolish reads Apple's email_verified and is_private_email, documented as
// "a String or Boolean value". Only true and "true" are true; anything else
// is false rather than an error, so that a format change on Apple's side
// cannot lock users out and can only make idco trust the email less.
type boolish bool

func (b *boolish) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*b = boolish(v == true || v == "true")
	return nil
}

func (v *Verifier) now() time.Time { return httpcall.Now(v.Now) }
