package fakeprov_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/providers/qq"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

const (
	qqApp    = "1109502100"
	qqSecret = "APPSECRET-9d2e71"
)

func newQQ(t *testing.T) (*fakeprov.Fake, *qq.Client) {
	t.Helper()
	f, _ := newFake(t)
	return f, &qq.Client{MiniBaseURL: f.QQMiniBaseURL(), GraphBaseURL: f.QQGraphBaseURL(), Timeout: 2 * time.Second}
}

func TestQQCode2Session(t *testing.T) {
	f, c := newQQ(t)
	ctx := t.Context()
	u := f.QQCode("qcode-1", fakeprov.QQUser{OpenID: "E442B1D98B8A0E012A59EF35C1B3611A", UnionID: "UID_7C3D", AppID: qqApp})
	s, err := c.Code2Session(ctx, qqApp, qqSecret, "qcode-1")
	if err != nil {
		t.Fatal(err)
	}
	if s.OpenID != u.OpenID || s.UnionID != "UID_7C3D" || s.SessionKey != u.SessionKey || s.SessionKey == "" {
		t.Fatalf("session %+v, registered %+v", s, u)
	}
	_, err = c.Code2Session(ctx, qqApp, qqSecret, "qcode-1")
	if qe := as[*qq.Error](t, err); !qe.InvalidCode() || qe.Graph || qq.IsRetryable(err) {
		t.Fatalf("reused code: %v", err)
	}
	f.QQCode("qcode-2", fakeprov.QQUser{AppID: qqApp})
	if _, err := c.Code2Session(ctx, "1109999999", qqSecret, "qcode-2"); !as[*qq.Error](t, err).InvalidCode() {
		t.Fatalf("code of another app: %v", err)
	}
	f.QQApp(qqApp, qqSecret)
	if _, err := c.Code2Session(ctx, qqApp, "wrong", "qcode-2"); as[*qq.Error](t, err).Code != 40125 {
		t.Fatalf("wrong secret: %v", err)
	}
	if _, err := c.Code2Session(ctx, qqApp, qqSecret, "qcode-2"); err != nil {
		t.Fatalf("qcode-2 after failures: %v", err)
	}
}

func TestQQConnect(t *testing.T) {
	f, c := newQQ(t)
	ctx := t.Context()
	u := f.QQToken("QQTOKEN-427934383126190A", fakeprov.QQUser{OpenID: "E442B1D9", UnionID: "UID_1", Nickname: "qzuser",
		Avatar: "http://thirdqq.qlogo.cn/g?b=oidb&k=Ap98&s=100", AppID: qqApp})
	me, err := c.Me(ctx, "QQTOKEN-427934383126190A", qqApp)
	if err != nil {
		t.Fatal(err)
	}
	if me.ClientID != qqApp || me.OpenID != u.OpenID || me.UnionID != "UID_1" {
		t.Fatalf("me %+v", me)
	}
	info, err := c.UserInfo(ctx, "QQTOKEN-427934383126190A", qqApp, me.OpenID)
	if err != nil {
		t.Fatal(err)
	}
	if info.Nickname != "qzuser" || info.FigureURL != u.Avatar {
		t.Fatalf("userinfo %+v", info)
	}
	if _, err := c.UserInfo(ctx, "QQTOKEN-427934383126190A", qqApp, "SOMEONE-ELSE"); as[*qq.Error](t, err).Code != -1 {
		t.Fatalf("userinfo for another openid: %v", err)
	}

	// A token of another app: QQ names that app, and the client refuses.
	f.QQToken("FOREIGN", fakeprov.QQUser{OpenID: "E442B1D9", AppID: "101814107"})
	if _, err := c.Me(ctx, "FOREIGN", qqApp); !errors.Is(err, qq.ErrForeignToken) {
		t.Fatalf("foreign token: %v", err)
	}
	_, err = c.Me(ctx, "forged", qqApp)
	if qe := as[*qq.Error](t, err); !qe.InvalidToken() || !qe.Graph {
		t.Fatalf("forged token: %v", err)
	}
	if _, err := c.UserInfo(ctx, "forged", qqApp, me.OpenID); !as[*qq.Error](t, err).InvalidToken() {
		t.Fatalf("userinfo with a forged token: %v", err)
	}

	// A generated avatar still satisfies the client.
	u = f.QQToken("BARE", fakeprov.QQUser{AppID: qqApp})
	if info, err := c.UserInfo(ctx, "BARE", qqApp, u.OpenID); err != nil || info.FigureURL == "" {
		t.Fatalf("bare user: %+v, %v", info, err)
	}
}

// TestQQMeWire checks /oauth2.0/me's two shapes: JSON with fmt=json,
// QQ's documented JSONP otherwise, unionid only on request.
func TestQQMeWire(t *testing.T) {
	f, _ := newQQ(t)
	f.QQToken("T", fakeprov.QQUser{OpenID: "OID", UnionID: "UID", AppID: qqApp})
	get := func(q string) string {
		t.Helper()
		resp, err := http.Get(f.QQGraphBaseURL() + "/oauth2.0/me?" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: HTTP %d %s", q, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		return string(b)
	}
	for q, want := range map[string]string{
		"access_token=T&unionid=1&fmt=json": `{"client_id":"` + qqApp + `","openid":"OID","unionid":"UID"}`,
		"access_token=T&fmt=json":           `{"client_id":"` + qqApp + `","openid":"OID"}`,
		"access_token=T":                    "callback( {\"client_id\":\"" + qqApp + "\",\"openid\":\"OID\"} );\n",
		"access_token=X&fmt=json":           `{"error":100016,"error_description":"access token check failed"}`,
		"access_token=X":                    "callback( {\"error\":100016,\"error_description\":\"access token check failed\"} );\n",
	} {
		if got := get(q); got != want {
			t.Errorf("%s:\n got %s\nwant %s", q, got, want)
		}
	}
}
