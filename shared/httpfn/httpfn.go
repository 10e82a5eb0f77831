// Package httpfn serves cloud-object dispatchers over net/http: the dev
// server's routes and the HTTP boundary the method tests go through.
package httpfn

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/idco-dev/idco/shared/cloudobj"
)

// Mux mounts each dispatcher at POST /<function> and POST
// /<function>/<method>, as uniCloud's URL adapter does, and the Lambda
// Invoke API's path (Invoke).
func Mux(ds []*cloudobj.Dispatcher) *http.ServeMux {
	mux := http.NewServeMux()
	for _, d := range ds {
		h := Handler(d)
		mux.Handle("/"+d.Function, h)
		mux.Handle("/"+d.Function+"/{method}", h)
	}
	mux.Handle("POST "+InvokePath, Invoke(ds))
	return mux
}

// InvokePath is the Lambda Invoke API's path, {name} the function's name.
const InvokePath = "/2015-03-31/functions/{name}/invocations"

// Invoke answers the Lambda Invoke API for the dispatchers, as `aws lambda
// invoke --endpoint-url` and the admin CLI call it: the body is a raw
// event ({method, params, clientInfo, uniIdToken}) and the answer is the
// function's result, as a deployed function answers a direct invocation.
// The call is trusted (cloudobj.Call.Trusted), so it is served to the
// loopback interface only. The function name is the family's, or ends in
// "-<family>" (a deployed "<stack>-<family>").
func Invoke(ds []*cloudobj.Dispatcher) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			http.Error(w, `{"Type":"User","Message":"direct invocation is served to loopback only"}`, http.StatusForbidden)
			return
		}
		var d *cloudobj.Dispatcher
		name := r.PathValue("name")
		for _, c := range ds {
			if (name == c.Function || strings.HasSuffix(name, "-"+c.Function)) && (d == nil || len(c.Function) > len(d.Function)) {
				d = c
			}
		}
		if d == nil {
			w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
			http.Error(w, `{"Type":"User","Message":"Function not found: `+name+`"}`, http.StatusNotFound)
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, cloudobj.MaxBody+1))
		out := d.Serve(r.Context(), cloudobj.Input{Body: body, SourceIP: host, UserAgent: r.Header.Get("User-Agent"), RequestID: requestID()})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		_, _ = w.Write(out.Body)
	})
}

// Handler serves one dispatcher. The client IP is the connection's peer
// address: no header the client controls is trusted.
func Handler(d *cloudobj.Dispatcher) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization, uni-id-token")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, cloudobj.MaxBody+1))
		ip, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			ip = r.RemoteAddr
		}
		out := d.Serve(r.Context(), cloudobj.Input{
			Body:        body,
			PathMethod:  r.PathValue("method"),
			HTTP:        true,
			HTTPMethod:  r.Method,
			ContentType: r.Header.Get("Content-Type"),
			Header:      r.Header.Get,
			SourceIP:    ip,
			UserAgent:   r.Header.Get("User-Agent"),
			RequestID:   requestID(),
		})
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if out.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(out.RetryAfter))
		}
		w.WriteHeader(out.Status)
		_, _ = w.Write(out.Body)
	})
}

// requestID returns a random id for a request that came without one.
func requestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(hex.EncodeToString(b[:]))
}

// Web mounts a web family's handler (the open platform) on mux at its
// routes ("GET /oauth2/authorize"), with the CORS the template gives the
// HTTP API: any origin may read the answers, and each path answers a
// preflight, as API Gateway does in front of the functions.
func Web(mux *http.ServeMux, h http.Handler, routes []string) {
	cors := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		h.ServeHTTP(w, r)
	})
	paths := map[string]bool{}
	for _, route := range routes {
		mux.Handle(route, cors)
		_, path, _ := strings.Cut(route, " ")
		if !paths[path] {
			paths[path] = true
			mux.HandleFunc("OPTIONS "+path, preflight)
		}
	}
}

func preflight(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization, uni-id-token")
	w.WriteHeader(http.StatusNoContent)
}
