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
