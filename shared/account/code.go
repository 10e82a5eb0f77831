package account

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
	"github.com/idco-dev/idco/shared/internal/lazyre"
)

// Channels a code goes out on.
const (
	chanSMS   = "sms"
	chanEmail = "email"
)

// testModeCode is uni-id's test-mode SMS code, used only in dev mode when
// idco.sms.testMode is on.
const testModeCode = "123456"

var codeRE = lazyre.New(`^[0-9]{6}$`)

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

// Metrics of the code pipeline (see cloudobj.Call.Count): sends, and the
// share of the day's budget spent, which the template alarms on before the
// budget runs out.
const (
	MetricSMSSent         = "SMSSent"
	MetricEmailSent       = "EmailSent"
	MetricSMSBudgetUsed   = "SMSBudgetUsedPercent"
	MetricEmailBudgetUsed = "EmailBudgetUsedPercent"
)

// provedTTL is how long a source that verified a code for a destination
// counts as its owner's, for sends past destinationPerDay.
const provedTTL = 30 * 24 * time.Hour

// sendLimits are the limits of one send, in the order issueCode checks
// them: what a source may send (per destination, in all), what a number
// range may receive, what a destination may receive from everyone (left
// out for its owner), and the deployment's budget.
func sendLimits(l config.Limits, channel, src, dest string, owner bool) []Limit {
	sd := src + ":" + dest
	limits := []Limit{
		{Window{"send-sd-h:" + sd, time.Hour}, l.PerDestinationPerHour},
		{Window{"send-sd-d:" + sd, 24 * time.Hour}, l.PerDestinationPerDay},
		{Window{"send-ip-h:" + src, time.Hour}, l.PerIPPerHour},
		{Window{"send-ip-d:" + src, 24 * time.Hour}, l.PerIPPerDay},
	}
	if channel == chanSMS && len(dest) > 8 {
		limits = append(limits, Limit{Window{"send-pfx-d:" + dest[:len(dest)-4], 24 * time.Hour}, l.PerPrefixPerDay})
	}
	if !owner {
		limits = append(limits, Limit{Window{"send-dest-d:" + dest, 24 * time.Hour}, l.DestinationPerDay})
	}
	return append(limits, budgetLimit(l, channel))
}

func budgetLimit(l config.Limits, channel string) Limit {
	if channel == chanEmail {
		return Limit{Window{"send-budget:" + chanEmail, 24 * time.Hour}, l.EmailDailyBudget}
	}
	return Limit{Window{"send-budget:" + chanSMS, 24 * time.Hour}, l.SMSDailyBudget}
}

// verifyWindows are a destination's failure counters: the calling
// source's (a reservation, which locks that source out) and everyone's
// (which asks for a captcha).
func verifyWindows(l config.Limits, channel, src, dest string) (source, all Window) {
	size := time.Duration(l.VerifyWindowSeconds) * time.Second
	return Window{"verify-src:" + channel + ":" + src + ":" + dest, size}, Window{"verify-dest:" + channel + ":" + dest, size}
}

func provedKey(channel, src, dest string) string { return "proved:" + channel + ":" + src + ":" + dest }

// issueCode runs the send pipeline: nothing goes to a destination the
// calling source is locked out of; the limits and the code's record are
// written in one transaction, then the code is delivered; a failed
// delivery gives the limits and the cooldown back, so the user can try
// again at once. Past destinationPerDay only the owner's requests send (a
// live token of the account holding the destination, or a source that has
// proved it), so strangers cannot use up the owner's sends.
func (s *Service) issueCode(ctx context.Context, cfg *config.Config, c *cloudobj.Call, is issue) error {
	now := s.now()
	l := cfg.Limits()
	src := ipKey(c.SourceIP)
	locked, _ := verifyWindows(l, is.channel, src, is.dest)
	counts, err := s.Counters.Counts(ctx, now, locked)
	if err != nil {
		return storeErr("read verify failures", err)
	}
	if counts[0] >= l.VerifyFailures {
		return apierr.New(apierr.RateLimited).With("retryAfter", secondsLeft(now, locked.Size))
	}
	cd := Cooldown{Key: "cooldown:" + is.channel + ":" + is.dest + ":" + is.scene, Until: now.Add(time.Duration(l.CooldownSeconds) * time.Second)}
	code := is.fixed
	if code == "" {
		if code, err = s.newCode(); err != nil {
			return err
		}
	}
	key := codeKey(is.channel, is.dest, is.scene)
	digest := codeDigest(cfg.TokenSecret, is.channel, is.dest, is.scene, code)
	limits := sendLimits(l, is.channel, src, is.dest, false)
	err = s.Codes.Issue(ctx, key, digest, now.Add(is.ttl), cd, limits, now)
	if le, ok := errors.AsType[*LimitError](err); ok && le.Index >= 0 && strings.HasPrefix(limits[le.Index].Key, "send-dest-d:") && s.ownsDestination(ctx, cfg, c, is) {
		limits = sendLimits(l, is.channel, src, is.dest, true)
		err = s.Codes.Issue(ctx, key, digest, now.Add(is.ttl), cd, limits, now)
	}
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
	s.measureBudget(ctx, c, l, is.channel, now)
	return nil
}

// ownsDestination reports whether the request comes from the
// destination's owner: a live token of the account that holds it, or a
// source that has verified a code sent to it.
func (s *Service) ownsDestination(ctx context.Context, cfg *config.Config, c *cloudobj.Call, is issue) bool {
	if _, err := s.Cache.CacheGet(ctx, provedKey(is.channel, ipKey(c.SourceIP), is.dest), s.now()); err == nil {
		return true
	}
	if c.Token == "" {
		return false
	}
	claims, err := s.parseToken(cfg, c)
	if err != nil {
		return false
	}
	u, err := s.loadForToken(ctx, claims)
	if err != nil || s.stateOf(cfg, u, claims) > tokenGrace {
		return false
	}
	key := mobileKey(is.dest)
	if is.channel == chanEmail {
		key = emailKey(is.dest)
	}
	return slices.Contains(s.keysOf(u), key)
}

// measureBudget publishes the send and how much of the day's budget is
// spent; a failed read only loses the figure.
func (s *Service) measureBudget(ctx context.Context, c *cloudobj.Call, l config.Limits, channel string, now time.Time) {
	sent, used := MetricSMSSent, MetricSMSBudgetUsed
	if channel == chanEmail {
		sent, used = MetricEmailSent, MetricEmailBudgetUsed
	}
	c.Count(sent)
	b := budgetLimit(l, channel)
	if n, err := s.Counters.Counts(ctx, now, b.Window); err == nil {
		c.Measure(used, n[0]*100/b.Max)
	}
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
	case strings.HasPrefix(limits[le.Index].Key, "send-budget:"):
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

// codeCheck is a code to verify: its channel, destination and scene, the
// captcha answer when one is asked for, and gate: the methods uni-id
// guards with a captcha after idco.loginCaptchaAfter failures from one IP.
type codeCheck struct {
	channel, dest, scene, code string
	gate                       bool
	captcha                    string
}

// verifyCode checks a code. The failure counters keep outsiders from
// turning the limits on the destination's owner: the calling source's
// check is reserved before the compare (after verifyFailures its checks
// and sends for the destination are refused, and no one else's); every
// source's failures together only ask for a captcha (verifyCaptchaAfter),
// and a code is burned only after codeMaxTries wrong tries from all
// sources. A success clears the source's count (it has proved the
// destination, as a login clears an account's) and marks the source as one
// that has.
func (s *Service) verifyCode(ctx context.Context, cfg *config.Config, c *cloudobj.Call, k codeCheck) error {
	now := s.now()
	l := cfg.Limits()
	src := ipKey(c.SourceIP)
	mine, all := verifyWindows(l, k.channel, src, k.dest)
	n, err := s.Counters.Hit(ctx, mine, l.VerifyFailures, now)
	if errors.Is(err, ErrLimited) {
		return apierr.New(apierr.RateLimited).With("retryAfter", secondsLeft(now, mine.Size))
	}
	if err != nil {
		return storeErr("count code check", err)
	}
	err = s.compareCode(ctx, cfg, c, k, n, all, now)
	switch {
	case err == nil:
		_ = s.Counters.Reset(ctx, mine, now)
		_ = s.Cache.CacheSet(ctx, provedKey(k.channel, src, k.dest), []byte{1}, now.Add(provedTTL))
	case apierr.Is(err, apierr.MobileCodeError), apierr.Is(err, apierr.EmailCodeError):
		_, _ = s.Counters.Hit(ctx, all, 0, now)
	default:
		_ = s.Counters.Unhit(ctx, mine, now)
	}
	return err
}

// compareCode asks for the captcha the failures call for (this source's
// nth check, everyone's failures in all), then checks the code.
func (s *Service) compareCode(ctx context.Context, cfg *config.Config, c *cloudobj.Call, k codeCheck, n int, all Window, now time.Time) error {
	counts, err := s.Counters.Counts(ctx, now, all)
	if err != nil {
		return storeErr("read verify failures", err)
	}
	if (k.gate && n > cfg.Idco.LoginCaptchaAfter) || counts[0] >= cfg.Limits().VerifyCaptchaAfter {
		if err := s.verifyCaptcha(ctx, cfg, c, k.scene, k.captcha); err != nil {
			return err
		}
	}
	return s.checkCode(ctx, cfg, k, now)
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
