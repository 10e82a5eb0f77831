package fakeprov

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"
)

// univerifyWindow is how far a request timestamp may be from the proxy's
// clock (proxy.js's WINDOW_MS).
const univerifyWindow = 5 * time.Minute

type univerifyState struct {
	tokens map[string]*uvToken
}

type uvToken struct {
	openID, phone string
	used          bool
}

func (s *univerifyState) init() { s.tokens = map[string]*uvToken{} }

// UniverifyToken registers a single-use one-click-login access_token for
// openID that uniCloud.getPhoneNumber turns into phone. An unknown, used or
// mismatched token answers code 40047 ("一键登录取号失败").
func (f *Fake) UniverifyToken(accessToken, openID, phone string) {
	f.t.Helper()
	if accessToken == "" || openID == "" || phone == "" {
		f.t.Fatal("fakeprov: UniverifyToken: empty accessToken, openID or phone")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uv.tokens[accessToken] = &uvToken{openID: openID, phone: phone}
}

// uvResult is getPhoneNumber's result as proxy.js passes it on, in
// JSON.stringify's key order.
type uvResult struct {
	Code        int    `json:"code"`
	Message     string `json:"message"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
}

// serveUniverify behaves as proxy.js behind uniCloud's URL access: 400 for
// a body that is not a JSON object with a string nonce, 401 for a bad
// X-Idco-Signature or a timestamp more than 5 minutes from Now, else 200
// with getPhoneNumber's result signed as
// hex HMAC-SHA256(secret, "response\n" + nonce + "\n" + body).
func (f *Fake) serveUniverify(w http.ResponseWriter, r *http.Request, mode FailMode) {
	if r.URL.Path != "" && r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	if mode == RateLimited {
		http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	f.mu.Lock()
	secret := f.UniverifySecret
	f.mu.Unlock()
	if len(secret) < 32 {
		f.uvReply(w, http.StatusInternalServerError, uvResult{Code: -500, Message: "proxy secret not configured"}, "", "")
		return
	}
	var req struct {
		AppID       any             `json:"appid"`
		AccessToken any             `json:"access_token"`
		OpenID      any             `json:"openid"`
		Timestamp   json.RawMessage `json:"timestamp"`
		Nonce       *string         `json:"nonce"`
	}
	if json.Unmarshal(raw, &req) != nil || req.Nonce == nil {
		f.uvReply(w, http.StatusBadRequest, uvResult{Code: -400, Message: "bad request"}, "", "")
		return
	}
	ts, ok := safeInteger(req.Timestamp)
	given, herr := hex.DecodeString(r.Header.Get("X-Idco-Signature"))
	want := uvMAC(secret, strconv.FormatInt(ts, 10)+"\n"+*req.Nonce+"\n", raw)
	if !ok || herr != nil || !hmac.Equal(given, want) || !fresh(f.now(), ts) {
		f.uvReply(w, http.StatusUnauthorized, uvResult{Code: -401, Message: "bad or stale signature"}, "", "")
		return
	}
	f.uvReply(w, http.StatusOK, f.getPhoneNumber(mode, req.AppID, req.AccessToken, req.OpenID), secret, *req.Nonce)
}

// getPhoneNumber stands in for uniCloud.getPhoneNumber.
func (f *Fake) getPhoneNumber(mode FailMode, appID, accessToken, openID any) uvResult {
	if mode == Busy {
		return uvResult{Code: 5000, Message: "服务器未知异常"}
	}
	app, _ := appID.(string)
	tok, _ := accessToken.(string)
	oid, _ := openID.(string)
	if app == "" {
		return uvResult{Code: -7, Message: "appid missing"}
	}
	if tok == "" || oid == "" {
		return uvResult{Code: 4001, Message: "参数错误"}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.uv.tokens[tok]
	if t == nil || t.used || t.openID != oid {
		return uvResult{Code: 40047, Message: "一键登录取号失败"}
	}
	t.used = true
	return uvResult{Code: 0, Message: "", PhoneNumber: t.phone}
}

// safeInteger reads a JSON number that is a JavaScript safe integer.
func safeInteger(raw json.RawMessage) (int64, bool) {
	var v float64
	if json.Unmarshal(raw, &v) != nil || v != math.Trunc(v) || math.Abs(v) > 1<<53-1 {
		return 0, false
	}
	return int64(v), true
}

func fresh(now time.Time, ts int64) bool {
	d := now.UnixMilli() - ts
	return d <= univerifyWindow.Milliseconds() && -d <= univerifyWindow.Milliseconds()
}

func uvMAC(secret, prefix string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(prefix))
	m.Write(body)
	return m.Sum(nil)
}

// uvReply writes res as JSON.stringify would; when nonce is set, the
// answer is signed for that request.
func (f *Fake) uvReply(w http.ResponseWriter, status int, res uvResult, secret, nonce string) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(res)
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	w.Header().Set("Content-Type", "application/json")
	if nonce != "" {
		w.Header().Set("X-Idco-Signature", hex.EncodeToString(uvMAC(secret, "response\n"+nonce+"\n", body)))
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
