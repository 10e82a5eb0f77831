package alipay

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

// keys holds the key pairs one test run needs: the app's (it signs
// requests, the gateway verifies them) and Alipay's (it signs answers).
type keys struct {
	app, alipay, stranger *rsa.PrivateKey
}

func newKeys(t *testing.T) keys {
	t.Helper()
	gen := func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	return keys{app: gen(), alipay: gen(), stranger: gen()}
}

// fakeGateway speaks the alipay.system.oauth.token wire format. It checks
// the request the way Alipay does and answers according to the code sent,
// so each test case picks a scenario by its code.
type fakeGateway struct {
	t      *testing.T
	appID  string
	appPub *rsa.PublicKey
	signer *rsa.PrivateKey
	now    time.Time
}

func (g *fakeGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if problem := g.checkRequest(r); problem != "" {
		g.t.Errorf("gateway: %s", problem)
		g.reply(w, "error_response", `{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"验签出错"}`)
		return
	}
	code := r.PostForm.Get("code")
	switch code {
	case "good":
		g.reply(w, "alipay_system_oauth_token_response",
			`{"user_id":"2088102150477652","access_token":"AT-secret","expires_in":1296000,"refresh_token":"RT-secret","re_expires_in":2592000}`)
	case "openid":
		g.reply(w, "alipay_system_oauth_token_response",
			`{"open_id":"074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5","access_token":"AT","expires_in":"3600","refresh_token":"RT"}`)
	case "sign-first":
		node := `{"user_id":"2088000000000001","access_token":"AT"}`
		fmt.Fprintf(w, `{"sign":%q,"alipay_system_oauth_token_response":%s}`, g.sign(node), node)
	case "escaped":
		// Escapes and line breaks must be verified as sent, not re-encoded.
		node := "{\"user_id\":\"2088000000000002\",\"access_token\":\"a\\/b\",\n \"msg\":\"\\u6210\\u529f\"}"
		fmt.Fprintf(w, "{\n  \"alipay_system_oauth_token_response\" :  %s ,\n  \"sign\" : %q\n}", node, g.sign(node))
	case "used":
		g.reply(w, "error_response", `{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid","sub_msg":"授权码code无效"}`)
	case "busy":
		g.reply(w, "error_response", `{"code":"20000","msg":"Service Currently Unavailable","sub_code":"isp.unknow-error","sub_msg":"系统繁忙"}`)
	case "inner-error":
		g.reply(w, "alipay_system_oauth_token_response", `{"code":"40004","msg":"Business Failed","sub_code":"isv.invalid-app-id","sub_msg":"app_id不匹配"}`)
	case "tampered":
		node := `{"user_id":"2088000000000003","access_token":"AT"}`
		sig := g.sign(node)
		node = strings.Replace(node, "3", "9", 1)
		fmt.Fprintf(w, `{"alipay_system_oauth_token_response":%s,"sign":%q}`, node, sig)
	case "unsigned":
		fmt.Fprint(w, `{"alipay_system_oauth_token_response":{"user_id":"2088000000000004","access_token":"AT"}}`)
	case "unsigned-error":
		fmt.Fprint(w, `{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid","sub_msg":"x"}}`)
	case "no-user":
		g.reply(w, "alipay_system_oauth_token_response", `{"access_token":"AT"}`)
	case "bad-gateway":
		http.Error(w, "upstream down", http.StatusBadGateway)
	case "slow":
		<-r.Context().Done()
	default:
		g.t.Errorf("gateway: unexpected code %q", code)
	}
}

// checkRequest returns what is wrong with r, or "" when Alipay would accept it.
func (g *fakeGateway) checkRequest(r *http.Request) string {
	if r.Method != http.MethodPost {
		return "method " + r.Method
	}
	if err := r.ParseForm(); err != nil {
		return err.Error()
	}
	if r.URL.Query().Get("code") != "" {
		return "auth code sent in the URL"
	}
	want := map[string]string{
		"app_id": g.appID, "method": "alipay.system.oauth.token", "format": "JSON",
		"charset": "utf-8", "sign_type": "RSA2", "version": "1.0",
		"grant_type": "authorization_code",
		"timestamp":  g.now.In(time.FixedZone("Asia/Shanghai", 8*3600)).Format("2006-01-02 15:04:05"),
	}
	for k, v := range want {
		if got := r.Form.Get(k); got != v {
			return fmt.Sprintf("%s = %q, want %q", k, got, v)
		}
	}
	sig, err := base64.StdEncoding.DecodeString(r.Form.Get("sign"))
	if err != nil {
		return "sign is not base64"
	}
	sum := sha256.Sum256([]byte(canonical(r.Form)))
	if err := rsa.VerifyPKCS1v15(g.appPub, crypto.SHA256, sum[:], sig); err != nil {
		return "request signature: " + err.Error()
	}
	return ""
}

// canonical is the gateway's own reading of the signing rule, written apart
// from the client's so that a shared mistake cannot pass unnoticed.
func canonical(form url.Values) string {
	var pairs []string
	for k, vs := range form {
		if k != "sign" && len(vs) > 0 && vs[0] != "" {
			pairs = append(pairs, k+"="+vs[0])
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

func (g *fakeGateway) sign(node string) string {
	sum := sha256.Sum256([]byte(node))
	sig, err := rsa.SignPKCS1v15(rand.Reader, g.signer, crypto.SHA256, sum[:])
	if err != nil {
		g.t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

func (g *fakeGateway) reply(w http.ResponseWriter, key, node string) {
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	fmt.Fprintf(w, `{%q:%s,"sign":%q}`, key, node, g.sign(node))
}
