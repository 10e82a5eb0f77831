package fakeprov

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Aliyun Cloudauth (实人认证, API 2019-03-07) has a server of its own,
// CloudauthURL, because the ACS3-HMAC-SHA256 signature covers the path "/".
// It authenticates each request as Aliyun's gateway would, recomputing the
// signature with its own canonicalisation, then checks the params of
// InitFaceVerify and DescribeFaceVerify.

// FaceOutcome is what DescribeFaceVerify answers for a certifyId.
type FaceOutcome int

const (
	// FaceProcessing is Code 424: the face has not been scanned yet. Every
	// new certifyId starts so.
	FaceProcessing FaceOutcome = iota
	// FacePassed is Code 200 with Passed "T".
	FacePassed
	// FaceFailed is Code 200 with Passed "F", SubCode 205 (face mismatch).
	FaceFailed
)

// DefaultCloudauthSceneID is Fake.CloudauthSceneID's default.
const DefaultCloudauthSceneID = 1000001234

// CloudauthInit is what an InitFaceVerify registered.
type CloudauthInit struct {
	SceneID                                         int64
	OuterOrderNo, CertName, CertNo, MetaInfo, Model string
}

type cloudauthState struct {
	certs  map[string]*caCert
	orders map[string]bool
	nonces Nonces
	queued []caQueued
}

type caCert struct {
	init    CloudauthInit
	outcome FaceOutcome
}

type caQueued struct{ code, message string }

func (s *cloudauthState) init() {
	s.certs = map[string]*caCert{}
	s.orders = map[string]bool{}
	s.nonces = Nonces{}
}

// CloudauthURL replaces https://cloudauth.aliyuncs.com (idco.frv.endpoint).
func (f *Fake) CloudauthURL() string { return f.caSrv.URL }

// CloudauthFace sets what DescribeFaceVerify answers for certifyID, as if
// the person had scanned their face.
func (f *Fake) CloudauthFace(certifyID string, o FaceOutcome) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.ca.certs[certifyID]
	if c == nil {
		f.t.Fatalf("fakeprov: CloudauthFace: unknown certifyId %q", certifyID)
	}
	c.outcome = o
}

// CloudauthInits returns what InitFaceVerify registered for certifyID.
func (f *Fake) CloudauthInits(certifyID string) (CloudauthInit, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.ca.certs[certifyID]
	if c == nil {
		return CloudauthInit{}, false
	}
	return c.init, true
}

// CloudauthCode makes the next n authenticated Cloudauth requests answer
// HTTP 200 with Code code and message (such as "412", "欠费" or "500",
// "系统错误") instead of their result.
func (f *Fake) CloudauthCode(code, message string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.ca.queued = append(f.ca.queued, caQueued{code, message})
	}
}

// serveCloudauth is POST / with the action in x-acs-action. Busy is Code
// "500"; RateLimited the gateway's Throttling.User with HTTP 400.
func (f *Fake) serveCloudauth(w http.ResponseWriter, r *http.Request, mode FailMode) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if mode == RateLimited {
		caGateway(w, http.StatusBadRequest, "Throttling.User", "Request was denied due to user flow control.")
		return
	}
	if status, code, msg := f.caAuthenticate(r, body); code != "" {
		caGateway(w, status, code, msg)
		return
	}
	if mode == Busy {
		caReply(w, "500", "系统错误", nil)
		return
	}
	f.mu.Lock()
	var q *caQueued
	if len(f.ca.queued) > 0 {
		q = &f.ca.queued[0]
		f.ca.queued = f.ca.queued[1:]
	}
	f.mu.Unlock()
	if q != nil {
		caReply(w, q.code, q.message, nil)
		return
	}
	p, _ := url.ParseQuery(r.URL.RawQuery)
	if r.Header.Get("x-acs-action") == "InitFaceVerify" {
		f.caInit(w, p)
		return
	}
	f.caDescribe(w, p)
}

var caOrderNoRE = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)

func (f *Fake) caInit(w http.ResponseWriter, p url.Values) {
	in := CloudauthInit{OuterOrderNo: p.Get("OuterOrderNo"), CertName: p.Get("CertName"), CertNo: p.Get("CertNo"),
		MetaInfo: p.Get("MetaInfo"), Model: p.Get("Model")}
	in.SceneID, _ = strconv.ParseInt(p.Get("SceneId"), 10, 64)
	var meta map[string]any
	switch {
	case in.SceneID != f.caScene():
		caReply(w, "404", "认证场景配置不存在", nil)
		return
	case p.Get("ProductCode") != "ID_PRO" || p.Get("CertType") != "IDENTITY_CARD":
		caReply(w, "400", "参数不能为空或参数格式错误: ProductCode/CertType", nil)
		return
	case !caOrderNoRE.MatchString(in.OuterOrderNo):
		caReply(w, "400", "参数不能为空或参数格式错误: OuterOrderNo", nil)
		return
	case in.CertName == "" || len(in.CertNo) != 18:
		caReply(w, "401", "身份信息参数格式错误", nil)
		return
	case json.Unmarshal([]byte(in.MetaInfo), &meta) != nil:
		caReply(w, "400", "参数不能为空或参数格式错误: MetaInfo", nil)
		return
	}
	f.mu.Lock()
	dup := f.ca.orders[in.OuterOrderNo]
	f.ca.orders[in.OuterOrderNo] = true
	id := "sha" + randHex(16)
	if !dup {
		f.ca.certs[id] = &caCert{init: in}
	}
	f.mu.Unlock()
	if dup {
		caReply(w, "400", "参数不能为空或参数格式错误: OuterOrderNo repeated", nil)
		return
	}
	caReply(w, "200", "success", map[string]any{"CertifyId": id})
}

func (f *Fake) caDescribe(w http.ResponseWriter, p url.Values) {
	scene, _ := strconv.ParseInt(p.Get("SceneId"), 10, 64)
	f.mu.Lock()
	c := f.ca.certs[p.Get("CertifyId")]
	var o FaceOutcome
	if c != nil {
		o = c.outcome
	}
	f.mu.Unlock()
	switch {
	case scene != f.caScene():
		caReply(w, "404", "认证场景配置不存在", nil)
	case c == nil || c.init.SceneID != scene:
		caReply(w, "400", "参数不能为空或参数格式错误: CertifyId", nil)
	case o == FaceProcessing:
		caReply(w, "424", "认证未完成", nil)
	case o == FacePassed:
		caReply(w, "200", "success", map[string]any{"Passed": "T", "SubCode": "200",
			"MaterialInfo": `{"faceAttack":"F","facialPictureFront":{"pictureUrl":"https://oss.example/face.jpg"}}`})
	default:
		caReply(w, "200", "success", map[string]any{"Passed": "F", "SubCode": "205",
			"MaterialInfo": `{"faceAttack":"F"}`})
	}
}

func (f *Fake) caScene() int64 {
	if f.CloudauthSceneID == 0 {
		return DefaultCloudauthSceneID
	}
	return f.CloudauthSceneID
}

// caAuthenticate returns the gateway's status, code and message, or ""
// when the request is genuine.
func (f *Fake) caAuthenticate(r *http.Request, body []byte) (int, string, string) {
	key := ACS3Key{ID: f.CloudauthKeyID, Secret: f.CloudauthSecret}
	if e := ACS3Gate(r, body, key, f.now(), &f.ca.nonces, "2019-03-07", "InitFaceVerify", "DescribeFaceVerify"); e != nil {
		return e.Status, e.Code, e.Message
	}
	return 0, "", ""
}

// caReply writes a Cloudauth answer: HTTP 200, Code a string.
func caReply(w http.ResponseWriter, code, message string, result map[string]any) {
	doc := map[string]any{"RequestId": caRequestID(), "Code": code, "Message": message}
	if result != nil {
		doc["ResultObject"] = result
	}
	b, _ := json.Marshal(doc)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_, _ = w.Write(b)
}

// caGateway writes Alibaba Cloud's gateway error document.
func caGateway(w http.ResponseWriter, status int, code, message string) {
	b, _ := json.Marshal(map[string]any{"RequestId": caRequestID(), "HostId": "cloudauth.aliyuncs.com",
		"Code": code, "Message": message, "Recommend": "https://api.aliyun.com/troubleshoot?q=" + code})
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func caRequestID() string {
	h := strings.ToUpper(randHex(16))
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
