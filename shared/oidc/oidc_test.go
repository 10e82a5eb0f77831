package oidc_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/idco-dev/idco/shared/testenv"
)

// app is a registered client as a test plays it.
type app struct {
	id, secret, redirect string
}

// register makes the first administrator and registers an app with the
// given fields; public apps get no secret.
func register(t *testing.T, e *testenv.Env, admin *testenv.Client, fields map[string]any) app {
	t.Helper()
	if admin.Token == "" {
		if r := e.RegisterAdmin(t, admin, "root", "Admin-pass-1"); r.Code() != "0" {
			t.Fatalf("registerAdmin: %s", r.Raw)
		}
	}
	r := e.Call(t, admin, "admin", "addOAuthClient", fields)
	if r.Code() != "0" {
		t.Fatalf("addOAuthClient: %s", r.Raw)
	}
	secret, _ := r.Body["clientSecret"].(string)
	uris, _ := fields["redirectUris"].([]string)
	return app{id: r.Body["clientId"].(string), secret: secret, redirect: uris[0]}
}

func randomString(t *testing.T) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// TestCodeFlowWithOIDCLibrary drives the whole authorization code flow
// with golang.org/x/oauth2 and go-oidc, as a real app would: discovery,
// the hosted login and consent pages, the code exchange with PKCE, the ID
// token verified against the JWKS, userinfo, refresh rotation with reuse
// detection, single sign-on, and revocation.
func TestCodeFlowWithOIDCLibrary(t *testing.T) {
	e := testenv.New(t, nil)
	ctx := gooidc.ClientContext(context.Background(), http.DefaultClient)
	a := register(t, e, testenv.NewClient("admin-dev"), map[string]any{"name": "Demo App", "website": "https://demo.example.com",
		"redirectUris": []string{"http://127.0.0.1:9/callback"}, "scopes": []string{"openid", "profile", "email", "role"}})
	user := testenv.NewClient("alice-dev")
	e.Register(t, user, "alice", "Alice-pass-1")

	provider, err := gooidc.NewProvider(ctx, e.URL)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	cfg := oauth2.Config{ClientID: a.id, ClientSecret: a.secret, Endpoint: provider.Endpoint(), RedirectURL: a.redirect,
		Scopes: []string{gooidc.ScopeOpenID, "profile", "role"}}
	verifier := provider.Verifier(&gooidc.Config{ClientID: a.id, Now: e.Clock.Now})

	b := testenv.NewBrowser(t, e.URL)
	state, nonce, pkce := randomString(t), randomString(t), oauth2.GenerateVerifier()
	back := b.Login(cfg.AuthCodeURL(state, gooidc.Nonce(nonce), oauth2.S256ChallengeOption(pkce)), "alice", "Alice-pass-1")
	q := back.Query()
	if got := back.Scheme + "://" + back.Host + back.Path; got != a.redirect || q.Get("state") != state || q.Get("iss") != e.URL {
		t.Fatalf("back at %s, want %s with state %s and iss %s", back, a.redirect, state, e.URL)
	}
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("id_token: %v", err)
	}
	var claims struct {
		Nonce    string   `json:"nonce"`
		Username string   `json:"preferred_username"`
		Role     []string `json:"role"`
	}
	if err := idt.Claims(&claims); err != nil || claims.Nonce != nonce || claims.Username != "alice" {
		t.Errorf("id_token claims %+v (%v), want nonce %s and preferred_username alice", claims, err, nonce)
	}
	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || info.Subject != idt.Subject {
		t.Fatalf("userinfo: %+v, %v; want subject %s", info, err, idt.Subject)
	}

	// The code works once; a replay fails and ends what it gave.
	if _, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(pkce)); err == nil {
		t.Error("a code was exchanged twice")
	}
	if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Error("the access token of a replayed code still works")
	}

	// Single sign-on: the browser's session logs straight back in; the
	// grant is remembered, so no consent either.
	state2 := randomString(t)
	back = b.Login(cfg.AuthCodeURL(state2, oauth2.S256ChallengeOption(pkce)), "", "")
	if back.Query().Get("code") == "" || back.Query().Get("state") != state2 {
		t.Fatalf("single sign-on: back at %s", back)
	}
	tok, err = cfg.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatalf("exchange after single sign-on: %v", err)
	}

	// Refresh rotates: the new refresh token works, the old one is a
	// theft and ends the session.
	old := tok.RefreshToken
	stale := *tok
	stale.Expiry = e.Clock.Now().Add(-1)
	fresh, err := cfg.TokenSource(ctx, &stale).Token()
	if err != nil || fresh.RefreshToken == old || fresh.RefreshToken == "" {
		t.Fatalf("refresh: %v, token %v", err, fresh)
	}
	e.Clock.Advance(2 * time.Minute) // past the grace window
	replayed := *tok
	replayed.Expiry = e.Clock.Now().Add(-1)
	if _, err := cfg.TokenSource(ctx, &replayed).Token(); err == nil {
		t.Error("an old refresh token refreshed again")
	}
	if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(fresh)); err == nil {
		t.Error("the session survived a refresh token's replay")
	}
}
