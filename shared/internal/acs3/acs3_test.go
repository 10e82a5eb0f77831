package acs3

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestKnownAnswer reproduces the worked example ("Fixed parameter values")
// of Alibaba Cloud's "Request syntax and signature method V3"
// (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature):
// RunInstances on ecs.cn-shanghai.aliyuncs.com, key YourAccessKeyId /
// YourAccessKeySecret.
func TestKnownAnswer(t *testing.T) {
	query := Query([][2]string{
		{"RegionId", "cn-shanghai"},
		{"ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"},
	})
	if want := "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"; query != want {
		t.Fatalf("canonical query = %q, want %q", query, want)
	}
	got := Authorization(Key{"YourAccessKeyId", "YourAccessKeySecret"}, "POST", query, map[string]string{
		"host":                  "ecs.cn-shanghai.aliyuncs.com",
		"x-acs-action":          "RunInstances",
		"x-acs-version":         "2014-05-26",
		"x-acs-date":            "2023-10-26T10:22:32Z",
		"x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
		"x-acs-content-sha256":  HashHex(nil),
	})
	want := "ACS3-HMAC-SHA256 Credential=YourAccessKeyId," +
		"SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version," +
		"Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
	if got != want {
		t.Errorf("Authorization =\n%s\nwant\n%s", got, want)
	}
}

// TestNewRequest: the same example through NewRequest, which must send
// what it signed.
func TestNewRequest(t *testing.T) {
	base, _ := url.Parse("https://ecs.cn-shanghai.aliyuncs.com/")
	when := time.Date(2023, 10, 26, 18, 22, 32, 0, time.FixedZone("CST", 8*3600))
	req, err := NewRequest(t.Context(), base, Key{"YourAccessKeyId", "YourAccessKeySecret"}, RPC{
		Action: "RunInstances", Version: "2014-05-26",
		Params: [][2]string{{"RegionId", "cn-shanghai"}, {"ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"}},
	}, when, "3156853299f313e23d1673dc12e1703d")
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "POST" || req.URL.Path != "/" || req.URL.RawQuery != "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai" {
		t.Errorf("request %s %s", req.Method, req.URL)
	}
	if got := req.Header.Get("x-acs-date"); got != "2023-10-26T10:22:32Z" {
		t.Errorf("x-acs-date = %q, want UTC", got)
	}
	if got := req.Header.Get("Authorization"); !strings.HasSuffix(got, "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0") {
		t.Errorf("Authorization = %q", got)
	}
	if req.ContentLength != 0 {
		t.Errorf("body of %d bytes, want none", req.ContentLength)
	}
}

func TestPercentEncode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AZaz09-_.~", "AZaz09-_.~"},
		{"a b", "a%20b"},
		{"a*b", "a%2Ab"},
		{"a+b/c=d&e", "a%2Bb%2Fc%3Dd%26e"},
		{`{"code":"123456"}`, "%7B%22code%22%3A%22123456%22%7D"},
		{"阿里云", "%E9%98%BF%E9%87%8C%E4%BA%91"},
	}
	for _, tc := range tests {
		if got := PercentEncode(tc.in); got != tc.want {
			t.Errorf("PercentEncode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestQuerySortsByName(t *testing.T) {
	got := Query([][2]string{{"A-B", "1"}, {"A", "2"}, {"a", "3"}})
	if want := "A=2&A-B=1&a=3"; got != want {
		t.Errorf("Query = %q, want %q", got, want)
	}
}

func TestNonce(t *testing.T) {
	n, err := Nonce(bytes.NewReader(bytes.Repeat([]byte{0xab}, 16)))
	if err != nil || n != strings.Repeat("ab", 16) {
		t.Errorf("Nonce = %q, %v", n, err)
	}
	if _, err := Nonce(bytes.NewReader(nil)); err == nil {
		t.Error("Nonce from an empty reader: no error")
	}
}
