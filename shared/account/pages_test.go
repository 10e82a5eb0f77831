package account_test

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/idco-dev/idco/shared/testenv"
)

// The methods uni-id-pages needs besides uni-id-co's own: uni-captcha-co's
// getImageCaptcha, and what stands in for its client-database reads and
// writes of the caller's uni-id-users record.

func TestGetImageCaptcha(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("dev-img")
	r := e.Call(t, c, "uni-captcha-co", "getImageCaptcha", map[string]any{"scene": "register", "isUniAppX": false})
	if r.Code() != "0" || !strings.HasPrefix(fmt.Sprint(r.Body["captchaBase64"]), "data:image/png;base64,") {
		t.Fatalf("getImageCaptcha: %s", r.Raw)
	}
	first, _ := e.Outbox.Last("captcha", c.DeviceID)
	// A second call refreshes: the first answer no longer works, the new one does.
	e.Call(t, c, "uni-captcha-co", "getImageCaptcha", map[string]any{"scene": "register"})
	second, _ := e.Outbox.Last("captcha", c.DeviceID)
	reg := func(answer string) testenv.Resp {
		return e.Call(t, c, "register", "registerUser", map[string]any{"username": "img_user", "password": "a good password", "captcha": answer})
	}
	if first.Code != second.Code {
		if r := reg(first.Code); r.Code() != "uni-captcha-verify-fail" {
			t.Fatalf("the replaced captcha still works: %s", r.Raw)
		}
		e.Call(t, c, "uni-captcha-co", "getImageCaptcha", map[string]any{"scene": "register"})
		second, _ = e.Outbox.Last("captcha", c.DeviceID)
	}
	if r := reg(second.Code); r.Code() != "0" {
		t.Fatalf("register with the getImageCaptcha answer: %s", r.Raw)
	}
	for name, tc := range map[string]struct {
		params any
		client *testenv.Client
		want   string
	}{
		"no scene":      {map[string]any{}, c, "uni-id-param-required"},
		"unknown scene": {map[string]any{"scene": "nope"}, c, "uni-id-invalid-param"},
		"bad type":      {map[string]any{"scene": "register", "isUniAppX": "yes"}, c, "uni-id-invalid-param"},
		"no device":     {map[string]any{"scene": "register"}, testenv.NewClient(""), "uni-captcha-deviceId-required"},
	} {
		t.Run(name, func(t *testing.T) {
			if r := e.Call(t, tc.client, "uni-captcha-co", "getImageCaptcha", tc.params); r.Code() != tc.want {
				t.Errorf("got %s, want %s", r.Raw, tc.want)
			}
		})
	}
	// One URL per cloud object: uni-captcha-co is not a uni-id-co method.
	if r := e.Call(t, c, "uni-id-co", "getImageCaptcha", map[string]any{"scene": "register"}); r.Code() != "uni-id-wrong-function" {
		t.Errorf("/uni-id-co/getImageCaptcha: %s", r.Raw)
	}
}

func TestProfile(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("dev-prof")
	e.Register(t, c, "prof_user", "a good password")
	get := func(fields ...string) testenv.Resp {
		return e.Call(t, c, "account", "getProfile", map[string]any{"fields": fields})
	}
	r := get("mobile", "nickname", "username", "email", "avatar_file")
	info, _ := r.Body["userInfo"].(map[string]any)
	if r.Code() != "0" || info["username"] != "prof_user" || info["_id"] == nil || info["password"] != nil {
		t.Fatalf("getProfile: %s", r.Raw)
	}
	if r := get("password"); r.Code() != "uni-id-permission-error" || r.Status != 403 {
		t.Errorf("getProfile of password: %s", r.Raw)
	}
	if r := get("sessions", "nickname"); r.Code() != "uni-id-permission-error" {
		t.Errorf("getProfile of sessions: %s", r.Raw)
	}

	update := func(p map[string]any) testenv.Resp { return e.Call(t, c, "account", "updateProfile", p) }
	avatar := map[string]any{"name": "a.png", "extname": "png", "url": "https://cdn.example.com/a.png"}
	if r := update(map[string]any{"nickname": "Alice", "gender": 2, "avatar_file": avatar}); r.Code() != "0" || r.Body["updated"] != 1.0 {
		t.Fatalf("updateProfile: %s", r.Raw)
	}
	if r := update(map[string]any{"nickname": "Alice"}); r.Code() != "0" || r.Body["updated"] != 0.0 {
		t.Errorf("updateProfile without a change: %s", r.Raw)
	}
	r = get("nickname", "gender", "avatar_file")
	info, _ = r.Body["userInfo"].(map[string]any)
	if info["nickname"] != "Alice" || info["gender"] != 2.0 || fmt.Sprint(info["avatar_file"]) != fmt.Sprint(avatar) {
		t.Fatalf("profile after update: %s", r.Raw)
	}
	// Identity fields and anything unknown are refused whole, and write nothing.
	before := e.ItemCount(t)
	for _, p := range []map[string]any{
		{"nickname": "Mallory", "username": "mallory"}, {"role": []string{"admin"}}, {"mobile": "13800138000"},
		{"email": "m@example.com"}, {"status": 0}, {"dcloud_appid": []string{"*"}}, {"Nickname": "Mallory"},
		{"password": "x"}, {"nickname": 5}, {"nickname": "a@b"}, {"gender": 3}, {"avatar": "javascript:alert(1)"},
		{"avatar_file": map[string]any{"url": "file:///etc/passwd"}},
	} {
		if r := update(p); r.Code() != "uni-id-permission-error" && r.Code() != "uni-id-invalid-param" && r.Code() != "uni-id-invalid-nickname" {
			t.Errorf("updateProfile(%v) = %s", p, r.Raw)
		}
	}
	if r := get("nickname", "username", "role"); !strings.Contains(r.Raw, `"nickname":"Alice"`) || strings.Contains(r.Raw, "admin") || !strings.Contains(r.Raw, `"username":"prof_user"`) {
		t.Errorf("a refused update changed the profile: %s", r.Raw)
	}
	if after := e.ItemCount(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("items changed: %v -> %v", before, after)
	}
	anon := testenv.NewClient("dev-anon")
	if r := e.Call(t, anon, "account", "getProfile", nil); r.Code() != "uni-id-check-token-failed" {
		t.Errorf("getProfile without a token: %s", r.Raw)
	}
}

func TestHasAdmin(t *testing.T) {
	e := testenv.New(t, nil)
	c := testenv.NewClient("dev-adm")
	if r := e.Call(t, c, "register", "hasAdmin", nil); r.Code() != "0" || r.Body["exists"] != false {
		t.Fatalf("hasAdmin on a new deployment: %s", r.Raw)
	}
	if r := e.RegisterAdmin(t, c, "root_1", "a good password"); r.Code() != "0" {
		t.Fatalf("registerAdmin: %s", r.Raw)
	}
	if r := e.Call(t, testenv.NewClient("other"), "uni-id-co", "hasAdmin", nil); r.Body["exists"] != true {
		t.Fatalf("hasAdmin after registerAdmin: %s", r.Raw)
	}
}

func TestPushCidAndDevices(t *testing.T) {
	e := testenv.New(t, nil)
	phone := &testenv.Client{AppID: "__UNI__TEST", Platform: "app", DeviceID: "phone-1"}
	e.Register(t, phone, "push_user", "a good password")
	laptop := testenv.NewClient("laptop-1")
	if r := e.Call(t, laptop, "login", "login", map[string]any{"username": "push_user", "password": "a good password"}); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	if r := e.Call(t, phone, "account", "setPushCid", map[string]any{"pushClientId": "cid-123"}); r.Code() != "0" {
		t.Fatalf("setPushCid: %s", r.Raw)
	}
	if r := e.Call(t, phone, "account", "setPushCid", map[string]any{"pushClientId": 5}); r.Code() != "uni-id-invalid-param" {
		t.Errorf("setPushCid with a number: %s", r.Raw)
	}
	r := e.Call(t, laptop, "account", "listDevices", nil)
	devs, _ := r.Body["devices"].([]any)
	if r.Code() != "0" || len(devs) != 2 {
		t.Fatalf("listDevices: %s", r.Raw)
	}
	byID := map[string]map[string]any{}
	for _, d := range devs {
		m := d.(map[string]any)
		byID[m["device_id"].(string)] = m
	}
	if p := byID["phone-1"]; p["push_clientid"] != "cid-123" || p["uni_platform"] != "app" || p["appid"] != "__UNI__TEST" || p["current"] != false || p["token_expired"].(float64) <= 0 {
		t.Errorf("phone device: %v", p)
	}
	if l := byID["laptop-1"]; l["current"] != true || l["push_clientid"] != nil {
		t.Errorf("laptop device: %v", l)
	}
	// A second session on the phone takes the id; the first no longer lists it.
	phone2 := &testenv.Client{AppID: "__UNI__TEST", Platform: "app", DeviceID: "phone-1"}
	if r := e.Call(t, phone2, "login", "login", map[string]any{"username": "push_user", "password": "a good password"}); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	if r := e.Call(t, phone2, "account", "setPushCid", map[string]any{"pushClientId": "cid-123"}); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	if r := e.Call(t, laptop, "account", "listDevices", nil); strings.Count(r.Raw, "cid-123") != 1 {
		t.Errorf("the push id is listed %d times: %s", strings.Count(r.Raw, "cid-123"), r.Raw)
	}
	if r := e.Call(t, phone2, "account", "logout", nil); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	// The push client id ends with the session.
	if r := e.Call(t, phone, "account", "logout", nil); r.Code() != "0" {
		t.Fatal(r.Raw)
	}
	if r := e.Call(t, laptop, "account", "listDevices", nil); strings.Contains(r.Raw, "cid-123") {
		t.Errorf("a logged-out device is still listed: %s", r.Raw)
	}
}

// TestGetRealNameInfo: none yet, then a uni-id record (sealed by uni-id's
// AES-256-CBC) as a migrated user has it, answered masked.
func TestGetRealNameInfo(t *testing.T) {
	const secret = "0123456789abcdef0123456789ABCDEF"
	e := testenv.New(t, func(cfg map[string]any) { cfg["sensitiveInfoEncryptSecret"] = secret })
	c := testenv.NewClient("dev-rn")
	reg := e.Register(t, c, "rn_user", "a good password")
	r := e.Call(t, c, "account", "getRealNameInfo", nil)
	if r.Code() != "0" || r.Body["authStatus"] != 0.0 || r.Body["realName"] != "" {
		t.Fatalf("getRealNameInfo before verification: %s", r.Raw)
	}
	seal := func(plain string) string {
		b, _ := aes.NewCipher([]byte(secret))
		pad := aes.BlockSize - len(plain)%aes.BlockSize
		in := []byte(plain + strings.Repeat(string(rune(pad)), pad))
		cipher.NewCBCEncrypter(b, []byte(secret[16:])).CryptBlocks(in, in)
		return base64.StdEncoding.EncodeToString(in)
	}
	_, err := e.DB.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{
		TableName:        aws.String(e.Names.Users),
		Key:              map[string]types.AttributeValue{"uid": &types.AttributeValueMemberS{Value: reg.Body["uid"].(string)}},
		UpdateExpression: aws.String("SET realname_auth = :r"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":r": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"type": &types.AttributeValueMemberN{Value: "0"}, "auth_status": &types.AttributeValueMemberN{Value: "2"},
			"real_name": &types.AttributeValueMemberS{Value: seal("张三丰")},
			"identity":  &types.AttributeValueMemberS{Value: seal("11010519491231002X")},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r = e.Call(t, c, "account", "getRealNameInfo", map[string]any{"decryptData": false})
	if r.Body["authStatus"] != 2.0 || r.Body["realName"] != "**丰" || r.Body["identity"] != "1****************X" {
		t.Fatalf("getRealNameInfo of a uni-id record: %s", r.Raw)
	}
	if strings.Contains(e.Log.String(), "张三丰") || strings.Contains(e.Log.String(), "11010519491231002X") {
		t.Errorf("real name or ID number in the log")
	}
}
