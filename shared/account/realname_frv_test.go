package account_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv"
	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

// Face verification (getFrvCertifyId, getFrvAuthResult) against the fake
// Aliyun Cloudauth, through the realname function.

const (
	frvSecret = "fedcba9876543210fedcba9876543210"
	frvName   = "张三"
	frvID     = "11010519491231002X"
	frvMeta   = `{"zimVer":"3.0.0","appVersion":"1","bioMetaInfo":"4.1.0:11501568,0","deviceType":"android","osVersion":"14","deviceModel":"Pixel 8","appName":"com.example.app"}`
)

// idNumber completes 17 digits with their GB 11643 check character.
func idNumber(first17 string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range first17 {
		sum += int(c-'0') * w[i]
	}
	return first17 + string("10X98765432"[sum%11])
}

// frvEnv is an Env whose idco.frv points at a fake Cloudauth on its clock.
func frvEnv(t *testing.T, edit func(cfg map[string]any)) (*testenv.Env, *fakeprov.Fake) {
	t.Helper()
	f := fakeprov.New(t)
	e := testenv.New(t, func(cfg map[string]any) {
		cfg["sensitiveInfoEncryptSecret"] = frvSecret
		cfg["idco"].(map[string]any)["frv"] = map[string]any{"accessKeyId": f.CloudauthKeyID,
			"accessKeySecret": f.CloudauthSecret, "sceneId": fakeprov.DefaultCloudauthSceneID, "endpoint": f.CloudauthURL()}
		if edit != nil {
			edit(cfg)
		}
	})
	f.Now = e.Clock.Now
	t.Cleanup(func() { noPersonalDataIn(t, e, "the log", e.Log.String()) })
	return e, f
}

// noPersonalDataIn fails when text holds a test name or ID number.
func noPersonalDataIn(t *testing.T, e *testenv.Env, where, text string) {
	t.Helper()
	for _, s := range []string{frvName, frvID, "李四", "王五", idNumber("44030519900101123")} {
		if strings.Contains(text, s) {
			t.Errorf("%s holds %q", where, s)
		}
	}
}

func frvUser(t *testing.T, e *testenv.Env, name string) *testenv.Client {
	t.Helper()
	c := testenv.NewClient("dev-" + name)
	e.Register(t, c, name, "a good password")
	return c
}

func certify(t *testing.T, e *testenv.Env, c *testenv.Client, name, id string) testenv.Resp {
	t.Helper()
	return e.Call(t, c, "realname", "getFrvCertifyId", map[string]any{"realName": name, "idCard": id, "metaInfo": frvMeta})
}

func certifyID(t *testing.T, e *testenv.Env, c *testenv.Client, name, id string) string {
	t.Helper()
	r := certify(t, e, c, name, id)
	cid, _ := r.Body["certifyId"].(string)
	if r.Code() != "0" || cid == "" {
		t.Fatalf("getFrvCertifyId: %s", r.Raw)
	}
	return cid
}

func authResult(t *testing.T, e *testenv.Env, c *testenv.Client, cid string) testenv.Resp {
	t.Helper()
	return e.Call(t, c, "realname", "getFrvAuthResult", map[string]any{"certifyId": cid})
}

// TestFrvSuccess: certifyId, a matching face, then realname_auth saved
// sealed, answered and read back masked; the store holds no name or ID
// number in the clear, and the ID number's key is claimed.
func TestFrvSuccess(t *testing.T) {
	e, f := frvEnv(t, nil)
	c := frvUser(t, e, "frv_ok")
	idLower := strings.ToLower(frvID)
	cid := certifyID(t, e, c, frvName, idLower)
	sent, ok := f.CloudauthInits(cid)
	if !ok || sent.CertName != frvName || sent.CertNo != frvID || sent.MetaInfo != frvMeta ||
		!regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(sent.OuterOrderNo) {
		t.Fatalf("Cloudauth was sent %+v", sent)
	}
	f.CloudauthFace(cid, fakeprov.FacePassed)
	r := authResult(t, e, c, cid)
	if r.Code() != "0" || r.Body["authStatus"] != 2.0 || r.Body["realName"] != "*三" || r.Body["identity"] != "1****************X" {
		t.Fatalf("getFrvAuthResult: %s", r.Raw)
	}
	info := e.Call(t, c, "account", "getRealNameInfo", nil)
	if info.Body["authStatus"] != 2.0 || info.Body["type"] != 0.0 || info.Body["realName"] != "*三" || info.Body["identity"] != "1****************X" {
		t.Fatalf("getRealNameInfo: %s", info.Raw)
	}

	var ra map[string]any
	var uid string
	for _, u := range e.Scan(t, e.Names.Users) {
		if m, ok := u["realname_auth"].(map[string]any); ok {
			ra, uid = m, fmt.Sprint(u["uid"])
		}
	}
	digest, _ := ra["identity_digest"].(string)
	if ra == nil || !strings.HasPrefix(fmt.Sprint(ra["real_name"]), "idco1:") || !strings.HasPrefix(fmt.Sprint(ra["identity"]), "idco1:") ||
		digest == "" || ra["auth_status"] != 2.0 || ra["type"] != 0.0 || ra["auth_date"] == nil {
		t.Fatalf("stored realname_auth = %v", ra)
	}
	var owners []string
	for _, k := range e.Scan(t, e.Names.Keys) {
		if k["key"] == "idcard:"+digest {
			owners = append(owners, fmt.Sprint(k["uid"]))
		}
	}
	if len(owners) != 1 || owners[0] != uid {
		t.Errorf("idcard key owners %v, want [%s]", owners, uid)
	}
	for _, table := range []string{e.Names.Users, e.Names.Keys, e.Names.Ephemeral} {
		b, _ := json.Marshal(e.Scan(t, table))
		noPersonalDataIn(t, e, table, string(b))
		if strings.Contains(string(b), "cache:frv:") {
			t.Errorf("%s still holds the verification record", table)
		}
	}

	// Done once: both methods now refuse.
	if r := certify(t, e, c, frvName, frvID); r.Code() != "uni-id-realname-verified" {
		t.Errorf("getFrvCertifyId after success: %s", r.Raw)
	}
	if r := authResult(t, e, c, cid); r.Code() != "uni-id-realname-verified" {
		t.Errorf("getFrvAuthResult again: %s", r.Raw)
	}
}

func TestFrvProcessing(t *testing.T) {
	e, _ := frvEnv(t, nil)
	c := frvUser(t, e, "frv_wait")
	cid := certifyID(t, e, c, frvName, frvID)
	if r := authResult(t, e, c, cid); r.Code() != "uni-id-frv-processing" {
		t.Fatalf("before the scan: %s", r.Raw)
	}
	if r := e.Call(t, c, "account", "getRealNameInfo", nil); r.Body["authStatus"] != 0.0 {
		t.Fatalf("getRealNameInfo while processing: %s", r.Raw)
	}
}

// TestFrvFail: a face that does not match fails, and stays failed without
// asking the provider again; the account is not verified.
func TestFrvFail(t *testing.T) {
	e, f := frvEnv(t, nil)
	c := frvUser(t, e, "frv_fail")
	cid := certifyID(t, e, c, frvName, frvID)
	f.CloudauthFace(cid, fakeprov.FaceFailed)
	if r := authResult(t, e, c, cid); r.Code() != "uni-id-frv-fail" {
		t.Fatalf("failed scan: %s", r.Raw)
	}
	calls := f.Calls(fakeprov.Cloudauth)
	f.CloudauthFace(cid, fakeprov.FacePassed)
	if r := authResult(t, e, c, cid); r.Code() != "uni-id-frv-fail" || f.Calls(fakeprov.Cloudauth) != calls {
		t.Fatalf("asked again: %s (%d calls, want %d)", r.Raw, f.Calls(fakeprov.Cloudauth), calls)
	}
	if r := e.Call(t, c, "account", "getRealNameInfo", nil); r.Body["authStatus"] != 0.0 {
		t.Fatalf("getRealNameInfo after a failure: %s", r.Raw)
	}
	b, _ := json.Marshal(e.Scan(t, e.Names.Ephemeral))
	if strings.Contains(string(b), "idco1:") {
		t.Errorf("a failed verification still holds sealed personal data")
	}
}

// TestFrvOthersCertifyID: uni-id lets anyone claim any certifyId's result;
// here only its own account can, and a stranger learns nothing.
func TestFrvOthersCertifyID(t *testing.T) {
	e, f := frvEnv(t, nil)
	alice, mallory := frvUser(t, e, "frv_alice"), frvUser(t, e, "frv_mallory")
	cid := certifyID(t, e, alice, frvName, frvID)
	f.CloudauthFace(cid, fakeprov.FacePassed)
	calls := f.Calls(fakeprov.Cloudauth)
	if r := authResult(t, e, mallory, cid); r.Code() != "uni-id-frv-certify-id-invalid" || r.Status != 400 {
		t.Fatalf("another account's certifyId: %s", r.Raw)
	}
	if f.Calls(fakeprov.Cloudauth) != calls {
		t.Error("the provider was asked about another account's certifyId")
	}
	if r := e.Call(t, mallory, "account", "getRealNameInfo", nil); r.Body["authStatus"] != 0.0 {
		t.Fatalf("mallory verified: %s", r.Raw)
	}
	if r := authResult(t, e, alice, cid); r.Code() != "0" {
		t.Fatalf("alice's own result: %s", r.Raw)
	}
}

func TestFrvCertifyIDParam(t *testing.T) {
	e, f := frvEnv(t, nil)
	c := frvUser(t, e, "frv_param")
	for _, tc := range []struct{ cid, want string }{
		{"", "uni-id-param-required"},
		{"sha" + strings.Repeat("0", 29), "uni-id-frv-certify-id-invalid"},
		{"../etc", "uni-id-invalid-param"},
		{strings.Repeat("a", 65), "uni-id-invalid-param"},
	} {
		if r := authResult(t, e, c, tc.cid); r.Code() != tc.want {
			t.Errorf("certifyId %q: %s, want %s", tc.cid, r.Raw, tc.want)
		}
	}
	// An expired record is as unknown.
	cid := certifyID(t, e, c, frvName, frvID)
	f.CloudauthFace(cid, fakeprov.FacePassed)
	e.Clock.Advance(41 * time.Minute)
	if r := authResult(t, e, c, cid); r.Code() != "uni-id-frv-certify-id-invalid" {
		t.Errorf("expired certifyId: %s", r.Raw)
	}
}

// TestFrvIDCardLimit: one ID number verifies one account (idCardCertifyLimit
// 1): refused when the result is saved (also when two accounts raced), and
// up front only without enumeration protection, so with it a stranger
// cannot ask whether a number is verified here; x and X are the same
// number. With a limit of 2, a third account is refused.
func TestFrvIDCardLimit(t *testing.T) {
	e, f := frvEnv(t, nil)
	a, b := frvUser(t, e, "frv_a"), frvUser(t, e, "frv_b")
	ca := certifyID(t, e, a, frvName, frvID)
	cb := certifyID(t, e, b, frvName, strings.ToLower(frvID)) // started before a finished
	f.CloudauthFace(ca, fakeprov.FacePassed)
	f.CloudauthFace(cb, fakeprov.FacePassed)
	if r := authResult(t, e, a, ca); r.Code() != "0" {
		t.Fatalf("first account: %s", r.Raw)
	}
	if r := authResult(t, e, b, cb); r.Code() != "uni-id-idcard-exists" {
		t.Fatalf("second account, raced: %s", r.Raw)
	}
	r := certify(t, e, b, frvName, strings.ToLower(frvID))
	if r.Code() != "0" {
		t.Fatalf("second account, afterwards, enumeration protection on: %s", r.Raw)
	}
	cb2, _ := r.Body["certifyId"].(string)
	f.CloudauthFace(cb2, fakeprov.FacePassed)
	if r := authResult(t, e, b, cb2); r.Code() != "uni-id-idcard-exists" {
		t.Fatalf("second account, afterwards, at the result: %s", r.Raw)
	}
	if r := e.Call(t, b, "account", "getRealNameInfo", nil); r.Body["authStatus"] != 0.0 {
		t.Fatalf("second account verified: %s", r.Raw)
	}

	e2, f2 := frvEnv(t, func(cfg map[string]any) {
		cfg["idCardCertifyLimit"] = 2
		cfg["idco"].(map[string]any)["enumerationProtection"] = false
	})
	for i, name := range []string{"frv_c", "frv_d", "frv_e"} {
		c := frvUser(t, e2, name)
		r := certify(t, e2, c, "李四", frvID)
		if i == 2 {
			if r.Code() != "uni-id-idcard-exists" {
				t.Fatalf("third account with a limit of 2: %s", r.Raw)
			}
			break
		}
		cid, _ := r.Body["certifyId"].(string)
		f2.CloudauthFace(cid, fakeprov.FacePassed)
		if r := authResult(t, e2, c, cid); r.Code() != "0" {
			t.Fatalf("account %d with a limit of 2: %s", i+1, r.Raw)
		}
	}
}

// TestFrvDailyLimit: realNameCertifyLimit (5) verifications a day, the day
// starting at midnight in UTC+8 as uni-id's; the 6th does not reach the
// provider.
func TestFrvDailyLimit(t *testing.T) {
	// The clock starts at 20:00 in UTC+8; tokens last a day here.
	e, f := frvEnv(t, func(cfg map[string]any) { cfg["tokenExpiresIn"] = 86400 })
	c := frvUser(t, e, "frv_day")
	for range 5 {
		certifyID(t, e, c, frvName, frvID)
	}
	if r := certify(t, e, c, frvName, frvID); r.Code() != "uni-id-realname-verify-upper-limit" || r.Status != 429 {
		t.Fatalf("6th: %s", r.Raw)
	}
	if n := f.Calls(fakeprov.Cloudauth); n != 5 {
		t.Errorf("Cloudauth calls = %d, want 5", n)
	}
	e.Clock.Advance(3*time.Hour + 59*time.Minute) // 23:59 in UTC+8
	if r := certify(t, e, c, frvName, frvID); r.Code() != "uni-id-realname-verify-upper-limit" {
		t.Fatalf("same day in UTC+8: %s", r.Raw)
	}
	e.Clock.Advance(time.Minute) // midnight in UTC+8, still 16:00 of the same UTC day
	if r := certify(t, e, c, frvName, frvID); r.Code() != "0" {
		t.Fatalf("next day in UTC+8: %s", r.Raw)
	}
}

// TestFrvParallelStarts: the day's attempts are reserved before the
// provider is asked, so parallel starts never reach it beyond the limit;
// a failed start gives its attempt back.
func TestFrvParallelStarts(t *testing.T) {
	e, f := frvEnv(t, nil)
	c := frvUser(t, e, "frv_par")
	f.Fail(fakeprov.Cloudauth, fakeprov.HTTP500, 1)
	if r := certify(t, e, c, frvName, frvID); r.Code() != "uni-id-retry-later" {
		t.Fatalf("outage: %s", r.Raw)
	}
	var wg sync.WaitGroup
	var ok atomic.Int64
	for range 20 {
		wg.Go(func() {
			if r := certify(t, e, c, frvName, frvID); r.Code() == "0" {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 5 {
		t.Errorf("%d of 20 parallel starts succeeded, want the day's 5 (the failed one given back)", ok.Load())
	}
	if n := f.Calls(fakeprov.Cloudauth); n != 6 {
		t.Errorf("Cloudauth calls = %d, want 6: the outage and the 5 allowed starts", n)
	}
}

// TestFrvAliyunRefusals: the refusals a user can act on keep uni-id's
// meaning; a final answer is kept, so polling again asks Aliyun no more.
func TestFrvAliyunRefusals(t *testing.T) {
	e, f := frvEnv(t, nil)
	c := frvUser(t, e, "frv_ref")
	f.CloudauthCode("401", "参数非法", 1)
	if r := certify(t, e, c, frvName, frvID); r.Code() != "uni-id-invalid-idcard" {
		t.Errorf("Init 401: %s", r.Raw)
	}
	f.CloudauthCode("418", "当天刷脸认证次数过多", 1)
	if r := certify(t, e, c, frvName, frvID); r.Code() != "uni-id-realname-verify-upper-limit" {
		t.Errorf("Init 418: %s", r.Raw)
	}
	gone := certifyID(t, e, c, frvName, frvID)
	f.CloudauthCode("406", "无效的CertifyId", 1)
	if r := authResult(t, e, c, gone); r.Code() != "uni-id-frv-certify-id-invalid" {
		t.Errorf("Describe 406: %s", r.Raw)
	}
	risky := certifyID(t, e, c, frvName, frvID)
	f.CloudauthCode("427", "风险拦截", 1)
	if r := authResult(t, e, c, risky); r.Code() != "uni-id-frv-fail" {
		t.Errorf("Describe 427: %s", r.Raw)
	}
	calls := f.Calls(fakeprov.Cloudauth)
	if r := authResult(t, e, c, gone); r.Code() != "uni-id-frv-certify-id-invalid" {
		t.Errorf("406 again: %s", r.Raw)
	}
	if r := authResult(t, e, c, risky); r.Code() != "uni-id-frv-fail" {
		t.Errorf("427 again: %s", r.Raw)
	}
	if n := f.Calls(fakeprov.Cloudauth); n != calls {
		t.Errorf("final answers asked Aliyun again: %d calls, then %d", calls, n)
	}
	// Polling a verification still processing is bounded.
	waiting := certifyID(t, e, c, frvName, frvID)
	for range 10 {
		authResult(t, e, c, waiting)
	}
	if r := authResult(t, e, c, waiting); r.Code() != "uni-id-rate-limited" {
		t.Errorf("11th poll in a minute: %s", r.Raw)
	}
}

// TestFrvParams: uni-id-co's schema, in its order; nothing reaches the
// provider.
func TestFrvParams(t *testing.T) {
	e, f := frvEnv(t, nil)
	c := frvUser(t, e, "frv_v")
	badID := frvID[:17] + "1"
	tests := []struct{ name, id, meta, want string }{
		{"", frvID, frvMeta, "uni-id-param-required"},
		{"  ", frvID, frvMeta, "uni-id-param-required"},
		{"张", frvID, frvMeta, "uni-id-invalid-realname"},
		{"Zhang San", frvID, frvMeta, "uni-id-invalid-realname"},
		{"张 三", frvID, frvMeta, "uni-id-invalid-realname"},
		{"张三1", frvID, frvMeta, "uni-id-invalid-realname"},
		{strings.Repeat("张", 61), frvID, frvMeta, "uni-id-invalid-realname"},
		{"·张三", frvID, frvMeta, "uni-id-invalid-realname"},
		{"买买提··艾力", frvID, frvMeta, "uni-id-invalid-realname"},
		{strings.Repeat("张", 60), badID, frvMeta, "uni-id-invalid-idcard"}, // name ok: 10 + 5 x 10
		{"买买提·艾力", badID, frvMeta, "uni-id-invalid-idcard"},                // name ok
		{frvName, "", frvMeta, "uni-id-param-required"},
		{frvName, frvID[:17], frvMeta, "uni-id-invalid-idcard"},
		{frvName, frvID + "0", frvMeta, "uni-id-invalid-idcard"},
		{frvName, badID, frvMeta, "uni-id-invalid-idcard"},
		{frvName, "1101051949123100AX", frvMeta, "uni-id-invalid-idcard"},
		{frvName, "ABCDEFGHIJKLMNOPQR", frvMeta, "uni-id-invalid-idcard"},
		{frvName, "１１０１０５１９４９１２３１００２X", frvMeta, "uni-id-invalid-idcard"},
		{frvName, " " + frvID[1:], frvMeta, "uni-id-invalid-idcard"},
		{frvName, frvID, "", "uni-id-param-required"},
		{frvName, frvID, strings.Repeat("x", 4097), "uni-id-invalid-param"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Call(t, c, "realname", "getFrvCertifyId", map[string]any{"realName": tc.name, "idCard": tc.id, "metaInfo": tc.meta})
			if r.Code() != tc.want {
				t.Errorf("realName %q idCard %q metaInfo of %d bytes: %s, want %s", tc.name, tc.id, len(tc.meta), r.Raw, tc.want)
			}
		})
	}
	if n := f.Calls(fakeprov.Cloudauth); n != 0 {
		t.Errorf("Cloudauth calls = %d, want 0", n)
	}
	if r := e.Call(t, c, "realname", "getFrvCertifyId", map[string]any{"realName": 1, "idCard": frvID, "metaInfo": frvMeta}); r.Code() != "uni-id-invalid-param" {
		t.Errorf("realName of the wrong type: %s", r.Raw)
	}
}

// TestFrvProviderOutage: Aliyun down or busy is retryable and writes
// nothing; a refusal is a third-party error.
func TestFrvProviderOutage(t *testing.T) {
	e, f := frvEnv(t, nil)
	c := frvUser(t, e, "frv_down")
	before := fmt.Sprint(e.ItemCount(t))
	for _, m := range []fakeprov.FailMode{fakeprov.HTTP500, fakeprov.Busy, fakeprov.RateLimited} {
		f.Fail(fakeprov.Cloudauth, m, 1)
		if r := certify(t, e, c, frvName, frvID); r.Code() != "uni-id-retry-later" || r.Status != 503 {
			t.Errorf("%v: %s", m, r.Raw)
		}
	}
	f.CloudauthCode("412", "欠费", 1)
	if r := certify(t, e, c, frvName, frvID); r.Code() != "uni-id-get-third-party-account-failed" || r.Status != 502 {
		t.Errorf("arrears: %s", r.Raw)
	}
	if after := fmt.Sprint(e.ItemCount(t)); after != before {
		t.Fatalf("items %s after the failures, %s before", after, before)
	}
	if !strings.Contains(e.Log.String(), "code 412") {
		t.Errorf("the log lacks Aliyun's code")
	}

	cid := certifyID(t, e, c, frvName, frvID)
	f.CloudauthFace(cid, fakeprov.FacePassed)
	before = fmt.Sprint(e.Scan(t, e.Names.Users))
	f.Fail(fakeprov.Cloudauth, fakeprov.HTTP500, 1)
	if r := authResult(t, e, c, cid); r.Code() != "uni-id-retry-later" {
		t.Fatalf("result during an outage: %s", r.Raw)
	}
	if after := fmt.Sprint(e.Scan(t, e.Names.Users)); after != before {
		t.Fatal("the account changed during an outage")
	}
	if r := authResult(t, e, c, cid); r.Code() != "0" {
		t.Fatalf("result after the outage: %s", r.Raw)
	}
}

// TestFrvNotConfigured: without idco.frv both methods answer a config
// error naming it; other functions name the realname function.
func TestFrvNotConfigured(t *testing.T) {
	e := testenv.New(t, func(cfg map[string]any) { cfg["sensitiveInfoEncryptSecret"] = frvSecret })
	c := frvUser(t, e, "frv_nocfg")
	for _, r := range []testenv.Resp{certify(t, e, c, frvName, frvID), authResult(t, e, c, "sha123")} {
		if r.Code() != "uni-id-config-field-required" || !strings.Contains(fmt.Sprint(r.Body["errMsg"]), "idco.frv") {
			t.Errorf("not configured: %s", r.Raw)
		}
	}
	if r := e.Call(t, c, "account", "getFrvCertifyId", nil); r.Code() != "uni-id-wrong-function" || !strings.Contains(r.Raw, "realname") {
		t.Errorf("another function: %s", r.Raw)
	}
	c.Token = ""
	if r := certify(t, e, c, frvName, frvID); r.Code() != "uni-id-check-token-failed" {
		t.Errorf("logged out: %s", r.Raw)
	}
}
