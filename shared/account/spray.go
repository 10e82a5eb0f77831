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

// pwCheck is one password check. It is reserved before the compare
// against the per-account limit (passwordErrorLimit per source and
// account, as uni-id), which keeps that limit exact however many checks
// run in parallel. The spraying tiers (failures across accounts per
// source and per IPv6 /48) are read before the compare and counted after
// a failure: a success costs them nothing, and a parallel burst can
// overshoot them only by the requests in flight, each of which the
// per-account limit still bounds.
type pwCheck struct {
	s       *Service
	account Window   // reset by a success
	sources []Window // counted by a failure
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
	if g.spray {
		tiers := []Limit{{Window{"pwd-src:" + ipKey(c.SourceIP), sprayWindow}, l.PasswordSourcePerHour}}
		if nk := netKey(c.SourceIP); nk != "" {
			tiers = append(tiers, Limit{Window{"pwd-net:" + nk, sprayWindow}, l.PasswordNetworkPerHour})
		}
		ws := make([]Window, len(tiers))
		for i, t := range tiers {
			ws[i] = t.Window
		}
		counts, err := s.Counters.Counts(ctx, now, ws...)
		if err != nil {
			pc.abandon(ctx)
			return nil, storeErr("read password failures", err)
		}
		for i, t := range tiers {
			if counts[i] >= t.Max {
				pc.abandon(ctx)
				c.Log("refusedBy", t.Window.Key[:7])
				return nil, apierr.New(apierr.RateLimited).With("retryAfter", secondsLeft(now, t.Size))
			}
			needCaptcha = needCaptcha || counts[i] >= l.PasswordSourceCaptchaAfter
		}
		pc.sources = ws
	}
	// A try without the captcha still counts against the account, as
	// uni-id's: it is the caller's own source that pays.
	if needCaptcha {
		if err := s.verifyCaptcha(ctx, cfg, c, g.scene, g.captcha); err != nil {
			return nil, err
		}
	}
	return pc, nil
}

// succeeded settles a right password: the account's failures are cleared.
func (pc *pwCheck) succeeded(ctx context.Context) {
	_ = pc.s.Counters.Reset(ctx, pc.account, pc.s.now())
}

// failed settles a wrong password: the account's reservation stays, the
// source's tiers count one, and so does the deployment-wide signal.
func (pc *pwCheck) failed(ctx context.Context, c *cloudobj.Call) {
	now := pc.s.now()
	for _, w := range pc.sources {
		_, _ = pc.s.Counters.Hit(ctx, w, 0, now)
	}
	c.Count(MetricPasswordFailures)
}

// abandon settles a check that never compared (hashing busy, a store
// fault): the account's reservation is given back.
func (pc *pwCheck) abandon(ctx context.Context) {
	_ = pc.s.Counters.Unhit(ctx, pc.account, pc.s.now())
}

// settle settles the check by the outcome of the compare and what follows.
func (pc *pwCheck) settle(ctx context.Context, c *cloudobj.Call, err error) {
	switch {
	case err == nil:
		pc.succeeded(ctx)
	case apierr.Is(err, apierr.PasswordError), apierr.Is(err, apierr.AccountNotExists), apierr.Is(err, apierr.AccountNotInApp):
		pc.failed(ctx, c)
	case apierr.Is(err, apierr.RetryLater), apierr.Is(err, apierr.SystemError):
		pc.abandon(ctx)
	}
}
