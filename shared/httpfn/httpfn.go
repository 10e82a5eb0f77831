// Package httpfn serves cloud-object dispatchers over net/http: the dev
// server's routes and the HTTP boundary the method tests go through.
package httpfn

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/idco-dev/idco/shared/cloudobj"
)

// Mux mounts each dispatcher at POST /<function> and POST
// /<function>/<method>, as uniCloud's URL adapter does.
func Mux(ds []*cloudobj.Dispatcher) *http.ServeMux {
	mux := http.NewServeMux()
	for _, d := range ds {
		h := Handler(d)
		mux.Handle("/"+d.Function, h)
		mux.Handle("/"+d.Function+"/{method}", h)
	}
	return mux
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
