package fakeprov

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

type alipayState struct {
	codes   map[string]*aliCode
	refresh map[string]aliUser // refresh_token -> user
}

type aliUser struct{ userID, openID string }

type aliCode struct {
	user aliUser
	used bool
}

func (s *alipayState) init() {
	s.codes = map[string]*aliCode{}
	s.refresh = map[string]aliUser{}
}

// AlipayCode registers a single-use auth code for alipay.system.oauth.token
// that answers user_id userID (the 2088... id) and open_id openID; leave
// userID empty for an app in OpenID mode, openID for a classic one.
func (f *Fake) AlipayCode(code, userID, openID string) {
	f.t.Helper()
	if code == "" || (userID == "" && openID == "") {
		f.t.Fatal("fakeprov: AlipayCode: empty code, or neither userID nor openID")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ali.codes[code] = &aliCode{user: aliUser{userID, openID}}
}

// aliError is the node of a gateway error.
type aliError struct {
	Code    string `json:"code"`
	Msg     string `json:"msg"`
	SubCode string `json:"sub_code"`
	SubMsg  string `json:"sub_msg"`
}

func missingArg(sub, msg string) aliError {
	return aliError{"40001", "Missing Required Arguments", sub, msg}
}

func invalidArg(sub, msg string) aliError {
	return aliError{"40002", "Invalid Arguments", sub, msg}
}

// serveAlipay is the OpenAPI gateway, for alipay.system.oauth.token. It
// checks the request as Alipay does (system parameters, then idco's RSA2
// signature against AppKey) and answers
// {"<method>_response" or "error_response": node, "sign": RSA2 of node's
// exact bytes with AlipayKey}.
func (f *Fake) serveAlipay(w http.ResponseWriter, r *http.Request, mode FailMode) {
	if r.URL.Path != "/gateway.do" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	switch mode {
	case Busy:
		f.aliReply(w, "error_response", aliError{"20000", "Service Currently Unavailable", "isp.unknow-error", "系统繁忙"})
		return
	case RateLimited:
		f.aliReply(w, "error_response", aliError{"40004", "Business Failed", "isv.app-call-limited", "应用调用频率超限"})
		return
	}
	if err := r.ParseForm(); err != nil {
		f.aliReply(w, "error_response", invalidArg("isv.invalid-parameter", "参数无效"))
		return
	}
	if e := f.aliCheck(r.Form); e != nil {
		f.aliReply(w, "error_response", *e)
		return
	}
	f.aliOAuthToken(w, r.Form)
}

// aliCheck validates the system parameters and the signature.
func (f *Fake) aliCheck(p url.Values) *aliError {
	for _, m := range []struct{ name, sub, msg string }{
		{"app_id", "isv.missing-app-id", "缺少AppID参数"},
		{"method", "isv.missing-method", "缺少方法名参数"},
		{"sign", "isv.missing-signature", "缺少签名参数"},
		{"sign_type", "isv.missing-signature-type", "缺少签名类型参数"},
		{"timestamp", "isv.missing-timestamp", "缺少时间戳参数"},
		{"version", "isv.missing-version", "缺少版本参数"},
	} {
		if p.Get(m.name) == "" {
			e := missingArg(m.sub, m.msg)
			return &e
		}
	}
	f.mu.Lock()
	appID := f.AlipayAppID
	f.mu.Unlock()
	var e aliError
	switch format, charset := p.Get("format"), strings.ToLower(p.Get("charset")); {
	case appID != "" && p.Get("app_id") != appID:
		e = invalidArg("isv.invalid-app-id", "无效的AppID参数")
	case p.Get("method") != "alipay.system.oauth.token":
		e = invalidArg("isv.invalid-method", "不存在的方法名")
	case format != "" && !strings.EqualFold(format, "JSON"):
		e = invalidArg("isv.invalid-format", "无效的数据格式")
	case charset != "" && charset != "utf-8" && charset != "gbk" && charset != "gb2312":
		e = invalidArg("isv.invalid-charset", "字符集错误")
	case p.Get("sign_type") != "RSA2":
		// Alipay also takes RSA (SHA-1); idco signs RSA2 only.
		e = invalidArg("isv.invalid-signature-type", "无效的签名类型")
	case !validTimestamp(p.Get("timestamp")):
		e = invalidArg("isv.invalid-timestamp", "非法的时间戳参数")
	case p.Get("version") != "1.0":
		e = invalidArg("isv.invalid-parameter", "参数无效")
	case !f.aliVerify(p):
		e = invalidArg("isv.invalid-signature", "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配")
	default:
		return nil
	}
	return &e
}

func validTimestamp(s string) bool {
	_, err := time.Parse("2006-01-02 15:04:05", s)
	return err == nil
}

// aliVerify checks sign: RSA-SHA256 with the app's public key over every
// parameter but sign, empty ones left out, sorted, joined raw as k=v&k=v.
func (f *Fake) aliVerify(p url.Values) bool {
	sig, err := base64.StdEncoding.DecodeString(p.Get("sign"))
	if err != nil {
		return false
	}
	var pairs []string
	for k, vs := range p {
		if k != "sign" && len(vs) > 0 && vs[0] != "" {
			pairs = append(pairs, k+"="+vs[0])
		}
	}
	sort.Strings(pairs)
	sum := sha256.Sum256([]byte(strings.Join(pairs, "&")))
	return rsa.VerifyPKCS1v15(&f.AppKey.PublicKey, crypto.SHA256, sum[:], sig) == nil
}

// aliToken is the success node, fields in Alipay's order.
type aliToken struct {
	AccessToken  string `json:"access_token"`
	AuthStart    string `json:"auth_start"`
	ExpiresIn    int    `json:"expires_in"`
	OpenID       string `json:"open_id,omitempty"`
	ReExpiresIn  int    `json:"re_expires_in"`
	RefreshToken string `json:"refresh_token"`
	UserID       string `json:"user_id,omitempty"`
}

// aliOAuthToken answers grant_type authorization_code (code) and
// refresh_token (refresh_token). Alipay folds unknown, used and expired
// codes into isv.code-invalid.
func (f *Fake) aliOAuthToken(w http.ResponseWriter, p url.Values) {
	now := f.now()
	f.mu.Lock()
	var u aliUser
	var e *aliError
	switch p.Get("grant_type") {
	case "authorization_code":
		c := f.ali.codes[p.Get("code")]
		if c == nil || c.used {
			e = &aliError{"40002", "Invalid Arguments", "isv.code-invalid", "授权码code无效"}
		} else {
			c.used = true
			u = c.user
		}
	case "refresh_token":
		var ok bool
		if u, ok = f.ali.refresh[p.Get("refresh_token")]; !ok {
			e = &aliError{"40002", "Invalid Arguments", "isv.refresh-token-invalid", "刷新令牌refresh_token无效"}
		}
	default:
		e = &aliError{"40002", "Invalid Arguments", "isv.grant-type-invalid", "grant_type参数不正确"}
	}
	var node aliToken
	if e == nil {
		node = aliToken{
			AccessToken:  "authusrB" + randHex(16),
			AuthStart:    now.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05"),
			ExpiresIn:    1296000,
			OpenID:       u.openID,
			ReExpiresIn:  2592000,
			RefreshToken: "authusrB" + randHex(16),
			UserID:       u.userID,
		}
		f.ali.refresh[node.RefreshToken] = u
	}
	f.mu.Unlock()
	if e != nil {
		f.aliReply(w, "error_response", *e)
		return
	}
	f.aliReply(w, "alipay_system_oauth_token_response", node)
}

// aliReply writes {key: node, "sign": ...}, signing node's exact bytes.
func (f *Fake) aliReply(w http.ResponseWriter, key string, node any) {
	b, err := json.Marshal(node)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256(b)
	sig, err := rsa.SignPKCS1v15(rand.Reader, f.AlipayKey, crypto.SHA256, sum[:])
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	k, _ := json.Marshal(key)
	s, _ := json.Marshal(base64.StdEncoding.EncodeToString(sig))
	out := make([]byte, 0, len(b)+len(s)+len(k)+12)
	out = append(out, '{')
	out = append(out, k...)
	out = append(out, ':')
	out = append(out, b...)
	out = append(out, `,"sign":`...)
	out = append(out, s...)
	out = append(out, '}')
	_, _ = w.Write(out)
}
