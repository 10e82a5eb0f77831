package univerify

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestRPCSignatureOfficialExample checks the signer against the worked
// example in Aliyun's "签名机制" page (DescribeRegions, secret testsecret).
func TestRPCSignatureOfficialExample(t *testing.T) {
	params := url.Values{
		"AccessKeyId":      {"testid"},
		"Action":           {"DescribeRegions"},
		"Format":           {"XML"},
		"SignatureMethod":  {"HMAC-SHA1"},
		"SignatureNonce":   {"3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
		"SignatureVersion": {"1.0"},
		"Timestamp":        {"2016-02-23T12:46:24Z"},
		"Version":          {"2014-05-26"},
	}
	if got, want := rpcSignature(http.MethodGet, params, "testsecret"), "OLeaidS1JvxuMvnyHOwuJ+uX5qY="; got != want {
		t.Fatalf("signature = %q, want %q", got, want)
	}
}

func TestPercentEncode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AZaz09-_.~", "AZaz09-_.~"},
		{"a b", "a%20b"},
		{"*", "%2A"},
		{"+", "%2B"},
		{"/", "%2F"},
		{"2016-02-23T12:46:24Z", "2016-02-23T12%3A46%3A24Z"},
		{"号", "%E5%8F%B7"},
	}
	for _, tt := range tests {
		if got := percentEncode(tt.in); got != tt.want {
			t.Errorf("percentEncode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// fakeDypns answers GetMobile like dypnsapi.aliyuncs.com, checking the
// signature with its own reading of the rules.
func fakeDypns(t *testing.T, now time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		sig := q.Get("Signature")
		q.Del("Signature")
		if sig != serverSignature(q, "sk-secret") {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"RequestId":"R1","Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched with our calculation."}`)
			return
		}
		want := map[string]string{"Action": "GetMobile", "Version": "2017-05-25", "Format": "JSON",
			"AccessKeyId": "ak-id", "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
			"Timestamp": now.UTC().Format("2006-01-02T15:04:05Z"), "OutId": "order-1"}
		for k, v := range want {
			if q.Get(k) != v {
				t.Errorf("%s = %q, want %q", k, q.Get(k), v)
			}
		}
		switch q.Get("AccessToken") {
		case "good":
			io.WriteString(w, `{"Code":"OK","Message":"请求成功","RequestId":"R2","GetMobileResultDTO":{"Mobile":"13900001234"}}`)
		case "refused":
			io.WriteString(w, `{"Code":"isv.NUMBER_NOT_FOUND","Message":"number not found","RequestId":"R3"}`)
		case "no-mobile":
			io.WriteString(w, `{"Code":"OK","RequestId":"R4","GetMobileResultDTO":{}}`)
		case "throttled":
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"Code":"Throttling.User","Message":"Request was denied due to user flow control.","RequestId":"R5"}`)
		case "down":
			http.Error(w, "<html>502</html>", http.StatusBadGateway)
		case "slow":
			<-r.Context().Done()
		}
	})
}

// serverSignature re-derives the RPC signature from the received query,
// percent-encoding byte by byte instead of through net/url.
func serverSignature(q url.Values, secret string) string {
	enc := func(s string) string {
		var b strings.Builder
		for _, c := range []byte(s) {
			if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		}
		return b.String()
	}
	var pairs []string
	for k := range q {
		pairs = append(pairs, enc(k)+"="+enc(q.Get(k)))
	}
	sort.Strings(pairs)
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte("GET&%2F&" + enc(strings.Join(pairs, "&"))))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestAliyunPhoneNumber(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.FixedZone("CST", 8*3600))
	srv := httptest.NewServer(fakeDypns(t, now))
	defer srv.Close()
	tests := []struct {
		name, token, secret string
		want                string
		wantCode            string // AliyunError code, when an error is expected
		retryable           bool
	}{
		{name: "phone", token: "good", want: "13900001234"},
		{name: "refused", token: "refused", wantCode: "isv.NUMBER_NOT_FOUND"},
		{name: "wrong secret", token: "good", secret: "other", wantCode: "SignatureDoesNotMatch"},
		{name: "throttled", token: "throttled", wantCode: "Throttling.User", retryable: true},
		{name: "no mobile", token: "no-mobile", wantCode: "-"},
		{name: "bad gateway", token: "down", wantCode: "-", retryable: true},
		{name: "timeout", token: "slow", wantCode: "-", retryable: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := tt.secret
			if secret == "" {
				secret = "sk-secret"
			}
			c := &AliyunClient{Endpoint: srv.URL + "/", AccessKeyID: "ak-id", AccessKeySecret: secret,
				HTTP: srv.Client(), Timeout: 100 * time.Millisecond, Now: func() time.Time { return now }}
			got, err := c.PhoneNumber(t.Context(), tt.token, "order-1")
			if tt.wantCode == "" {
				if err != nil || got != tt.want {
					t.Fatalf("got %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			var ae *AliyunError
			switch {
			case err == nil:
				t.Fatalf("got %q, want an error", got)
			case tt.wantCode != "-" && (!errors.As(err, &ae) || ae.Code != tt.wantCode):
				t.Fatalf("got %v, want code %s", err, tt.wantCode)
			case IsRetryable(err) != tt.retryable:
				t.Fatalf("IsRetryable(%v) = %v, want %v", err, !tt.retryable, tt.retryable)
			case strings.Contains(err.Error(), tt.token) && len(tt.token) > 4:
				t.Fatalf("error %q leaks the token", err)
			}
			if tt.name == "timeout" && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("got %v, want a deadline error", err)
			}
		})
	}
}

func TestAliyunConfig(t *testing.T) {
	tests := []struct {
		name  string
		c     AliyunClient
		token string
	}{
		{"no key id", AliyunClient{AccessKeySecret: "s"}, "t"},
		{"no secret", AliyunClient{AccessKeyID: "i"}, "t"},
		{"no token", AliyunClient{AccessKeyID: "i", AccessKeySecret: "s"}, ""},
		{"broken randomness", AliyunClient{AccessKeyID: "i", AccessKeySecret: "s", Rand: strings.NewReader("")}, "t"},
	}
	for _, tt := range tests {
		tt.c.Endpoint = "http://127.0.0.1:1/"
		if _, err := tt.c.PhoneNumber(t.Context(), tt.token, ""); err == nil || IsRetryable(err) {
			t.Errorf("%s: got %v, want a non-retryable error", tt.name, err)
		}
	}
}
