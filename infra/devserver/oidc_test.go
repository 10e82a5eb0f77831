package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/idco-dev/idco/shared/testenv"
)

// invoke calls a method of a family as the operator does (the admin
// command line's direct invocation, loopback only).
func invoke(t *testing.T, url, family, method string, params map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"method": method, "params": params,
		"clientInfo": map[string]any{"appId": "__UNI__DEMO", "uniPlatform": "web", "deviceId": "idco-admin-cli"}})
	res, err := http.Post(url+"/2015-03-31/functions/"+family+"/invocations", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out["errCode"] != 0.0 {
		t.Fatalf("%s: %v %v", method, out, err)
	}
	return out
}

// TestOpenIDConnectWithMakeRun is the open platform as a new user meets it:
// against the server `make run` starts, an app registered with the admin
// command line's call, an OpenID Connect client library signs a user in
// through the hosted login and consent pages and verifies the ID token
// against the published keys.
func TestOpenIDConnectWithMakeRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	url, stop := start(t, dir)
	defer stop()
	outbox := filepath.Join(dir, "outbox.jsonl")
	app := invoke(t, url, "admin", "addOAuthClient", map[string]any{"name": "Demo App",
		"redirectUris": []any{"http://127.0.0.1:9/callback"}, "scopes": []any{"openid", "profile"}})
	u := newDevClient(t, url, outbox, "127.0.0.1", "alice-laptop")
	if r := u.call("/register/registerUser", map[string]any{"username": "alice", "password": "correct horse battery",
		"captcha": u.captcha("register")}); r["errCode"] != 0.0 {
		t.Fatalf("registerUser: %v", r)
	}

	ctx := context.Background()
	provider, err := gooidc.NewProvider(ctx, url)
	if err != nil {
		t.Fatalf("discovery at %s: %v", url, err)
	}
	cfg := oauth2.Config{ClientID: app["clientId"].(string), ClientSecret: app["clientSecret"].(string),
		Endpoint: provider.Endpoint(), RedirectURL: "http://127.0.0.1:9/callback", Scopes: []string{gooidc.ScopeOpenID, "profile"}}
	pkce := oauth2.GenerateVerifier()
	back := testenv.NewBrowser(t, url).Login(cfg.AuthCodeURL("state-1", gooidc.Nonce("nonce-1"), oauth2.S256ChallengeOption(pkce)),
		"alice", "correct horse battery")
	if back.Query().Get("state") != "state-1" {
		t.Fatalf("back at %s", back)
	}
	tok, err := cfg.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&gooidc.Config{ClientID: cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("id_token: %v", err)
	}
	var claims struct {
		Nonce    string `json:"nonce"`
		Username string `json:"preferred_username"`
	}
	if err := idt.Claims(&claims); err != nil || claims.Nonce != "nonce-1" || claims.Username != "alice" {
		t.Errorf("id_token claims %+v (%v)", claims, err)
	}
	if info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil || info.Subject != idt.Subject {
		t.Errorf("userinfo: %v, %v", info, err)
	}
}
