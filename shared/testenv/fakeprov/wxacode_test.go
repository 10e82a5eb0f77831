package fakeprov_test

import (
	"bytes"
	"image/png"
	"testing"
	"time"

	goqr "github.com/piglig/go-qr"

	"github.com/idco-dev/idco/shared/providers/weixin"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// TestWeixinUnlimitedCode: a code of a released page reads back as the
// app, page, scene and version; WeChat's errors for a bad token, scene,
// unreleased page (unless check_path is off) and version.
func TestWeixinUnlimitedCode(t *testing.T) {
	f, clk, c := newWeixin(t)
	ctx := t.Context()
	f.WeixinPage(wxApp, "pages/qr/confirm")
	tok, _, err := c.AccessToken(ctx, wxApp, wxSecret)
	if err != nil {
		t.Fatal(err)
	}
	req := weixin.CodeRequest{Scene: "AbC-_0123456789abcdefghijklmnopq", Page: "pages/qr/confirm", CheckPath: true, EnvVersion: "trial"}
	pic, ct, err := c.UnlimitedCode(ctx, tok, req)
	if err != nil || ct != "image/png" {
		t.Fatalf("UnlimitedCode = %s, %v", ct, err)
	}
	img, err := png.Decode(bytes.NewReader(pic))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := goqr.Decode(img); err != nil || got != fakeprov.WeixinCodeURL(wxApp, req.Page, req.Scene, "trial") {
		t.Fatalf("the code reads %q, %v", got, err)
	}

	bad := func(name string, token string, edit func(r *weixin.CodeRequest), want int) {
		t.Helper()
		r := req
		edit(&r)
		if _, _, err := c.UnlimitedCode(ctx, token, r); wxCode(t, err) != want {
			t.Errorf("%s: %v, want errcode %d", name, err, want)
		}
	}
	same := func(*weixin.CodeRequest) {}
	bad("another app's page", tok, func(r *weixin.CodeRequest) { r.Page = "pages/other" }, 41030)
	bad("a scene of 33 characters", tok, func(r *weixin.CodeRequest) { r.Scene += "x" }, 40129)
	bad("a scene with %", tok, func(r *weixin.CodeRequest) { r.Scene = "a%20b" }, 40129)
	bad("an unknown version", tok, func(r *weixin.CodeRequest) { r.EnvVersion = "beta" }, 40097)
	bad("a made-up token", "not-a-token", same, 40001)
	if _, _, err := c.UnlimitedCode(ctx, tok, weixin.CodeRequest{Scene: "x", Page: "pages/draft", EnvVersion: "develop"}); err != nil {
		t.Errorf("check_path off, an unreleased page: %v", err)
	}
	clk.Advance(7201 * time.Second)
	bad("an expired token", tok, same, 42001)
}
