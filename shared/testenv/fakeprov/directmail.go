package fakeprov

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"testing"
	"unicode/utf8"
)

// DirectMail is a fake Aliyun DirectMail endpoint (dm.aliyuncs.com, API
// 2015-11-23) for SingleSendMail, on 127.0.0.1. It refuses what DirectMail
// would, reporting each refusal (Report) and answering as DirectMail does:
//
//   - another method, path, action or version (404
//     InvalidAction.NotFound);
//   - a request not signed with Key (VerifyACS3: the gateway's
//     IncompleteSignature, InvalidAccessKeyId.NotFound,
//     InvalidTimeStamp.Expired, SignatureNonceUsed, SignatureDoesNotMatch);
//   - a param SingleSendMail does not know (400 InvalidParameter);
//   - a SingleSendMail without AccountName, AddressType, ReplyToAddress,
//     ToAddress or Subject (400 Missing...), with an AddressType other than
//     0 or 1 or a ReplyToAddress other than "true" or "false" (400
//     InvalidParameter), with neither TextBody nor HtmlBody (400
//     InvalidBody), a Subject over 100 characters (400
//     InvalidSubject.Malformed), a FromAlias over 15 (400
//     InvalidFromAlias.Malformed), or a ToAddress that is not one address
//     (400 InvalidToAddress: idco sends each email to one recipient);
//   - when AccountNames is set, a sender address the account does not have
//     (404 InvalidMailAddress.NotFound).
//
// A SingleSendMail that checks out is answered {"EnvId":"...",
// "RequestId":"..."}. The embedded Outbox gives URL, Now, Delay, Report,
// Fail, Calls, Sent and Take (by ToAddress).
type DirectMail struct {
	Outbox[DirectMailMessage]
	// Key is what requests must be signed with.
	Key ACS3Key
	// AccountNames, when set, are the account's sender addresses.
	AccountNames []string

	nonces Nonces
}

// DirectMailMessage is one SingleSendMail the fake sent.
type DirectMailMessage struct {
	AccountName, FromAlias, ToAddress, Subject, TextBody, HtmlBody string
	AddressType, ReplyToAddress, TagName                           string
	// Query is every param as received.
	Query url.Values
	EnvID string // as answered
}

// DirectMail's API, as the fake checks it.
const (
	directMailAction  = "SingleSendMail"
	directMailVersion = "2015-11-23"
	directMailHost    = "dm.aliyuncs.com"
)

// directMailParams are the params SingleSendMail takes.
var directMailParams = []string{"AccountName", "AddressType", "ReplyToAddress", "ToAddress", "Subject", "FromAlias",
	"HtmlBody", "TextBody", "TagName", "ClickTrace", "ReplyAddress", "ReplyAddressAlias", "Headers",
	"UnSubscribeLinkType", "UnSubscribeFilterLevel"}

// NewDirectMail starts a fake DirectMail that takes requests signed with
// key; t.Cleanup stops it.
func NewDirectMail(t testing.TB, key ACS3Key) *DirectMail {
	t.Helper()
	d := &DirectMail{Key: key}
	d.start(t, "fakeprov directmail", d.check, d.ok, func(m DirectMailMessage) string { return m.ToAddress })
	return d
}

// DirectMailError is an answer of DirectMail's gateway with code and
// message, as it words every refusal: the HTTP status, and a JSON body with
// RequestId, HostId, Code, Message and Recommend.
func DirectMailError(status int, code, message string) Reply {
	b, _ := json.Marshal(map[string]string{"RequestId": caRequestID(), "HostId": directMailHost, "Code": code,
		"Message": message, "Recommend": "https://api.aliyun.com/troubleshoot?q=" + code})
	return Reply{Status: status, Header: map[string]string{"Content-Type": "application/json;charset=utf-8"}, Body: string(b)}
}

// Faults DirectMail answers, as its SingleSendMail and error pages word
// them.
var (
	// DirectMailThrottled is the gateway's flow control of the API.
	DirectMailThrottled   = DirectMailError(400, "Throttling.User", "Request was denied due to user flow control.")
	DirectMailUnavailable = DirectMailError(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.")
	// DirectMailSpam is DirectMail refusing the send: the account's state,
	// its frequency or its day's quota.
	DirectMailSpam = DirectMailError(400, "InvalidSendMail.Spam", "Sendmail rejected by spam filter.")
	// DirectMailBadRecipient is a recipient DirectMail knows to be invalid.
	DirectMailBadRecipient = DirectMailError(400, "InvalidToAddress.Spam", "Sendmail rejected by invalid address.")
)

func (d *DirectMail) check(r *http.Request, body []byte) (DirectMailMessage, Reply, error) {
	var m DirectMailMessage
	if e := ACS3Gate(r, body, d.Key, d.now(), &d.nonces, directMailVersion, directMailAction); e != nil {
		return m, DirectMailError(e.Status, e.Code, e.Message), e
	}
	m.Query, _ = url.ParseQuery(r.URL.RawQuery)
	q := m.Query.Get
	m = DirectMailMessage{AccountName: q("AccountName"), FromAlias: q("FromAlias"), ToAddress: q("ToAddress"),
		Subject: q("Subject"), TextBody: q("TextBody"), HtmlBody: q("HtmlBody"), AddressType: q("AddressType"),
		ReplyToAddress: q("ReplyToAddress"), TagName: q("TagName"), Query: m.Query}
	if status, code, msg := d.refuse(m); code != "" {
		return m, DirectMailError(status, code, msg), fmt.Errorf("%s: %s: %v", code, msg, m.Query)
	}
	return m, Reply{}, nil
}

// refuse returns the status, code and message SingleSendMail refuses m
// with, or "".
func (d *DirectMail) refuse(m DirectMailMessage) (status int, code, msg string) {
	for name := range m.Query {
		if !slices.Contains(directMailParams, name) {
			return 400, "InvalidParameter", "The parameter " + name + " is not supported by SingleSendMail."
		}
	}
	for _, p := range [][2]string{{"AccountName", m.AccountName}, {"AddressType", m.AddressType},
		{"ReplyToAddress", m.ReplyToAddress}, {"ToAddress", m.ToAddress}, {"Subject", m.Subject}} {
		if p[1] == "" {
			return 400, "Missing" + p[0], p[0] + " is mandatory for this action."
		}
	}
	addr, err := mail.ParseAddress(m.ToAddress)
	switch {
	case m.AddressType != "0" && m.AddressType != "1":
		return 400, "InvalidParameter", "The specified parameter AddressType is not valid."
	case m.ReplyToAddress != "true" && m.ReplyToAddress != "false":
		return 400, "InvalidParameter", "The specified parameter ReplyToAddress is not valid."
	case m.TextBody == "" && m.HtmlBody == "":
		return 400, "InvalidBody", "The specified textBody or htmlBody is wrongly formed."
	case utf8.RuneCountInString(m.Subject) > 100:
		return 400, "InvalidSubject.Malformed", "The specified subject is wrongly formed."
	case utf8.RuneCountInString(m.FromAlias) > 15:
		return 400, "InvalidFromAlias.Malformed", "The specified fromAlias is wrongly formed."
	case err != nil || addr.Address != m.ToAddress:
		return 400, "InvalidToAddress", "The specified toAddress is wrongly formed."
	case d.AccountNames != nil && !slices.Contains(d.AccountNames, m.AccountName):
		return 404, "InvalidMailAddress.NotFound", "The specified mailAddress does not exist."
	}
	return 0, "", ""
}

func (d *DirectMail) ok(m *DirectMailMessage, n int) Reply {
	m.EnvID = fmt.Sprintf("6000000%08d", n)
	b, _ := json.Marshal(map[string]string{"EnvId": m.EnvID, "RequestId": caRequestID()})
	return Reply{Status: http.StatusOK, Header: map[string]string{"Content-Type": "application/json;charset=utf-8"}, Body: string(b)}
}
