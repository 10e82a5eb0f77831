package cloudauth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// TestAnswers: how answers that are not a clean success are read. The
// signed exchange itself is tested against shared/testenv/fakeprov.
func TestAnswers(t *testing.T) {
	tests := []struct {
		name, body  string
		status      int
		ok, retry   bool
		notFinished bool
	}{
		{"passed", `{"RequestId":"r","Code":"200","Message":"success","ResultObject":{"Passed":"T","SubCode":"200"}}`, 200, true, false, false},
		{"numeric code", `{"RequestId":"r","Code":200,"ResultObject":{"Passed":"F","SubCode":"205"}}`, 200, true, false, false},
		{"not finished 424", `{"RequestId":"r","Code":"424","Message":"x"}`, 200, false, false, true},
		{"not finished 403", `{"RequestId":"r","Code":"403","Message":"x"}`, 200, false, false, true},
		{"gateway 403 is no verdict", `{"RequestId":"r","Code":"Forbidden.RAM","Message":"x"}`, 403, false, false, false},
		{"no Passed", `{"RequestId":"r","Code":"200","ResultObject":{}}`, 200, false, false, false},
		{"error page 502", `<html>bad gateway</html>`, 502, false, true, false},
		{"error page 200", `<html>proxy</html>`, 200, false, true, false},
		{"error page 404", `<html>not found</html>`, 404, false, false, false},
		{"too long", `{"Code":"200","Message":"` + strings.Repeat("x", maxBody) + `"}`, 200, false, true, false},
		{"throttled", `{"Code":"Throttling.User","Message":"x"}`, 400, false, true, false},
		{"unavailable", `{"Code":"ServiceUnavailable","Message":"x"}`, 503, false, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			c := &Client{Endpoint: srv.URL, AccessKeyID: "id", AccessKeySecret: "secret"}
			_, err := c.DescribeFaceVerify(t.Context(), 1, "abc")
			srv.Close()
			if (err == nil) != tc.ok || IsRetryable(err) != tc.retry || errors.Is(err, ErrNotFinished) != tc.notFinished {
				t.Errorf("%s: err %v, retryable %v; want ok %v retryable %v notFinished %v",
					tc.name, err, IsRetryable(err), tc.ok, tc.retry, tc.notFinished)
			}
		})
	}
}

func TestUnconfigured(t *testing.T) {
	for i, c := range []*Client{{}, {AccessKeyID: "id", AccessKeySecret: "s", Endpoint: "https://h/path"}} {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			if _, err := c.DescribeFaceVerify(t.Context(), 1, "abc"); err == nil || IsRetryable(err) {
				t.Errorf("%+v: err %v, want a final error", c, err)
			}
		})
	}
}
