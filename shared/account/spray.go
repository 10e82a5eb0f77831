package account

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
)

// sprayWindow is how long failed password checks from one source count.
const sprayWindow = time.Hour

// MetricPasswordFailures is the deployment-wide spraying signal: one per
// failed password check, whoever's account, in the request's log line as a
// CloudWatch metric (template.yaml alarms on its sum).
const MetricPasswordFailures = "PasswordFailures"

// ipKey is the part of a client address limits count by: the address for
// IPv4, its /64 for IPv6, since one client commonly holds a whole /64.
func ipKey(ip string) string {
	return prefixKey(ip, 64)
}

// netKey is the coarser tier, for IPv6 only: the /48 a site is given, so
// an attacker cannot multiply the per-source limits by hopping /64s.
// IPv4 has none ("").
func netKey(ip string) string {
	if a, err := netip.ParseAddr(ip); err != nil || a.Is4() || a.Is4In6() {
		return ""
	}
	return prefixKey(ip, 48)
}

func prefixKey(ip string, bits int) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Is4() || a.Is4In6() {
		return ip
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ip
	}
	return p.String()
}

// pwCheck is one password check, reserved before the compare against the
// limits that guard it: per source and account (passwordErrorLimit, as
// uni-id), and across accounts per source and per IPv6 /48 (password
// spraying). Reserving first keeps the limits exact however many checks
// run in parallel; a success or an abandoned check gives the source
// reservations back, so only failures count against a source.
type pwCheck struct {
	s       *Service
	account Window   // reset by a success
	sources []Window // given back by a success
}

// pwGuard says how a password check is guarded: the per-account window
// key, the failures on it after which a captcha (scene) is asked for (0:
// never), and whether the cross-account (spraying) tiers apply, which they
// do wherever the caller chooses the account.
type pwGuard struct {
	account      string
	captchaAfter int
	spray        bool
	scene        string
	captcha      string
}

// startPasswordCheck reserves a password check from c's source.
func (s *Service) startPasswordCheck(ctx context.Context, cfg *config.Config, c *cloudobj.Call, g pwGuard) (*pwCheck, error) {
	now := s.now()
	l := cfg.Limits()
	pc := &pwCheck{s: s, account: Window{g.account, cfg.PasswordErrorWindow()}}
	n, err := s.Counters.Hit(ctx, pc.account, cfg.PasswordErrorLimit, now)
	if errors.Is(err, ErrLimited) {
		return nil, apierr.New(apierr.PasswordExceedLimit)
	}
	if err != nil {
		return nil, storeErr("count password attempt", err)
	}
	needCaptcha := g.captchaAfter > 0 && n > g.captchaAfter
	var tiers []Limit
	if g.spray {
		tiers = append(tiers, Limit{Window{"pwd-src:" + ipKey(c.SourceIP), sprayWindow}, l.PasswordSourcePerHour})
		if nk := netKey(c.SourceIP); nk != "" {
			tiers = append(tiers, Limit{Window{"pwd-net:" + nk, sprayWindow}, l.PasswordNetworkPerHour})
		}
	}
	for _, t := range tiers {
		n, err := s.Counters.Hit(ctx, t.Window, t.Max, now)
		if err != nil {
			pc.abandon(ctx)
			if errors.Is(err, ErrLimited) {
				c.Log("refusedBy", t.Window.Key[:7])
				return nil, apierr.New(apierr.RateLimited).With("retryAfter", secondsLeft(now, t.Size))
			}
			return nil, storeErr("count password attempt", err)
		}
		pc.sources = append(pc.sources, t.Window)
		needCaptcha = needCaptcha || n > l.PasswordSourceCaptchaAfter
	}
	// A try without the captcha still counts, as uni-id's: it is the
	// caller's own source that pays.
	if needCaptcha {
		if err := s.verifyCaptcha(ctx, cfg, c, g.scene, g.captcha); err != nil {
			return nil, err
		}
	}
	return pc, nil
}

// succeeded settles a right password: the account's failures are cleared
// and the source's reservations given back.
func (pc *pwCheck) succeeded(ctx context.Context) {
	now := pc.s.now()
	_ = pc.s.Counters.Reset(ctx, pc.account, now)
	for _, w := range pc.sources {
		_ = pc.s.Counters.Unhit(ctx, w, now)
	}
}

// failed settles a wrong password: the reservations stay, and the
// deployment-wide signal counts one.
func (pc *pwCheck) failed(c *cloudobj.Call) { c.Count(MetricPasswordFailures) }

// abandon settles a check that never compared (hashing busy, a store
// fault): every reservation is given back.
func (pc *pwCheck) abandon(ctx context.Context) {
	now := pc.s.now()
	_ = pc.s.Counters.Unhit(ctx, pc.account, now)
	for _, w := range pc.sources {
		_ = pc.s.Counters.Unhit(ctx, w, now)
	}
}

// settle settles the check by the outcome of the compare and what follows.
func (pc *pwCheck) settle(ctx context.Context, c *cloudobj.Call, err error) {
	switch {
	case err == nil:
		pc.succeeded(ctx)
	case apierr.Is(err, apierr.PasswordError), apierr.Is(err, apierr.AccountNotExists), apierr.Is(err, apierr.AccountNotInApp):
		pc.failed(c)
	case apierr.Is(err, apierr.RetryLater), apierr.Is(err, apierr.SystemError):
		pc.abandon(ctx)
	}
}
