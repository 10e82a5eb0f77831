package sms

import "testing"

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
