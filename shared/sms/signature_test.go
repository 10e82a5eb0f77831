package sms

import "testing"

// TestACS3KnownAnswer reproduces the worked example ("Fixed parameter
// values") of Alibaba Cloud's "Request syntax and signature method V3"
// (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature):
// RunInstances on ecs.cn-shanghai.aliyuncs.com, key YourAccessKeyId /
// YourAccessKeySecret.
func TestACS3KnownAnswer(t *testing.T) {
	query := acs3Query([][2]string{
		{"RegionId", "cn-shanghai"},
		{"ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"},
	})
	if want := "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"; query != want {
		t.Fatalf("canonical query = %q, want %q", query, want)
	}
	got := acs3Authorization("YourAccessKeyId", "YourAccessKeySecret", "POST", query, map[string]string{
		"host":                  "ecs.cn-shanghai.aliyuncs.com",
		"x-acs-action":          "RunInstances",
		"x-acs-version":         "2014-05-26",
		"x-acs-date":            "2023-10-26T10:22:32Z",
		"x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
		"x-acs-content-sha256":  sha256Hex(nil),
	})
	want := "ACS3-HMAC-SHA256 Credential=YourAccessKeyId," +
		"SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version," +
		"Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
	if got != want {
		t.Errorf("Authorization =\n%s\nwant\n%s", got, want)
	}
}

// TestTC3KnownAnswer reproduces the worked example of TencentCloud's
// "Signature v3" (https://www.tencentcloud.com/document/api/1145/50458):
// DescribeInstances on cvm.tencentcloudapi.com at 1551113065 with the key
// Gu5t9xGARNpq86cd98joQYCN3EXAMPLE, whose signature the page gives as
// 72e494ea....
func TestTC3KnownAnswer(t *testing.T) {
	payload := `{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`
	got := tc3Authorization("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
		"cvm", "cvm.tencentcloudapi.com", "application/json; charset=utf-8", []byte(payload), 1551113065)
	want := "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, " +
		"SignedHeaders=content-type;host, " +
		"Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
	if got != want {
		t.Errorf("Authorization =\n%s\nwant\n%s", got, want)
	}
	if h := sha256Hex([]byte(payload)); h != "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064" {
		t.Errorf("payload hash = %s, want the page's 35e9c5b0...", h)
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
		if got := percentEncode(tc.in); got != tc.want {
			t.Errorf("percentEncode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestACS3QuerySortsByName(t *testing.T) {
	got := acs3Query([][2]string{{"A-B", "1"}, {"A", "2"}, {"a", "3"}})
	if want := "A=2&A-B=1&a=3"; got != want {
		t.Errorf("acs3Query = %q, want %q", got, want)
	}
}
