package weixin

import (
	"context"
	"fmt"
	"strconv"
	"testing"
)

func TestErrorPredicates(t *testing.T) {
	tests := []struct {
		code                                     int
		retry, limited, badCode, blocked, badTok bool
	}{
		{-1, true, false, false, false, false},
		{40029, false, false, true, false, false},
		{40163, false, false, true, false, false},
		{41008, false, false, true, false, false},
		{42003, false, false, true, false, false},
		{40226, false, false, true, true, false},
		{45011, false, true, false, false, false},
		{45009, false, false, false, false, false},
		{40001, false, false, false, false, true},
		{40014, false, false, false, false, true},
		{42001, false, false, false, false, true},
		{40125, false, false, false, false, false},
		{40013, false, false, false, false, false},
	}
	for i, tc := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			e := &Error{Code: tc.code}
			got := [5]bool{e.Retryable(), e.RateLimited(), e.InvalidCode(), e.Blocked(), e.InvalidToken()}
			want := [5]bool{tc.retry, tc.limited, tc.badCode, tc.blocked, tc.badTok}
			if got != want {
				t.Errorf("errcode %d: Retryable, RateLimited, InvalidCode, Blocked, InvalidToken = %v, want %v", tc.code, got, want)
			}
		})
	}
}

func TestIsRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"busy", &Error{Code: -1}, true},
		{"busy wrapped", fmt.Errorf("login: %w", &Error{Code: -1}), true},
		{"rate limited", &Error{Code: 45011}, false},
		{"invalid code", &Error{Code: 40029}, false},
		{"transport", &transportError{context.DeadlineExceeded}, true},
		{"transport wrapped", fmt.Errorf("login: %w", &transportError{fmt.Errorf("HTTP 502")}), true},
		{"caller cancelled", &transportError{context.Canceled}, false},
		{"plain", fmt.Errorf("weixin: appID is empty"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsRetryable(tc.err); got != tc.want {
				t.Errorf("%s: IsRetryable = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
}
