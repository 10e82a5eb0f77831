package httpfn

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/cloudobj"
)

// TestInvokeLoopbackOnly: the trusted Invoke route answers only callers on
// the loopback interface, and names an unknown function.
func TestInvokeLoopbackOnly(t *testing.T) {
	mux := Mux([]*cloudobj.Dispatcher{{Function: "login-types", Methods: cloudobj.Table{}}})
	for _, tc := range []struct {
		remote, name string
		want         int
	}{
		{"203.0.113.5:4000", "login-types", http.StatusForbidden},
		{"[2001:db8::1]:4000", "idco-login-types", http.StatusForbidden},
		{"127.0.0.1:4000", "nothing", http.StatusNotFound},
	} {
		r := httptest.NewRequest("POST", "/2015-03-31/functions/"+tc.name+"/invocations", strings.NewReader(`{}`))
		r.RemoteAddr = tc.remote
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("%s from %s: %d, want %d", tc.name, tc.remote, w.Code, tc.want)
		}
	}
}

// TestWebCORS: a web family's routes answer any origin and a preflight,
// as API Gateway's CORS does in AWS.
func TestWebCORS(t *testing.T) {
	mux := http.NewServeMux()
	Web(mux, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) }),
		[]string{"POST /oauth2/token", "GET /oauth2/userinfo", "POST /oauth2/userinfo"})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/oauth2/token", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusNoContent || !strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Fatalf("preflight: %v %v", res, err)
	}
	res, err = http.Get(srv.URL + "/oauth2/userinfo")
	if err != nil || res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GET: %v %v", res, err)
	}
}
