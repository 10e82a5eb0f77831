package account

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/captcha"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/config"
)

// captchaScenes are uni-id's CAPTCHA_SCENE values.
var captchaScenes = map[string]bool{
	"register": true, "login-by-pwd": true, "login-by-sms": true, "reset-pwd-by-sms": true,
	"reset-pwd-by-email": true, "send-sms-code": true, "send-email-code": true,
	"bind-mobile-by-sms": true, "set-pwd-by-sms": true,
	// idco's: loginByEmailCode asks for one after repeated failures.
	"login-by-email": true,
}

// CaptchaParams are createCaptcha's and refreshCaptcha's params.
type CaptchaParams struct {
	Scene string `json:"scene"`
}

// CaptchaResult carries the picture as a PNG data URL.
type CaptchaResult struct {
	CaptchaBase64 string `json:"captchaBase64"`
}

// CreateCaptcha handles createCaptcha: a new captcha for the caller's device
// and scene, replacing any earlier one. The answer is stored only hashed.
func (s *Service) CreateCaptcha(ctx context.Context, c *cloudobj.Call, p *CaptchaParams) (any, error) {
	cfg, err := s.checkCaptchaCall(c, p)
	if err != nil {
		return nil, err
	}
	return s.newCaptcha(ctx, cfg, c, p.Scene)
}

// RefreshCaptcha handles refreshCaptcha: it discards the device's captcha
// for the scene and makes a new one; with none to refresh it fails as
// uni-captcha does. The rate limit comes first, so a refused refresh
// leaves the captcha the page shows in place.
func (s *Service) RefreshCaptcha(ctx context.Context, c *cloudobj.Call, p *CaptchaParams) (any, error) {
	cfg, err := s.checkCaptchaCall(c, p)
	if err != nil {
		return nil, err
	}
	if err := s.limitCaptchas(ctx, cfg, c); err != nil {
		return nil, err
	}
	if _, _, err := s.Captchas.Take(ctx, captchaKey(c.Client.DeviceID, p.Scene)); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, apierr.New(apierr.CaptchaRefreshFail)
		}
		return nil, storeErr("take captcha", err)
	}
	return s.putCaptcha(ctx, cfg, c, p.Scene)
}

// ImageCaptchaParams are uni-captcha-co getImageCaptcha's params.
// isUniAppX asks uni-captcha for SVG on new uni-app x clients; idco always
// answers a PNG, which every client shows.
type ImageCaptchaParams struct {
	Scene     string `json:"scene"`
	IsUniAppX bool   `json:"isUniAppX"`
}

// GetImageCaptcha handles uni-captcha-co's getImageCaptcha, which makes
// every captcha picture uni-id-pages shows: one live captcha per device and
// scene, a new one replacing the old on every call (uni-captcha refreshes
// the record it finds, or creates one).
func (s *Service) GetImageCaptcha(ctx context.Context, c *cloudobj.Call, p *ImageCaptchaParams) (any, error) {
	cp := &CaptchaParams{Scene: p.Scene}
	cfg, err := s.checkCaptchaCall(c, cp)
	if err != nil {
		return nil, err
	}
	return s.newCaptcha(ctx, cfg, c, cp.Scene)
}

func (s *Service) checkCaptchaCall(c *cloudobj.Call, p *CaptchaParams) (*config.Config, error) {
	if err := required("scene", p.Scene); err != nil {
		return nil, err
	}
	if !captchaScenes[p.Scene] {
		return nil, apierr.Param(apierr.InvalidParam, "scene")
	}
	if c.Client.DeviceID == "" {
		return nil, apierr.New(apierr.CaptchaDeviceRequired)
	}
	return s.cfg(c)
}

// newCaptcha makes a captcha within the per-source limit.
func (s *Service) newCaptcha(ctx context.Context, cfg *config.Config, c *cloudobj.Call, scene string) (any, error) {
	if err := s.limitCaptchas(ctx, cfg, c); err != nil {
		return nil, err
	}
	return s.putCaptcha(ctx, cfg, c, scene)
}

// limitCaptchas counts one captcha against the caller's source.
func (s *Service) limitCaptchas(ctx context.Context, cfg *config.Config, c *cloudobj.Call) error {
	now := s.now()
	_, err := s.Counters.Hit(ctx, Window{"captcha-ip:" + ipKey(c.SourceIP), time.Minute}, cfg.Idco.Captcha.PerIPPerMinute, now)
	if errors.Is(err, ErrLimited) {
		return apierr.New(apierr.RateLimited).With("retryAfter", secondsLeft(now, time.Minute))
	}
	if err != nil {
		return storeErr("count captcha", err)
	}
	return nil
}

// putCaptcha stores a new captcha for the device and scene, replacing any
// earlier one, and answers its picture.
func (s *Service) putCaptcha(ctx context.Context, cfg *config.Config, c *cloudobj.Call, scene string) (any, error) {
	now := s.now()
	answer, err := captcha.NewAnswer(s.rand(), cfg.Idco.Captcha.Length)
	if err != nil {
		return nil, apierr.Wrap(apierr.CaptchaCreateFail, err)
	}
	png, err := captcha.Render(answer, s.rand())
	if err != nil {
		return nil, apierr.Wrap(apierr.CaptchaCreateFail, err)
	}
	key := captchaKey(c.Client.DeviceID, scene)
	digest := CaptchaDigest(cfg.TokenSecret, c.Client.DeviceID, scene, answer)
	if err := s.Captchas.Put(ctx, key, digest, now.Add(cfg.CaptchaTTL())); err != nil {
		return nil, storeErr("put captcha", err)
	}
	if s.Outbox != nil {
		s.Outbox.Deliver(ctx, Message{Kind: "captcha", To: c.Client.DeviceID, Scene: scene, Code: answer, Time: now})
	}
	c.Log("scene", scene)
	return CaptchaResult{CaptchaBase64: captcha.DataURL(png)}, nil
}

// verifyCaptcha checks answer against the device's captcha for scene. The
// captcha is consumed whatever the outcome.
func (s *Service) verifyCaptcha(ctx context.Context, cfg *config.Config, c *cloudobj.Call, scene, answer string) error {
	if missing(answer) {
		return apierr.New(apierr.CaptchaRequired)
	}
	if c.Client.DeviceID == "" {
		return apierr.New(apierr.CaptchaDeviceRequired)
	}
	key := captchaKey(c.Client.DeviceID, scene)
	hash, expires, err := s.Captchas.Take(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		return apierr.New(apierr.CaptchaVerifyFail)
	case err != nil:
		return storeErr("take captcha", err)
	case !expires.After(s.now()):
		return apierr.New(apierr.CaptchaVerifyOverdue)
	case !hmac.Equal(hash, CaptchaDigest(cfg.TokenSecret, c.Client.DeviceID, scene, captcha.Normalize(answer))):
		return apierr.New(apierr.CaptchaVerifyFail)
	}
	return nil
}

func captchaKey(deviceID, scene string) string { return "captcha:" + deviceID + ":" + scene }

// CaptchaDigest is what is stored for a captcha answer: an HMAC keyed with a
// key derived from tokenSecret and bound to the device and scene, so a copy
// of the table gives no answers away. Exported for tools that solve a
// captcha knowing the secret (the Lambda smoke test).
func CaptchaDigest(tokenSecret, deviceID, scene, answer string) []byte {
	k := hmac.New(sha256.New, []byte(tokenSecret))
	k.Write([]byte("idco captcha v1"))
	m := hmac.New(sha256.New, k.Sum(nil))
	for _, part := range []string{deviceID, scene, answer} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// secondsLeft returns the seconds until a counter of window refusing at
// now is surely free again: every Hit counted at now has stopped counting
// by Window.Until (a retry may pass sooner, as the oldest Hits stop).
func secondsLeft(now time.Time, window time.Duration) int {
	return int(Window{Size: window}.Until(now).Sub(now).Seconds() + 0.999)
}
