package fakeprov_test

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/providers/weixin"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"

	"github.com/idco-dev/idco/shared/testenv/clock"
)

const (
	wxApp    = "wx4f4bc4dec97d474b"
	wxSecret = "APPSECRET-5f1c0e"
	wxOther  = "wx0000000000000000"
)

func newWeixin(t *testing.T) (*fakeprov.Fake, *clock.Clock, *weixin.Client) {
	t.Helper()
	f, c := newFake(t)
	f.WeixinApp(wxApp, wxSecret)
	f.WeixinApp(wxOther, "OTHER-SECRET")
	return f, c, &weixin.Client{BaseURL: f.WeixinBaseURL(), Timeout: 2 * time.Second}
}

func wxCode(t *testing.T, err error) int {
	t.Helper()
	return as[*weixin.Error](t, err).Code
}

func TestWeixinCode2Session(t *testing.T) {
	f, _, c := newWeixin(t)
	ctx := t.Context()
	u := f.WeixinCode("code-1", fakeprov.WeixinUser{OpenID: "oGZUI0egBJY1zhBYw2KhdUfwVJJE", UnionID: "ocMvos6NjeKLIBqg5Mr9QjxrP1FA", AppID: wxApp})
	s, err := c.Code2Session(ctx, wxApp, wxSecret, "code-1")
	if err != nil {
		t.Fatal(err)
	}
	if s.OpenID != u.OpenID || s.UnionID != u.UnionID || s.SessionKey != u.SessionKey || s.SessionKey == "" {
		t.Fatalf("session %+v, registered %+v", s, u)
	}

	_, err = c.Code2Session(ctx, wxApp, wxSecret, "code-1")
	if we := as[*weixin.Error](t, err); we.Code != 40163 || !we.InvalidCode() || weixin.IsRetryable(err) {
		t.Fatalf("reused code: %v", err)
	}
	if _, err := c.Code2Session(ctx, wxApp, wxSecret, "never-issued"); wxCode(t, err) != 40029 {
		t.Fatalf("unknown code: %v", err)
	}

	f.WeixinCode("code-2", fakeprov.WeixinUser{OpenID: "o2", AppID: wxApp})
	if _, err := c.Code2Session(ctx, wxOther, "OTHER-SECRET", "code-2"); wxCode(t, err) != 40029 {
		t.Fatalf("code of another app: %v", err)
	}
	if _, err := c.Code2Session(ctx, wxApp, "wrong-secret", "code-2"); wxCode(t, err) != 40125 {
		t.Fatalf("wrong secret: %v", err)
	}
	if _, err := c.Code2Session(ctx, "wx1111111111111111", wxSecret, "code-2"); wxCode(t, err) != 40013 {
		t.Fatalf("unknown appid: %v", err)
	}
	// None of the failures consumed the code.
	if s, err := c.Code2Session(ctx, wxApp, wxSecret, "code-2"); err != nil || s.OpenID != "o2" {
		t.Fatalf("code-2 after failures: %+v, %v", s, err)
	}

	// A code without AppID works for any registered app, and generated
	// ids are returned by WeixinCode.
	u = f.WeixinCode("code-3", fakeprov.WeixinUser{})
	if s, err := c.Code2Session(ctx, wxOther, "OTHER-SECRET", "code-3"); err != nil || s.OpenID != u.OpenID || u.OpenID == "" || s.UnionID != "" {
		t.Fatalf("code-3: %+v, %v (registered %+v)", s, err, u)
	}
	if f.Calls(fakeprov.Weixin) != 8 {
		t.Fatalf("Calls = %d, want 8", f.Calls(fakeprov.Weixin))
	}
}

func TestWeixinOAuthAndUserInfo(t *testing.T) {
	f, clk, c := newWeixin(t)
	ctx := t.Context()
	u := f.WeixinCode("oauth-1", fakeprov.WeixinUser{OpenID: "oApp1", UnionID: "uni-1", Nickname: "Band",
		HeadImgURL: "https://thirdwx.qlogo.cn/mmopen/x/132", AppID: wxApp})
	tok, err := c.OAuthToken(ctx, wxApp, wxSecret, "oauth-1")
	if err != nil {
		t.Fatal(err)
	}
	if tok.OpenID != u.OpenID || tok.UnionID != "uni-1" || tok.AccessToken == "" || tok.RefreshToken == "" ||
		tok.ExpiresIn != 7200 || tok.Scope != "snsapi_userinfo" {
		t.Fatalf("token %+v", tok)
	}
	if _, err := c.OAuthToken(ctx, wxApp, wxSecret, "oauth-1"); wxCode(t, err) != 40163 {
		t.Fatalf("reused OAuth code: %v", err)
	}
	info, err := c.UserInfo(ctx, tok.AccessToken, tok.OpenID)
	if err != nil {
		t.Fatal(err)
	}
	if info.Nickname != "Band" || info.HeadImgURL != u.HeadImgURL || info.UnionID != "uni-1" || info.Sex != 0 {
		t.Fatalf("userinfo %+v", info)
	}
	if _, err := c.UserInfo(ctx, tok.AccessToken, "oSomeoneElse"); wxCode(t, err) != 40003 {
		t.Fatalf("userinfo for another openid: %v", err)
	}
	if _, err := c.UserInfo(ctx, "forged-token", tok.OpenID); !as[*weixin.Error](t, err).InvalidToken() {
		t.Fatalf("forged token: %v", err)
	}
	clk.Advance(7201 * time.Second)
	if _, err := c.UserInfo(ctx, tok.AccessToken, tok.OpenID); wxCode(t, err) != 42001 {
		t.Fatalf("expired token: %v", err)
	}

	f.WeixinCode("oauth-base", fakeprov.WeixinUser{OpenID: "oBase", Scope: "snsapi_base"})
	tok, err = c.OAuthToken(ctx, wxApp, wxSecret, "oauth-base")
	if err != nil || tok.Scope != "snsapi_base" {
		t.Fatalf("snsapi_base token %+v, %v", tok, err)
	}
	if _, err := c.UserInfo(ctx, tok.AccessToken, tok.OpenID); wxCode(t, err) != 48001 {
		t.Fatalf("userinfo with snsapi_base: %v", err)
	}
}

func TestWeixinPhoneNumber(t *testing.T) {
	f, _, c := newWeixin(t)
	ctx := t.Context()
	if _, _, err := c.AccessToken(ctx, wxApp, "wrong-secret"); wxCode(t, err) != 40125 {
		t.Fatalf("stable_token with a wrong secret: %v", err)
	}
	tok, exp, err := c.AccessToken(ctx, wxApp, wxSecret)
	if err != nil || exp != 7200 {
		t.Fatalf("stable_token: %q %d %v", tok, exp, err)
	}
	if again, _, err := c.AccessToken(ctx, wxApp, wxSecret); err != nil || again != tok {
		t.Fatalf("stable_token in normal mode changed the token: %v", err)
	}

	f.WeixinPhoneCode("phone-1", "13800138000", wxApp)
	ph, err := c.PhoneNumber(ctx, tok, "phone-1", wxApp)
	if err != nil {
		t.Fatal(err)
	}
	if ph.PhoneNumber != "13800138000" || ph.PurePhoneNumber != "13800138000" || ph.CountryCode != "86" {
		t.Fatalf("phone %+v", ph)
	}
	if _, err := c.PhoneNumber(ctx, tok, "phone-1", wxApp); !as[*weixin.Error](t, err).InvalidCode() {
		t.Fatalf("reused phone code: %v", err)
	}

	f.WeixinPhoneCode("phone-hk", "+852 61234567", "")
	ph, err = c.PhoneNumber(ctx, tok, "phone-hk", wxApp)
	if err != nil || ph.PurePhoneNumber != "61234567" || ph.CountryCode != "852" || ph.PhoneNumber != "+85261234567" {
		t.Fatalf("HK phone %+v, %v", ph, err)
	}

	f.WeixinPhoneCode("phone-other", "13900139000", wxOther)
	if _, err := c.PhoneNumber(ctx, tok, "phone-other", wxApp); wxCode(t, err) != 40029 {
		t.Fatalf("phone code of another app: %v", err)
	}
	// With the other app's token the answer is watermarked for that app,
	// which the client checks against the appID it is given.
	otherTok, _, err := c.AccessToken(ctx, wxOther, "OTHER-SECRET")
	if err != nil {
		t.Fatal(err)
	}
	f.WeixinPhoneCode("phone-wm", "13900139000", wxOther)
	if _, err := c.PhoneNumber(ctx, otherTok, "phone-wm", wxApp); err == nil {
		t.Fatal("a phone watermarked for another app was accepted")
	}

	f.WeixinRevokeTokens(wxApp)
	f.WeixinPhoneCode("phone-2", "13700137000", wxApp)
	if _, err := c.PhoneNumber(ctx, tok, "phone-2", wxApp); !as[*weixin.Error](t, err).InvalidToken() {
		t.Fatalf("revoked token: %v", err)
	}
	fresh, _, err := c.AccessToken(ctx, wxApp, wxSecret)
	if err != nil || fresh == tok {
		t.Fatalf("stable_token after revocation: same token or %v", err)
	}
	if ph, err := c.PhoneNumber(ctx, fresh, "phone-2", wxApp); err != nil || ph.PurePhoneNumber != "13700137000" {
		t.Fatalf("phone-2 with a fresh token: %+v, %v", ph, err)
	}
}

func TestWeixinEncrypt(t *testing.T) {
	f, clk, _ := newWeixin(t)
	u := f.WeixinCode("c", fakeprov.WeixinUser{})
	data, iv := f.WeixinEncrypt(u.SessionKey, wxApp, map[string]any{
		"phoneNumber": "13800138000", "purePhoneNumber": "13800138000", "countryCode": "86"})
	ph, err := weixin.DecryptPhone(u.SessionKey, data, iv, wxApp)
	if err != nil {
		t.Fatal(err)
	}
	if ph.PurePhoneNumber != "13800138000" || ph.CountryCode != "86" {
		t.Fatalf("phone %+v", ph)
	}
	pt, err := weixin.Decrypt(u.SessionKey, data, iv, wxApp)
	if err != nil {
		t.Fatal(err)
	}
	var w struct {
		Watermark struct {
			AppID     string `json:"appid"`
			Timestamp int64  `json:"timestamp"`
		} `json:"watermark"`
	}
	if err := json.Unmarshal(pt, &w); err != nil || w.Watermark.Timestamp != clk.Now().Unix() || w.Watermark.AppID != wxApp {
		t.Fatalf("watermark %+v, %v", w, err)
	}
	if _, err := weixin.DecryptPhone(u.SessionKey, data, iv, wxOther); !errors.Is(err, weixin.ErrBadData) {
		t.Fatalf("data for another app: %v", err)
	}
}

// TestWeixinCodeOnceUnderRace exchanges one code from many goroutines:
// exactly one wins.
func TestWeixinCodeOnceUnderRace(t *testing.T) {
	f, _, c := newWeixin(t)
	f.WeixinCode("contended", fakeprov.WeixinUser{OpenID: "oC"})
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, used := 0, 0
	for range 20 {
		wg.Go(func() {
			_, err := c.Code2Session(t.Context(), wxApp, wxSecret, "contended")
			mu.Lock()
			defer mu.Unlock()
			var we *weixin.Error
			switch {
			case err == nil:
				wins++
			case errors.As(err, &we) && we.Code == 40163:
				used++
			default:
				t.Errorf("unexpected %v", err)
			}
		})
	}
	wg.Wait()
	if wins != 1 || used != 19 {
		t.Fatalf("%d wins, %d used", wins, used)
	}
}
