package cloudobj

import (
	"bytes"
	"context"
	"testing"
)

// benchBody is a uni-id-pages login as the adapter sends it: a full
// clientInfo from uni.getSystemInfoSync and three params.
var benchBody = []byte(`{"method":"login","params":{"name":"alice","count":3,"password2":"x"},` +
	`"clientInfo":{"appId":"__UNI__DEMO","appName":"demo","appVersion":"1.0.0","appVersionCode":100,` +
	`"appLanguage":"zh-Hans","browserName":"chrome","browserVersion":"120.0","deviceBrand":"","deviceId":"17012345678901234567",` +
	`"deviceModel":"PC","deviceOrientation":"portrait","devicePixelRatio":1,"deviceType":"pc","hostLanguage":"zh-CN",` +
	`"language":"zh-CN","locale":"zh-Hans","osName":"linux","osVersion":"","platform":"linux","screenHeight":900,` +
	`"screenWidth":1440,"ua":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",` +
	`"uniCompileVersion":"4.08","uniPlatform":"web","uniRuntimeVersion":"4.08","windowHeight":900,"windowWidth":1440},` +
	`"uniIdToken":""}`)

// BenchmarkServeDecode is one anonymous call through decoding, the method
// table and the envelope: the dispatcher's own cost per request.
func BenchmarkServeDecode(b *testing.B) {
	d := testDispatcher(fakeAuth{}, &bytes.Buffer{})
	d.Logger = nil
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if out := d.Serve(ctx, Input{Body: benchBody}); out.Status != 200 {
			b.Fatalf("status %d: %s", out.Status, out.Body)
		}
	}
}
