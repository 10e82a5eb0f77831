package awsapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

var svc = Service{Prefix: "sms-voice", SDKID: "Pinpoint SMS Voice V2"}

func testConfig() aws.Config {
	return aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "token")}
}

// sources answers configured endpoints as the SDK's EnvConfig does.
type sources map[string]string

func (s sources) GetServiceBaseEndpoint(_ context.Context, id string) (string, bool, error) {
	v, ok := s[id]
	return v, ok, nil
}

func (s sources) GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error) {
	_, ok := s["ignore"]
	return ok, ok, nil
}

func TestEndpoint(t *testing.T) {
	base := "http://base"
	tests := []struct {
		name     string
		endpoint string
		region   string
		base     *string
		sources  sources
		want     string
	}{
		{"regional", "", "eu-west-1", nil, nil, "https://sms-voice.eu-west-1.amazonaws.com"},
		{"china", "", "cn-north-1", nil, nil, "https://sms-voice.cn-north-1.amazonaws.com.cn"},
		{"base endpoint", "", "eu-west-1", &base, nil, "http://base"},
		{"service endpoint first", "", "eu-west-1", &base, sources{"Pinpoint SMS Voice V2": "http://svc/"}, "http://svc"},
		{"ignored", "", "eu-west-1", nil, sources{"Pinpoint SMS Voice V2": "http://svc", "ignore": ""}, "https://sms-voice.eu-west-1.amazonaws.com"},
		{"explicit wins", "http://explicit/", "eu-west-1", &base, sources{"Pinpoint SMS Voice V2": "http://svc"}, "http://explicit"},
	}
	for _, tc := range tests {
		cfg := aws.Config{Region: tc.region, BaseEndpoint: tc.base}
		if tc.sources != nil {
			cfg.ConfigSources = []any{tc.sources}
		}
		got, err := (&Client{Config: cfg, Service: svc, Endpoint: tc.endpoint}).endpoint()
		if err != nil || got != tc.want {
			t.Errorf("%s: endpoint = %q, %v, want %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := (&Client{Service: svc}).endpoint(); err == nil {
		t.Error("no region: want an error")
	}
}

func TestErrorAnswers(t *testing.T) {
	tests := []struct {
		name    string
		query   bool
		status  int
		header  http.Header
		body    string
		want    *APIError // nil: not an AWS error
		retries bool
	}{
		{"json __type", false, 400, nil, `{"__type":"com.amazonaws.pinpointsmsvoicev2#ValidationException","Message":"bad"}`,
			&APIError{Status: 400, Code: "ValidationException", Message: "bad"}, false},
		{"json header", false, 429, http.Header{"X-Amzn-Errortype": {"TooManyRequestsException:http://internal"}, "X-Amzn-Requestid": {"r1"}},
			`{"message":"slow"}`, &APIError{Status: 429, Code: "TooManyRequestsException", Message: "slow", RequestID: "r1"}, true},
		{"json empty body", false, 403, nil, ``, &APIError{Status: 403, Code: "UnknownError"}, false},
		{"json 500", false, 500, nil, `{"__type":"InternalServerException"}`, &APIError{Status: 500, Code: "InternalServerException"}, true},
		{"html page", false, 503, nil, `<html>503</html>`, nil, true},
		{"html 4xx", false, 403, nil, `<html>403</html>`, nil, false},
		{"html 429", false, 429, nil, `<html>429</html>`, nil, true},
		{"modeled 429", false, 429, nil, `{"__type":"AccessDeniedException"}`, &APIError{Status: 429, Code: "AccessDeniedException"}, false},
		{"query", true, 400, nil, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>m</Message></Error><RequestId>r2</RequestId></ErrorResponse>`,
			&APIError{Status: 400, Code: "InvalidParameter", Message: "m", RequestID: "r2"}, false},
		{"query extra code", true, 429, nil, `<ErrorResponse><Error><Code>Throttled</Code></Error></ErrorResponse>`,
			&APIError{Status: 429, Code: "Throttled"}, true},
		{"query html", true, 502, nil, `<html>502</html>`, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				for k, v := range tc.header {
					w.Header()[k] = v
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			s := svc
			s.Query = tc.query
			c := &Client{Config: testConfig(), Service: s, Endpoint: srv.URL, Attempts: 2, RetryCodes: []string{"Throttled"}}
			_, err := c.Do(t.Context(), Request{Path: "/", ContentType: "application/x-amz-json-1.0", Body: []byte(`{}`)})
			var ae *APIError
			switch {
			case tc.want == nil && errors.As(err, &ae):
				t.Errorf("err = %v, want a transport error", err)
			case tc.want != nil && (!errors.As(err, &ae) || *ae != *tc.want):
				t.Errorf("err = %#v, want %#v", err, tc.want)
			}
			if got, want := calls.Load(), map[bool]int32{false: 1, true: 2}[tc.retries]; got != want {
				t.Errorf("calls = %d, want %d", got, want)
			}
		})
	}
}

func TestDoSignsAndReturnsTheAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(auth, "/eu-west-1/ses/aws4_request") ||
			r.Header.Get("X-Amz-Security-Token") != "token" || r.Header.Get("X-Amz-Target") != "T.Op" || r.URL.Path != "/v2/x" {
			t.Errorf("request %s %v", r.URL.Path, r.Header)
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	c := &Client{Config: testConfig(), Service: Service{Prefix: "email", Signing: "ses"}, Endpoint: srv.URL}
	got, err := c.Do(t.Context(), Request{Path: "/v2/x", ContentType: "application/json", Target: "T.Op", Body: []byte(`{}`)})
	if err != nil || string(got) != `{"ok":true}` {
		t.Errorf("Do = %s, %v", got, err)
	}
}

func TestTransportFailures(t *testing.T) {
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close()
	c := &Client{Config: testConfig(), Service: svc, Endpoint: url, Attempts: 2, MaxBackoff: time.Millisecond}
	if _, err := c.Do(t.Context(), Request{Path: "/"}); err == nil || strings.Contains(err.Error(), url) {
		t.Errorf("unreachable: err = %v, want a transport error without the URL", err)
	}
	c.Config.Credentials = nil
	if _, err := c.Do(t.Context(), Request{Path: "/"}); err == nil || !strings.Contains(err.Error(), "credentials") {
		t.Errorf("no credentials: err = %v", err)
	}
}

func TestDelay(t *testing.T) {
	tests := []struct {
		name     string
		r        retry
		attempt  int
		min, max time.Duration
	}{
		{"first retry", retry{}, 1, 0, 50 * time.Millisecond},
		{"second retry", retry{}, 2, 0, 100 * time.Millisecond},
		{"capped", retry{}, 40, 0, 200 * time.Millisecond},
		{"throttle", retry{throttle: true}, 1, 0, 200 * time.Millisecond},
		{"retry after", retry{after: "150"}, 1, 150 * time.Millisecond, 150 * time.Millisecond},
		{"retry after at most 5 s more", retry{after: "60000"}, 1, 5 * time.Second, 5*time.Second + 50*time.Millisecond},
		{"bad retry after", retry{after: "soon"}, 1, 0, 50 * time.Millisecond},
	}
	for _, tc := range tests {
		for range 100 {
			if d := tc.r.delay(tc.attempt, 200*time.Millisecond); d < tc.min || d > tc.max {
				t.Fatalf("%s: delay = %v, want within [%v, %v]", tc.name, d, tc.min, tc.max)
			}
		}
	}
}
