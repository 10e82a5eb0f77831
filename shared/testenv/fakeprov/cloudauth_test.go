package fakeprov_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/providers/cloudauth"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"

	"github.com/idco-dev/idco/shared/testenv/clock"
)

// Personal data the Cloudauth tests send; no error may repeat them.
const (
	caName = "张三"
	caID   = "11010519491231002X"
	caMeta = `{"zimVer":"3.0.0","appVersion":"1","bioMetaInfo":"4.1.0:11501568,0","deviceType":"ios","osVersion":"iOS 17.2","deviceModel":"iPhone15,2","appName":"com.example.app"}`
)

func newCloudauth(t *testing.T) (*fakeprov.Fake, *clock.Clock, *cloudauth.Client) {
	t.Helper()
	f, clk := newFake(t)
	c := &cloudauth.Client{Endpoint: f.CloudauthURL(), AccessKeyID: f.CloudauthKeyID, AccessKeySecret: f.CloudauthSecret,
		Now: clk.Now, Timeout: 2 * time.Second}
	return f, clk, c
}

func caInit(order string) cloudauth.InitRequest {
	return cloudauth.InitRequest{SceneID: fakeprov.DefaultCloudauthSceneID, OuterOrderNo: order,
		CertName: caName, CertNo: caID, MetaInfo: caMeta, Model: "LIVENESS"}
}

// noPersonalData fails when err repeats the name, the ID number or the
// secret.
func noPersonalData(t *testing.T, err error, secret string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range []string{caName, caID, secret} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q repeats %q", err, s)
		}
	}
}

func TestCloudauthFlow(t *testing.T) {
	f, _, c := newCloudauth(t)
	ctx := t.Context()
	id, err := c.InitFaceVerify(ctx, caInit("order0001"))
	if err != nil {
		t.Fatalf("InitFaceVerify: %v", err)
	}
	got, ok := f.CloudauthInits(id)
	want := fakeprov.CloudauthInit{SceneID: fakeprov.DefaultCloudauthSceneID, OuterOrderNo: "order0001",
		CertName: caName, CertNo: caID, MetaInfo: caMeta, Model: "LIVENESS"}
	if !ok || got != want {
		t.Fatalf("registered %+v, want %+v", got, want)
	}

	_, err = c.DescribeFaceVerify(ctx, fakeprov.DefaultCloudauthSceneID, id)
	if !errors.Is(err, cloudauth.ErrNotFinished) || cloudauth.IsRetryable(err) {
		t.Fatalf("before the scan: %v, want ErrNotFinished", err)
	}
	f.CloudauthFace(id, fakeprov.FaceFailed)
	if r, err := c.DescribeFaceVerify(ctx, fakeprov.DefaultCloudauthSceneID, id); err != nil || r.Passed || r.SubCode != "205" {
		t.Fatalf("failed scan: %+v, %v", r, err)
	}
	f.CloudauthFace(id, fakeprov.FacePassed)
	if r, err := c.DescribeFaceVerify(ctx, fakeprov.DefaultCloudauthSceneID, id); err != nil || !r.Passed {
		t.Fatalf("passed scan: %+v, %v", r, err)
	}
	if calls := f.Calls(fakeprov.Cloudauth); calls != 4 {
		t.Errorf("Calls = %d, want 4", calls)
	}
}

// TestCloudauthRefusals: each refusal is an *Error with Aliyun's code,
// retryable only when Aliyun failed, and never repeats personal data.
func TestCloudauthRefusals(t *testing.T) {
	f, clk, c := newCloudauth(t)
	ctx := t.Context()
	if _, err := c.InitFaceVerify(ctx, caInit("dup1")); err != nil {
		t.Fatal(err)
	}
	wrongSecret, wrongKey, stale, wrongScene := *c, *c, *c, caInit("scene1")
	wrongSecret.AccessKeySecret = "not-the-secret"
	wrongKey.AccessKeyID = "LTAI5tUnknown"
	stale.Now = func() time.Time { return clk.Now().Add(-20 * time.Minute) }
	wrongScene.SceneID = 42
	tests := []struct {
		name   string
		prep   func()
		call   func() error
		code   string
		status int
		retry  bool
	}{
		{"repeated OuterOrderNo", nil, func() error { _, err := c.InitFaceVerify(ctx, caInit("dup1")); return err }, "400", 200, false},
		{"unknown scene", nil, func() error { _, err := c.InitFaceVerify(ctx, wrongScene); return err }, "404", 200, false},
		{"wrong secret", nil, func() error { _, err := wrongSecret.InitFaceVerify(ctx, caInit("sig1")); return err }, "SignatureDoesNotMatch", 400, false},
		{"unknown key", nil, func() error { _, err := wrongKey.InitFaceVerify(ctx, caInit("key1")); return err }, "InvalidAccessKeyId.NotFound", 404, false},
		{"stale date", nil, func() error { _, err := stale.InitFaceVerify(ctx, caInit("date1")); return err }, "InvalidTimeStamp.Expired", 400, false},
		{"unknown certifyId", nil, func() error {
			_, err := c.DescribeFaceVerify(ctx, fakeprov.DefaultCloudauthSceneID, "sha0000")
			return err
		}, "400", 200, false},
		{"arrears", func() { f.CloudauthCode("412", "欠费", 1) }, func() error { _, err := c.InitFaceVerify(ctx, caInit("arr1")); return err }, "412", 200, false},
		{"system error", func() { f.CloudauthCode("500", "系统错误", 1) }, func() error { _, err := c.InitFaceVerify(ctx, caInit("sys1")); return err }, "500", 200, true},
		{"message echoing the request", func() { f.CloudauthCode("400", "参数错误: CertName="+caName+" CertNo="+caID, 1) },
			func() error { _, err := c.InitFaceVerify(ctx, caInit("echo1")); return err }, "400", 200, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.prep != nil {
				tc.prep()
			}
			err := tc.call()
			e := as[*cloudauth.Error](t, err)
			if e.Code != tc.code || e.Status != tc.status || cloudauth.IsRetryable(err) != tc.retry {
				t.Errorf("%s: %v (retryable %v), want code %s HTTP %d retryable %v", tc.name, err, cloudauth.IsRetryable(err), tc.code, tc.status, tc.retry)
			}
			noPersonalData(t, err, c.AccessKeySecret)
		})
	}
}

// TestCloudauthRefusesBadArguments before any request.
func TestCloudauthRefusesBadArguments(t *testing.T) {
	f, _, c := newCloudauth(t)
	for name, r := range map[string]cloudauth.InitRequest{
		"no scene":        {OuterOrderNo: "o1", CertName: caName, CertNo: caID, MetaInfo: caMeta},
		"order too long":  {SceneID: 1, OuterOrderNo: strings.Repeat("a", 33), CertName: caName, CertNo: caID, MetaInfo: caMeta},
		"order not alnum": {SceneID: 1, OuterOrderNo: "a-b", CertName: caName, CertNo: caID, MetaInfo: caMeta},
		"no metaInfo":     {SceneID: 1, OuterOrderNo: "o1", CertName: caName, CertNo: caID},
	} {
		_, err := c.InitFaceVerify(t.Context(), r)
		if err == nil {
			t.Errorf("%s: no error", name)
		}
		noPersonalData(t, err, c.AccessKeySecret)
	}
	if _, err := c.DescribeFaceVerify(t.Context(), 1, "bad id/with slash"); err == nil {
		t.Error("DescribeFaceVerify of a malformed certifyId: no error")
	}
	if n := f.Calls(fakeprov.Cloudauth); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
