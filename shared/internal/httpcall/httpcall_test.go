package httpcall

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const secret = "s3cr3t-code"

// server answers every request with status and body, and a header to check
// that Do passes headers through.
func server(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Sig", "abc")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, ctx context.Context, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/path?secret="+secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestDo(t *testing.T) {
	tests := []struct {
		name, body    string
		status, limit int
		want          string
		truncated     bool
	}{
		{"fits", "hello", http.StatusOK, 5, "hello", false},
		{"one over", "hello!", http.StatusOK, 5, "hello", true},
		{"error status", "oops", http.StatusBadGateway, 16, "oops", false},
		{"empty", "", http.StatusNoContent, 16, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := server(t, tc.status, tc.body)
			a, err := Do(srv.Client(), get(t, t.Context(), srv.URL), tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != tc.status || string(a.Body) != tc.want || a.Truncated != tc.truncated {
				t.Errorf("got %d %q truncated %v, want %d %q truncated %v",
					a.Status, a.Body, a.Truncated, tc.status, tc.want, tc.truncated)
			}
			if got := a.Header.Get("X-Sig"); got != "abc" {
				t.Errorf("header X-Sig = %q, want abc", got)
			}
		})
	}
}

func TestDoUnreachableHidesURL(t *testing.T) {
	srv := httptest.NewServer(nil)
	srv.Close()
	_, err := Do(nil, get(t, t.Context(), srv.URL), 16)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), srv.URL) {
		t.Errorf("error %q repeats the URL", err)
	}
	if !IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = false, want true", err)
	}
}

func TestDoTimeoutAndCancel(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-block }))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(block) })

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err := Do(nil, get(t, ctx, srv.URL), 16)
	if !errors.Is(err, context.DeadlineExceeded) || !IsRetryable(err) {
		t.Errorf("timeout: err = %v, retryable %v; want DeadlineExceeded, retryable", err, IsRetryable(err))
	}

	ctx, cancel = context.WithCancel(t.Context())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = Do(nil, get(t, ctx, srv.URL), 16)
	if !errors.Is(err, context.Canceled) || IsRetryable(err) {
		t.Errorf("cancel: err = %v, retryable %v; want Canceled, not retryable", err, IsRetryable(err))
	}
}

func TestDoUnreadableAnswer(t *testing.T) {
	// The server promises 100 bytes and hangs up after 3.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		buf := make([]byte, 4096)
		conn.Read(buf)
		fmt.Fprint(conn, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
		conn.Close()
	}()
	_, err = Do(nil, get(t, t.Context(), "http://"+ln.Addr().String()), 1024)
	var e *Error
	if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "reading the answer: ") || !IsRetryable(err) {
		t.Errorf("err = %v, want a retryable *Error reading the answer", err)
	}
}

func TestFetch(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		ok, retry  bool
	}{
		{"200", `{"ok":1}`, http.StatusOK, true, false},
		{"200 over the limit", strings.Repeat("x", 17), http.StatusOK, false, true},
		{"404", "nope", http.StatusNotFound, false, false},
		{"403 over the limit", strings.Repeat("x", 17), http.StatusForbidden, false, false},
		{"429", "slow down", http.StatusTooManyRequests, false, true},
		{"500", "", http.StatusInternalServerError, false, true},
		{"503", "", http.StatusServiceUnavailable, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := server(t, tc.status, tc.body)
			body, err := Fetch(nil, get(t, t.Context(), srv.URL), 16)
			if got := err == nil; got != tc.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
			if tc.ok && string(body) != tc.body {
				t.Errorf("body = %q, want %q", body, tc.body)
			}
			if got := IsRetryable(err); got != tc.retry {
				t.Errorf("IsRetryable(%v) = %v, want %v", err, got, tc.retry)
			}
		})
	}
}

// verdict is a client's error type that says whether it is retryable and
// may wrap another error.
type verdict struct {
	retry bool
	err   error
}

func (v *verdict) Error() string   { return "verdict" }
func (v *verdict) Unwrap() error   { return v.err }
func (v *verdict) Retryable() bool { return v.retry }

func TestIsRetryable(t *testing.T) {
	for name, tc := range map[string]struct {
		err  error
		want bool
	}{
		"nil":                               {nil, false},
		"plain":                             {errors.New("x"), false},
		"transport":                         {&Error{context.DeadlineExceeded}, true},
		"transport wrapped":                 {fmt.Errorf("weixin: GET /x: %w", &Error{errors.New("EOF")}), true},
		"caller cancelled":                  {&Error{context.Canceled}, false},
		"cancelled inside a retryable type": {&verdict{true, context.Canceled}, false},
		"client says yes":                   {fmt.Errorf("x: %w", &verdict{retry: true}), true},
		"client says no":                    {&verdict{retry: false}, false},
		"outermost decides":                 {&verdict{false, &Error{errors.New("EOF")}}, false},
	} {
		if got := IsRetryable(tc.err); got != tc.want {
			t.Errorf("%s: IsRetryable(%v) = %v, want %v", name, tc.err, got, tc.want)
		}
	}
}

func TestRetryableStatus(t *testing.T) {
	for status, want := range map[int]bool{200: false, 400: false, 404: false, 428: false,
		429: true, 499: false, 500: true, 502: true, 599: true} {
		if got := RetryableStatus(status); got != want {
			t.Errorf("RetryableStatus(%d) = %v, want %v", status, got, want)
		}
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		msg     string
		secrets []string
		want    string
	}{
		{"invalid code abc, rid: 1", []string{"abc"}, "invalid code ***, rid: 1"},
		{"abc and abc", []string{"abc"}, "*** and ***"},
		{"a b", []string{"", "b"}, "a ***"},
		{"nothing", nil, "nothing"},
	}
	for _, tc := range tests {
		if got := Mask(tc.msg, tc.secrets...); got != tc.want {
			t.Errorf("Mask(%q, %q) = %q, want %q", tc.msg, tc.secrets, got, tc.want)
		}
	}
}

func TestDefaults(t *testing.T) {
	hc := &http.Client{}
	if Client(nil) != http.DefaultClient || Client(hc) != hc {
		t.Error("Client: want http.DefaultClient for nil, else the client given")
	}
	for _, tc := range []struct{ d, want time.Duration }{{0, 5 * time.Second}, {-1, 5 * time.Second}, {time.Second, time.Second}} {
		if got := Timeout(tc.d, 5*time.Second); got != tc.want {
			t.Errorf("Timeout(%v, 5s) = %v, want %v", tc.d, got, tc.want)
		}
	}
	fixed := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	if got := Now(func() time.Time { return fixed }); !got.Equal(fixed) {
		t.Errorf("Now(fixed) = %v, want %v", got, fixed)
	}
	if got := Now(nil); time.Since(got) > time.Minute {
		t.Errorf("Now(nil) = %v, want about now", got)
	}
}

func TestBaseURL(t *testing.T) {
	tests := []struct {
		endpoint, def, want string
		ok                  bool
	}{
		{"", "dysmsapi.aliyuncs.com", "https://dysmsapi.aliyuncs.com/", true},
		{"cloudauth.aliyuncs.com", "", "https://cloudauth.aliyuncs.com/", true},
		{"http://127.0.0.1:8080", "", "http://127.0.0.1:8080/", true},
		{"https://h.example/", "", "https://h.example/", true},
		{"https://h.example/v1", "", "", false},
		{"ftp://h.example", "", "", false},
		{"https://u:p@h.example", "", "", false},
		{"https://h.example/?a=1", "", "", false},
		{"https://", "", "", false},
	}
	for _, tc := range tests {
		u, err := BaseURL(tc.endpoint, tc.def)
		if (err == nil) != tc.ok || tc.ok && u.String() != tc.want {
			t.Errorf("BaseURL(%q, %q) = %v, %v; want %q ok %v", tc.endpoint, tc.def, u, err, tc.want, tc.ok)
		}
	}
}
