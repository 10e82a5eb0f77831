package fakeprov

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// AliyunSMS is a fake Aliyun SMS endpoint (dysmsapi.aliyuncs.com, API
// 2017-05-25) for SendSms, on 127.0.0.1. It refuses what Aliyun would,
// reporting each refusal (Report) and answering as Aliyun does:
//
//   - another method, path, action or version (404
//     InvalidAction.NotFound);
//   - a request not signed with Key (VerifyACS3: the gateway's
//     IncompleteSignature, InvalidAccessKeyId.NotFound,
//     InvalidTimeStamp.Expired, SignatureNonceUsed, SignatureDoesNotMatch);
//   - a SendSms without PhoneNumbers, SignName or TemplateCode (400
//     MissingPhoneNumbers...), or whose TemplateParam is not a JSON object
//     of strings (isv.INVALID_JSON_PARAM: Aliyun refuses {"code":123456});
//   - when SignName is set, another sign (isv.SMS_SIGNATURE_ILLEGAL); when
//     Templates is set, another template (isv.SMS_TEMPLATE_ILLEGAL) or a
//     TemplateParam without every variable of the template
//     (isv.TEMPLATE_MISSING_PARAMETERS).
//
// The params travel in the query of a POST, as idco's client and the
// official SDK send them. A SendSms that checks out is answered
// {"Code":"OK",...} with a BizId. The embedded Outbox gives URL, Now,
// Delay, Report, Fail, Calls, Sent and Take (by PhoneNumbers, such as
// "13800138000" for +86 numbers).
type AliyunSMS struct {
	Outbox[AliyunSMSMessage]
	// Key is what requests must be signed with.
	Key ACS3Key
	// SignName, when set, is the only sign the account has.
	SignName string
	// Templates, when set, are the account's templates: TemplateCode ->
	// the names of its variables.
	Templates map[string][]string

	nonces Nonces
}

// AliyunSMSMessage is one SendSms the fake sent.
type AliyunSMSMessage struct {
	PhoneNumbers, SignName, TemplateCode string
	// TemplateParam is the TemplateParam decoded, nil without one.
	TemplateParam map[string]string
	// Query is every param as received, TemplateParam's JSON included.
	Query url.Values
	BizID string // as answered
}

// Aliyun's SMS API, as the fake checks it.
const (
	aliyunSMSAction  = "SendSms"
	aliyunSMSVersion = "2017-05-25"
	aliyunSMSHost    = "dysmsapi.aliyuncs.com"
)

// NewAliyunSMS starts a fake Aliyun SMS that takes requests signed with
// key; t.Cleanup stops it.
func NewAliyunSMS(t testing.TB, key ACS3Key) *AliyunSMS {
	t.Helper()
	a := &AliyunSMS{Key: key}
	a.start(t, "fakeprov aliyun sms", a.check, a.ok, func(m AliyunSMSMessage) string { return m.PhoneNumbers })
	return a
}

// AliyunSMSError is an answer of Aliyun's with code and message: with
// HTTP 200, SendSms's own (isv.*, isp.*); with another status, the
// gateway's, which adds HostId and Recommend.
func AliyunSMSError(status int, code, message string) Reply {
	doc := map[string]string{"RequestId": caRequestID(), "Code": code, "Message": message}
	if status != http.StatusOK {
		doc["HostId"], doc["Recommend"] = aliyunSMSHost, "https://api.aliyun.com/troubleshoot?q="+code
	}
	b, _ := json.Marshal(doc)
	return Reply{Status: status, Header: map[string]string{"Content-Type": "application/json;charset=utf-8"}, Body: string(b)}
}

// Faults Aliyun SMS answers, as its SendSms and error-code pages word
// them.
var (
	// AliyunSMSBusinessLimit is the per-number flow control.
	AliyunSMSBusinessLimit = AliyunSMSError(200, "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
	// AliyunSMSDayLimit is the account's daily cap.
	AliyunSMSDayLimit    = AliyunSMSError(200, "isv.DAY_LIMIT_CONTROL", "触发日发送限额")
	AliyunSMSSystemError = AliyunSMSError(200, "isp.SYSTEM_ERROR", "isp.SYSTEM_ERROR")
	// AliyunSMSThrottled is the gateway's flow control of the API.
	AliyunSMSThrottled    = AliyunSMSError(400, "Throttling.User", "Request was denied due to user flow control.")
	AliyunSMSUnavailable  = AliyunSMSError(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.")
	AliyunSMSMobileNumber = AliyunSMSError(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
)

func (a *AliyunSMS) check(r *http.Request, body []byte) (AliyunSMSMessage, Reply, error) {
	var m AliyunSMSMessage
	if e := ACS3Gate(r, body, a.Key, a.now(), &a.nonces, aliyunSMSVersion, aliyunSMSAction); e != nil {
		return m, AliyunSMSError(e.Status, e.Code, e.Message), e
	}
	m.Query, _ = url.ParseQuery(r.URL.RawQuery)
	m.PhoneNumbers, m.SignName, m.TemplateCode = m.Query.Get("PhoneNumbers"), m.Query.Get("SignName"), m.Query.Get("TemplateCode")
	if status, code, msg := a.refuse(&m); code != "" {
		return m, AliyunSMSError(status, code, msg), fmt.Errorf("%s: %s: %v", code, msg, m.Query)
	}
	return m, Reply{}, nil
}

// refuse returns the status, code and message SendSms refuses m with, or
// "" and decodes m.TemplateParam.
func (a *AliyunSMS) refuse(m *AliyunSMSMessage) (status int, code, msg string) {
	for _, p := range [][2]string{{"PhoneNumbers", m.PhoneNumbers}, {"SignName", m.SignName}, {"TemplateCode", m.TemplateCode}} {
		if p[1] == "" {
			return http.StatusBadRequest, "Missing" + p[0], p[0] + " is mandatory for this action."
		}
	}
	status = http.StatusOK
	if tp, ok := m.Query["TemplateParam"]; ok && json.Unmarshal([]byte(tp[0]), &m.TemplateParam) != nil {
		return status, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值"
	}
	if a.SignName != "" && m.SignName != a.SignName {
		return status, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名"
	}
	if a.Templates == nil {
		return 0, "", ""
	}
	vars, ok := a.Templates[m.TemplateCode]
	if !ok {
		return status, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板"
	}
	for _, v := range vars {
		if _, ok := m.TemplateParam[v]; !ok {
			return status, "isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量: " + v
		}
	}
	return 0, "", ""
}

func (a *AliyunSMS) ok(m *AliyunSMSMessage, n int) Reply {
	m.BizID = fmt.Sprintf("9006197469364%06d", n)
	b, _ := json.Marshal(map[string]string{"Code": "OK", "Message": "OK", "BizId": m.BizID, "RequestId": caRequestID()})
	return Reply{Status: http.StatusOK, Header: map[string]string{"Content-Type": "application/json;charset=utf-8"}, Body: string(b)}
}
