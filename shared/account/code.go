package account

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
)

// Channels a code goes out on.
const (
	chanSMS   = "sms"
	chanEmail = "email"
)

// testModeCode is uni-id's test-mode SMS code, used only in dev mode when
// idco.sms.testMode is on.
const testModeCode = "123456"

var codeRE = regexp.MustCompile(`^[0-9]{6}$`)

// newCode returns 6 digits from the service's randomness without modulo
// bias: 4294000000 is the largest multiple of a million below 2^32.
func (s *Service) newCode() (string, error) {
	var b [4]byte
	for {
		if _, err := io.ReadFull(s.rand(), b[:]); err != nil {
			return "", apierr.Systemf("random code: %w", err)
		}
		if n := binary.BigEndian.Uint32(b[:]); n < 4294000000 {
			return fmt.Sprintf("%06d", n%1000000), nil
		}
	}
}

// codeDigest is the only form a code is stored in: an HMAC keyed from
// tokenSecret over the channel, destination, scene and code, so a code
// belongs to one purpose and a copy of the table gives no codes away.
func codeDigest(secret, channel, dest, scene, code string) []byte {
	k := hmac.New(sha256.New, []byte(secret))
	k.Write([]byte("idco code v1"))
	m := hmac.New(sha256.New, k.Sum(nil))
	for _, part := range []string{channel, dest, scene, code} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

func codeKey(channel, dest, scene string) string { return "code:" + channel + ":" + dest + ":" + scene }

// issue is one code to send: where, for what, and how to deliver it.
type issue struct {
	channel, dest, scene string
	ttl                  time.Duration
	fixed                string // a fixed code (dev test mode), else random
	deliver              func(code string) error
}

// issueCode runs the send pipeline: the limits and the code's record in one
// transaction, then the delivery; a failed delivery gives the limits and
// the cooldown back, so the user can try again at once.
func (s *Service) issueCode(ctx context.Context, cfg *config.Config, c *cloudobj.Call, is issue) error {
	now := s.now()
	l := cfg.Limits()
	budget := l.SMSDailyBudget
	if is.channel == chanEmail {
		budget = l.EmailDailyBudget
	}
	limits := []Limit{
		{Window{"send-dest-h:" + is.dest, time.Hour}, l.PerDestinationPerHour},
		{Window{"send-dest-d:" + is.dest, 24 * time.Hour}, l.PerDestinationPerDay},
		{Window{"send-ip-h:" + ipKey(c.SourceIP), time.Hour}, l.PerIPPerHour},
		{Window{"send-budget:" + is.channel, 24 * time.Hour}, budget},
	}
	cd := Cooldown{Key: "cooldown:" + is.channel + ":" + is.dest + ":" + is.scene, Until: now.Add(time.Duration(l.CooldownSeconds) * time.Second)}
	code := is.fixed
	if code == "" {
		var err error
		if code, err = s.newCode(); err != nil {
			return err
		}
	}
	key := codeKey(is.channel, is.dest, is.scene)
	err := s.Codes.Issue(ctx, key, codeDigest(cfg.TokenSecret, is.channel, is.dest, is.scene, code), now.Add(is.ttl), cd, limits, now)
	if le, ok := errors.AsType[*LimitError](err); ok {
		return limitErr(le, limits, now)
	}
	if err != nil {
		return storeErr("issue code", err)
	}
	if derr := is.deliver(code); derr != nil {
		if werr := s.Codes.Withdraw(ctx, key, cd, limits, now); werr != nil {
			derr = errors.Join(derr, fmt.Errorf("withdraw: %w", werr))
		}
		return deliveryErr(derr)
	}
	return nil
}

// limitErr answers a refused send: too soon after the last one, a cap
// reached (with when to retry), or the day's budget spent.
func limitErr(le *LimitError, limits []Limit, now time.Time) error {
	switch {
	case le.Index < 0:
		secs := int(le.Until.Sub(now).Seconds() + 0.999)
		if secs < 1 {
			secs = 1
		}
		return (&apierr.Error{Code: apierr.SendTooFrequent, Values: map[string]string{"seconds": fmt.Sprint(secs)}}).With("retryAfter", secs)
	case le.Index == len(limits)-1:
		return apierr.New(apierr.SendBudgetSpent).With("retryAfter", secondsLeft(now, limits[le.Index].Size))
	}
	return apierr.New(apierr.RateLimited).With("retryAfter", secondsLeft(now, limits[le.Index].Size))
}

// Delivery errors senders return (wrapped), so the domain can answer
// without knowing the provider.
var (
	// ErrDeliveryRetryable means the provider is busy, throttled or
	// unreachable: nothing was sent, try again later.
	ErrDeliveryRetryable = errors.New("delivery failed; retry later")
	// ErrDeliveryLimited means the provider refused this destination for
	// now (its own flow control).
	ErrDeliveryLimited = errors.New("delivery refused by the provider's limits")
)

func deliveryErr(err error) error {
	switch {
	case errors.Is(err, ErrDeliveryLimited):
		return apierr.Wrap(apierr.RateLimited, err)
	case errors.Is(err, ErrDeliveryRetryable):
		return apierr.Wrap(apierr.SendFailed, err)
	}
	return apierr.Wrap(apierr.SystemError, err)
}

// codeCheck is a code to verify: its channel, destination and scene, and,
// for the methods uni-id guards so, the captcha answer that becomes
// required after idco.loginCaptchaAfter failures from one IP within two
// hours (gate).
type codeCheck struct {
	channel, dest, scene, code string
	gate                       bool
	captcha                    string
}

// verifyCode checks a code: refused outright while its destination is
// locked by too many failures, a captcha asked for after repeated failures
// when gated, counted against the code's tries, compared in constant time,
// and consumed by the first success. Both failure counters are read in one
// call.
func (s *Service) verifyCode(ctx context.Context, cfg *config.Config, c *cloudobj.Call, k codeCheck) error {
	now := s.now()
	l := cfg.Limits()
	wins := []Window{{"verify-fail:" + k.channel + ":" + k.dest, time.Duration(l.VerifyWindowSeconds) * time.Second}}
	if k.gate {
		wins = append(wins, Window{"code-captcha:" + ipKey(c.SourceIP) + ":" + k.dest, captchaWindow})
	}
	counts, err := s.Counters.Counts(ctx, now, wins...)
	if err != nil {
		return storeErr("read verify failures", err)
	}
	if counts[0] >= l.VerifyFailures {
		return apierr.New(apierr.RateLimited).With("retryAfter", secondsLeft(now, wins[0].Size))
	}
	if k.gate && counts[1] >= cfg.Idco.LoginCaptchaAfter {
		if err := s.verifyCaptcha(ctx, cfg, c, k.scene, k.captcha); err != nil {
			return err
		}
	}
	if err := s.checkCode(ctx, cfg, k, now); err != nil {
		if apierr.Is(err, apierr.MobileCodeError) || apierr.Is(err, apierr.EmailCodeError) {
			for _, w := range wins {
				_, _ = s.Counters.Hit(ctx, w, 0, now)
			}
		}
		return err
	}
	if k.gate && counts[1] > 0 {
		_ = s.Counters.Reset(ctx, wins[1], now)
	}
	return nil
}

// checkCode counts one try of the code and compares it.
func (s *Service) checkCode(ctx context.Context, cfg *config.Config, k codeCheck, now time.Time) error {
	wrong := codeErr(k.channel)
	if !codeRE.MatchString(k.code) {
		return wrong
	}
	key := codeKey(k.channel, k.dest, k.scene)
	hash, err := s.Codes.Attempt(ctx, key, cfg.Limits().CodeMaxTries, now)
	if errors.Is(err, ErrNotFound) {
		return wrong
	}
	if err != nil {
		return storeErr("attempt code", err)
	}
	if !hmac.Equal(hash, codeDigest(cfg.TokenSecret, k.channel, k.dest, k.scene, k.code)) {
		return wrong
	}
	if err := s.Codes.Consume(ctx, key, hash); err != nil {
		if errors.Is(err, ErrNotFound) {
			return wrong
		}
		return storeErr("consume code", err)
	}
	return nil
}

func codeErr(channel string) error {
	if channel == chanEmail {
		return apierr.New(apierr.EmailCodeError)
	}
	return apierr.New(apierr.MobileCodeError)
}
