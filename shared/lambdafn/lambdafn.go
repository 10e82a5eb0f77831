// Package lambdafn runs a cloud-object dispatcher as an AWS Lambda handler,
// for the Function URL event, the API Gateway HTTP API event (payload format
// 2.0, the same shape: template.yaml's one-URL API) and the raw {method,
// params, clientInfo, uniIdToken} event of a direct invoke or `sam local
// invoke`.
package lambdafn

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/idco-dev/idco/shared/cloudobj"
)

// urlProbe tells an HTTP event (Function URL or HTTP API payload 2.0, both
// with requestContext.http) from a raw event, and an HTTP API Lambda
// authorizer's request (type REQUEST with a routeArn) from both.
type urlProbe struct {
	Type           string `json:"type"`
	RouteArn       string `json:"routeArn"`
	RequestContext *struct {
		HTTP *struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"requestContext"`
}

// Handler returns the Lambda handler for d.
func Handler(d *cloudobj.Dispatcher) func(ctx context.Context, event json.RawMessage) (any, error) {
	return func(ctx context.Context, event json.RawMessage) (any, error) {
		var probe urlProbe
		_ = json.Unmarshal(event, &probe)
		if probe.Type == "REQUEST" && probe.RouteArn != "" {
			return authorize(ctx, d, event), nil
		}
		if probe.RequestContext != nil && probe.RequestContext.HTTP != nil {
			var req events.LambdaFunctionURLRequest
			if err := json.Unmarshal(event, &req); err != nil {
				return nil, err
			}
			return serveURL(ctx, d, &req), nil
		}
		out := d.Serve(ctx, cloudobj.Input{Body: event, RequestID: invocationID(ctx)})
		return json.RawMessage(out.Body), nil
	}
}

// serveURL answers a Function URL or HTTP API (payload 2.0) request: the
// two events and their responses have the same JSON shape. The method is
// the last segment of rawPath, so a prefix before /<object>/<method> (an
// API mapping key, a named stage) does not change it. The source IP comes
// from requestContext.http.sourceIp, which Lambda or API Gateway fills from
// the connection, never from a header such as X-Forwarded-For.
func serveURL(ctx context.Context, d *cloudobj.Dispatcher, req *events.LambdaFunctionURLRequest) events.LambdaFunctionURLResponse {
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		if len(req.Body) > base64.StdEncoding.EncodedLen(cloudobj.MaxBody+1) {
			body = bytes.Repeat([]byte{' '}, cloudobj.MaxBody+1)
		} else if b, err := base64.StdEncoding.DecodeString(req.Body); err == nil {
			body = b
		}
	}
	headers := make(map[string]string, len(req.Headers))
	for k, v := range req.Headers {
		headers[strings.ToLower(k)] = v
	}
	method := ""
	if p := strings.Trim(req.RawPath, "/"); p != "" {
		method = p[strings.LastIndexByte(p, '/')+1:]
	}
	rc := req.RequestContext
	out := d.Serve(ctx, cloudobj.Input{
		Body:        body,
		PathMethod:  method,
		HTTP:        true,
		HTTPMethod:  rc.HTTP.Method,
		ContentType: headers["content-type"],
		Header:      func(name string) string { return headers[strings.ToLower(name)] },
		SourceIP:    rc.HTTP.SourceIP,
		UserAgent:   rc.HTTP.UserAgent,
		RequestID:   requestID(ctx, rc.RequestID),
	})
	resp := map[string]string{"Content-Type": "application/json; charset=utf-8"}
	if out.RetryAfter > 0 {
		resp["Retry-After"] = strconv.Itoa(out.RetryAfter)
	}
	return events.LambdaFunctionURLResponse{StatusCode: out.Status, Headers: resp, Body: string(out.Body)}
}

// requestID names a Function URL request by its invocation id, which
// Lambda's own REPORT lines carry too, else by the URL's request id.
func requestID(ctx context.Context, urlID string) string {
	if id := invocationID(ctx); id != "" {
		return id
	}
	return urlID
}

func invocationID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}

// AuthorizerResponse is an HTTP API Lambda authorizer's simple response.
type AuthorizerResponse struct {
	IsAuthorized bool              `json:"isAuthorized"`
	Context      map[string]string `json:"context,omitempty"`
}

// authorize answers an HTTP API Lambda authorizer request (payload 2.0,
// simple responses) for another API: the token from the identity source
// (or the Authorization or uni-id-token header) is checked with the
// dispatcher's checkToken method, for the app named by the stage variable
// idcoAppId (the operator's, never the client's). The user's uid, roles
// and permissions go to the backend as the authorizer's context.
func authorize(ctx context.Context, d *cloudobj.Dispatcher, event json.RawMessage) AuthorizerResponse {
	var req events.APIGatewayV2CustomAuthorizerV2Request
	if err := json.Unmarshal(event, &req); err != nil {
		return AuthorizerResponse{}
	}
	headers := map[string]string{}
	for k, v := range req.Headers {
		headers[strings.ToLower(k)] = v
	}
	tok := headers["uni-id-token"]
	for _, src := range append(slices.Clone(req.IdentitySource), headers["authorization"]) {
		if t, ok := strings.CutPrefix(src, "Bearer "); ok {
			tok = strings.TrimSpace(t)
			break
		}
	}
	if tok == "" {
		return AuthorizerResponse{}
	}
	body, _ := json.Marshal(map[string]any{"method": "checkToken", "params": map[string]string{"token": tok},
		"clientInfo": map[string]string{"appId": req.StageVariables["idcoAppId"], "uniPlatform": "web", "deviceId": "authorizer"}})
	out := d.Serve(ctx, cloudobj.Input{Body: body, RequestID: invocationID(ctx)})
	var res struct {
		ErrCode    any      `json:"errCode"`
		UID        string   `json:"uid"`
		Role       []string `json:"role"`
		Permission []string `json:"permission"`
	}
	if json.Unmarshal(out.Body, &res) != nil || res.ErrCode != float64(0) {
		return AuthorizerResponse{}
	}
	return AuthorizerResponse{IsAuthorized: true, Context: map[string]string{"uid": res.UID,
		"role": strings.Join(res.Role, ","), "permission": strings.Join(res.Permission, ",")}}
}
