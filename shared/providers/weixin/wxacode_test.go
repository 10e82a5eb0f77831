package weixin

import "testing"

func TestUnlimitedCode(t *testing.T) {
	c := newFake(t)
	tests := []struct {
		name, token, scene, want, contentType string
	}{
		{"png", goodToken, "png", "ok", "image/png"},
		{"jpeg", goodToken, "jpeg", "ok", "image/jpeg"},
		{"page not released", goodToken, "invalid-page", "invalid-page", ""},
		{"expired token", "expired", "png", "invalid-token", ""},
		{"invalid credential", "badcred", "png", "invalid-token", ""},
		{"rate limited", goodToken, "limited", "rate-limited", ""},
		{"busy", goodToken, "busy", "retryable", ""},
		{"http 500", goodToken, "http500", "retryable", ""},
		{"an html page", goodToken, "html", "retryable", ""},
		{"neither picture nor JSON", goodToken, "text", "retryable", ""},
		{"timeout", goodToken, "slow", "retryable", ""},
		{"JSON without errcode", goodToken, "empty", "other", ""},
		{"errmsg echoing the token", goodToken, "echo", "invalid-code", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pic, ct, err := c.UnlimitedCode(t.Context(), tc.token,
				CodeRequest{Scene: tc.scene, Page: "pages/qr/confirm", CheckPath: true, EnvVersion: "trial"})
			if got := class(err); got != tc.want {
				t.Fatalf("class = %s (%v), want %s", got, err, tc.want)
			}
			noSecrets(t, err, tc.token)
			if ct != tc.contentType || (err == nil) != (len(pic) > 0) {
				t.Errorf("picture of %d bytes, content type %q; want %q", len(pic), ct, tc.contentType)
			}
		})
	}
	if _, _, err := c.UnlimitedCode(t.Context(), goodToken, CodeRequest{}); err == nil {
		t.Error("an empty scene was sent")
	}
}
