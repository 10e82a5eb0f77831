// Package webfn runs a plain net/http handler as an AWS Lambda handler, for
// the HTTP API's payload format 2.0 and the Function URL event (the same
// shape): the open platform's endpoints and pages, which speak HTTP
// (forms, redirects, cookies) rather than the cloud-object protocol.
package webfn

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// MaxBody caps a request body: the endpoints take small forms only.
const MaxBody = 64 << 10

// Handler returns the Lambda handler serving h.
func Handler(h http.Handler) func(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	return func(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
		r, ok := Request(ctx, &req)
		if !ok {
			return events.LambdaFunctionURLResponse{StatusCode: http.StatusRequestEntityTooLarge}, nil
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return Response(w.Result().StatusCode, w.Header(), w.Body.Bytes()), nil
	}
}

// Request turns an event into the request it stands for. The remote
// address is requestContext.http.sourceIp, which API Gateway or Lambda
// fill from the connection, never a header. It reports false for a body
// over MaxBody.
func Request(ctx context.Context, req *events.LambdaFunctionURLRequest) (*http.Request, bool) {
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		if len(req.Body) > base64.StdEncoding.EncodedLen(MaxBody) {
			return nil, false
		}
		b, err := base64.StdEncoding.DecodeString(req.Body)
		if err != nil {
			return nil, false
		}
		body = b
	}
	if len(body) > MaxBody {
		return nil, false
	}
	target := req.RawPath
	if target == "" {
		target = "/"
	}
	if req.RawQueryString != "" {
		target += "?" + req.RawQueryString
	}
	rc := req.RequestContext.HTTP
	r := httptest.NewRequestWithContext(ctx, rc.Method, target, bytes.NewReader(body))
	r.RemoteAddr = rc.SourceIP + ":0"
	if strings.Contains(rc.SourceIP, ":") {
		r.RemoteAddr = "[" + rc.SourceIP + "]:0"
	}
	r.RequestURI = ""
	for k, v := range req.Headers {
		r.Header.Set(k, v) // payload 2.0 joins repeated headers with commas
	}
	if len(req.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(req.Cookies, "; "))
	}
	if host := req.Headers["host"]; host != "" {
		r.Host = host
	}
	return r, true
}

// Response is the payload-2.0 response of a handler's answer: Set-Cookie
// lines go in cookies, other repeated headers are joined with commas.
func Response(status int, h http.Header, body []byte) events.LambdaFunctionURLResponse {
	out := events.LambdaFunctionURLResponse{StatusCode: status, Headers: map[string]string{}, Cookies: h.Values("Set-Cookie")}
	for k, v := range h {
		if k != "Set-Cookie" {
			out.Headers[k] = strings.Join(v, ", ")
		}
	}
	if utf8.Valid(body) {
		out.Body = string(body)
	} else {
		out.Body, out.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return out
}
