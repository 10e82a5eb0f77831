package weixin

import "testing"

func TestAccessToken(t *testing.T) {
	c := newFake(t)
	tests := []struct {
		secret, want string
	}{
		{appSecret, "ok"},
		{"badsecret", "other"},
		{"busy", "retryable"},
		{"http500", "retryable"},
		{"html", "retryable"},
		{"slow", "retryable"},
		{"empty", "other"},
		{"echo", "invalid-code"}, // any errcode; only the masking matters here
	}
	for _, tc := range tests {
		t.Run(tc.secret, func(t *testing.T) {
			tok, exp, err := c.AccessToken(t.Context(), appID, tc.secret)
			if got := class(err); got != tc.want {
				t.Fatalf("class = %s (%v), want %s", got, err, tc.want)
			}
			noSecrets(t, err, tc.secret, goodToken)
			if err == nil && (tok != goodToken || exp != 7200) {
				t.Errorf("token, expiresIn = %q, %d", tok, exp)
			}
		})
	}
}

func TestPhoneNumber(t *testing.T) {
	c := newFake(t)
	tests := []struct {
		name, token, code, want string
	}{
		{"ok", goodToken, "good", "ok"},
		{"numeric country code", goodToken, "numeric-cc", "ok"},
		{"foreign watermark", goodToken, "foreign", "other"},
		{"expired token", "expired", "good", "invalid-token"},
		{"invalid credential", "badcred", "good", "invalid-token"},
		{"invalid code", goodToken, "invalid", "invalid-code"},
		{"rate limited", goodToken, "limited", "rate-limited"},
		{"busy", goodToken, "busy", "retryable"},
		{"http 500", goodToken, "http500", "retryable"},
		{"timeout", goodToken, "slow", "retryable"},
		{"no phone_info", goodToken, "empty", "other"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := c.PhoneNumber(t.Context(), tc.token, tc.code, appID)
			if got := class(err); got != tc.want {
				t.Fatalf("class = %s (%v), want %s", got, err, tc.want)
			}
			noSecrets(t, err, tc.token, tc.code, "13800138000")
			if err != nil {
				return
			}
			if got, want := *p, (Phone{"13800138000", "13800138000", "86"}); got != want {
				t.Errorf("phone = %+v, want %+v", got, want)
			}
		})
	}
}
