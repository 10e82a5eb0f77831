package email

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/idco-dev/idco/shared/internal/acs3"
	"github.com/idco-dev/idco/shared/internal/httpcall"
	"github.com/idco-dev/idco/shared/internal/problems"
)

// Aliyun DirectMail (邮件推送) SingleSendMail, API version 2015-11-23, as
// documented on "SingleSendMail - 发送单封邮件"
// (https://help.aliyun.com/zh/direct-mail/api-dm-2015-11-23-singlesendmail):
// an RPC-style call whose params (AccountName, AddressType, ReplyToAddress,
// ToAddress, Subject, HtmlBody, TextBody, FromAlias, TagName) travel in the
// query of a POST, as the official SDK sends them, answered 200
// {"EnvId":"...","RequestId":"..."}; a refusal is HTTP 4xx or 5xx with
// {"Code","Message","RequestId","HostId","Recommend"}.
//
// The request is signed with Alibaba Cloud's signature V3
// (ACS3-HMAC-SHA256, shared/internal/acs3), the SMS client's signer: the
// gateway accepts it for every API of the OpenAPI portal, DirectMail's
// included, in place of the older V2 (HMAC-SHA1 over a Signature param),
// so idco has one Aliyun signer. The client is hand-written because the
// official SDK pulls in the darabonba tree (67 modules) for one call.
const (
	directMailProvider = "aliyun"
	directMailBlock    = "aliyun"
	directMailAction   = "SingleSendMail"
	directMailVersion  = "2015-11-23"
	// DefaultDirectMailEndpoint is DirectMail's endpoint in China
	// (Hangzhou), regionId cn-hangzhou.
	DefaultDirectMailEndpoint = "dm.aliyuncs.com"
	// EnvDirectMailEndpoint replaces DirectMail's endpoint (tests, a
	// proxy).
	EnvDirectMailEndpoint = "IDCO_DIRECTMAIL_ENDPOINT"
)

// DirectMail's limits, as SingleSendMail's page states them: a subject of
// at most 100 characters, a sender alias of at most 15, and 80 KB for each
// body.
const (
	directMailMaxSubject = 100
	directMailMaxAlias   = 15
	directMailMaxBody    = 80 << 10
)

// directMailRegions maps the regions DirectMail serves to their endpoints;
// another region needs idco.email.aliyun.endpoint.
var directMailRegions = map[string]string{
	"":               DefaultDirectMailEndpoint,
	"cn-hangzhou":    DefaultDirectMailEndpoint,
	"ap-southeast-1": "dm.ap-southeast-1.aliyuncs.com",
	"us-east-1":      "dm.us-east-1.aliyuncs.com",
	"eu-central-1":   "dm.eu-central-1.aliyuncs.com",
}

// DirectMailProvider declares Aliyun DirectMail: idco.email.provider
// "aliyun", its block idco.email.aliyun, called over HTTPS with the
// block's AccessKey (no IAM grant). The sender address and name are
// idco.email.from's.
var DirectMailProvider = &Provider{Name: directMailProvider, Block: directMailBlock, EnvEndpoint: EnvDirectMailEndpoint,
	New: func(s Settings) Sender {
		c, _ := s.Block.(*DirectMailConfig)
		if c == nil {
			c = &DirectMailConfig{}
		}
		return NewDirectMail(*c, s.From, s.Endpoint, s.HTTP)
	},
	newBlock: func() Block { return new(DirectMailConfig) },
}

// DirectMailConfig is idco.email.aliyun.
type DirectMailConfig struct {
	// AccessKeyID and AccessKeySecret are a RAM user's AccessKey allowed
	// dm:SingleSendMail.
	AccessKeyID     string `json:"accessKeyId"`
	AccessKeySecret string `json:"accessKeySecret"`
	// RegionID picks the endpoint: cn-hangzhou (default), ap-southeast-1,
	// us-east-1 or eu-central-1. Signatures V3 do not include it.
	RegionID string `json:"regionId"`
	// Endpoint, a host (https is used) or a base URL, replaces the one
	// RegionID picks.
	Endpoint string `json:"endpoint"`
	// ReplyToAddress makes replies go to the reply-to address verified in
	// the DirectMail console for the sender address.
	ReplyToAddress bool `json:"replyToAddress"`
	// TagName, optional, is a tag made in the console, under which the
	// console counts the emails.
	TagName string `json:"tagName"`
}

func (c *DirectMailConfig) check(cfg Config, p *problems.List) {
	at := directMailBlock + "."
	p.Required(at+"accessKeyId", c.AccessKeyID)
	p.Required(at+"accessKeySecret", c.AccessKeySecret)
	if _, ok := directMailRegions[c.RegionID]; !ok {
		p.Add(at+"regionId", "must be one of cn-hangzhou, ap-southeast-1, us-east-1, eu-central-1 (or set endpoint)")
	}
	p.Endpoint(at+"endpoint", c.Endpoint)
	addr, err := mail.ParseAddress(cfg.From)
	switch {
	case err != nil:
		p.Add("from", `want a DirectMail sender address, such as "MyApp <no-reply@mail.example.com>"`)
	case utf8.RuneCountInString(addr.Name) > directMailMaxAlias:
		p.Add("from", fmt.Sprintf("DirectMail shows a sender name of at most %d characters", directMailMaxAlias))
	}
	if cfg.ConfigurationSet != "" {
		p.Add("configurationSet", "used by provider ses only")
	}
	if cfg.Region != "" {
		p.Add("region", "used by provider ses only (DirectMail's is aliyun.regionId)")
	}
}

// DirectMail sends through Aliyun DirectMail's SingleSendMail. It is safe
// for concurrent use.
type DirectMail struct {
	HTTP    *http.Client     // nil means http.DefaultClient
	Timeout time.Duration    // per Send; zero means DefaultTimeout
	Now     func() time.Time // nil means time.Now
	Rand    io.Reader        // signature nonces; nil means crypto/rand
	Key     acs3.Key
	// AccountName is the sender address made in the DirectMail console
	// (stored there in lower case); FromAlias the name recipients see.
	AccountName, FromAlias string
	ReplyToAddress         bool
	TagName                string
	Endpoint               string // a host or base URL; empty means DefaultDirectMailEndpoint
}

// NewDirectMail returns a DirectMail sender for c, sending as from ("Name
// <address>" or an address). endpoint, when set, replaces c's and the
// region's; httpClient nil means http.DefaultClient.
func NewDirectMail(c DirectMailConfig, from, endpoint string, httpClient *http.Client) *DirectMail {
	d := &DirectMail{HTTP: httpClient, Key: acs3.Key{ID: c.AccessKeyID, Secret: c.AccessKeySecret},
		ReplyToAddress: c.ReplyToAddress, TagName: c.TagName, Endpoint: directMailRegions[c.RegionID]}
	if addr, err := mail.ParseAddress(from); err == nil {
		d.AccountName, d.FromAlias = strings.ToLower(addr.Address), addr.Name
	}
	for _, ep := range []string{c.Endpoint, endpoint} {
		if ep != "" {
			d.Endpoint = ep
		}
	}
	return d
}

// directMailAnswer is SingleSendMail's answer and the gateway's error
// answer.
type directMailAnswer struct {
	EnvID     string `json:"EnvId"`
	RequestID string `json:"RequestId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
}

// maxAnswer caps what is read of an answer: DirectMail's are a few hundred
// bytes, so more means something else answered.
const maxAnswer = 64 << 10

// Send sends m to m.To.
func (d *DirectMail) Send(ctx context.Context, m Message) error {
	if err := d.refuse(m); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(d.Timeout, DefaultTimeout))
	defer cancel()
	req, err := d.newRequest(ctx, m)
	if err != nil {
		return err
	}
	a, err := httpcall.Do(d.HTTP, req, maxAnswer)
	if err != nil {
		return &Error{Provider: directMailProvider, Code: CodeTransport, Retryable: httpcall.IsRetryable(err), Cause: err}
	}
	var ans directMailAnswer
	switch {
	case a.Truncated || json.Unmarshal(a.Body, &ans) != nil || ans.Code == "" && ans.EnvID == "":
		// A proxy or an error page answered; its body may echo the
		// request, so it is not quoted.
		return &Error{Provider: directMailProvider, Code: CodeTransport,
			Retryable: a.Status == http.StatusOK || httpcall.RetryableStatus(a.Status),
			Message:   fmt.Sprintf("HTTP %d answer is not DirectMail's JSON", a.Status)}
	case ans.Code == "" && a.Status == http.StatusOK:
		return nil
	}
	// The recipient is masked, as the account's logs mask addresses.
	msg := httpcall.Mask(ans.Message, m.To)
	if ans.RequestID != "" {
		msg += " (RequestId " + ans.RequestID + ")"
	}
	return &Error{Provider: directMailProvider, Code: ans.Code, Message: msg,
		Retryable: a.Status >= 500 || directMailRetryable(ans.Code)}
}

// refuse checks m against SingleSendMail's limits before any call: one
// recipient (ToAddress is a comma-separated list), a subject and a text.
func (d *DirectMail) refuse(m Message) error {
	bad := func(msg string) error {
		return &Error{Provider: directMailProvider, Code: CodeInvalidMessage, Message: msg}
	}
	switch {
	case d.AccountName == "":
		return bad("idco.email.from is not an address")
	case m.To == "" || strings.ContainsAny(m.To, ",;\r\n"):
		return bad("no single recipient")
	case m.Subject == "" || m.Text == "":
		return bad("subject or text is empty")
	case utf8.RuneCountInString(m.Subject) > directMailMaxSubject:
		return bad(fmt.Sprintf("subject exceeds %d characters", directMailMaxSubject))
	case len(m.Text) > directMailMaxBody || len(m.HTML) > directMailMaxBody:
		return bad(fmt.Sprintf("body exceeds %d bytes", directMailMaxBody))
	}
	return nil
}

// newRequest builds the signed POST: the params in the query, the body
// empty. AddressType 1 sends from AccountName itself (0 would pick a
// random address of the domain).
func (d *DirectMail) newRequest(ctx context.Context, m Message) (*http.Request, error) {
	base, err := httpcall.BaseURL(d.Endpoint, DefaultDirectMailEndpoint)
	if err != nil {
		return nil, &Error{Provider: directMailProvider, Code: CodeInvalidMessage, Message: "endpoint " + err.Error()}
	}
	params := [][2]string{{"AccountName", d.AccountName}, {"AddressType", "1"},
		{"ReplyToAddress", fmt.Sprint(d.ReplyToAddress)}, {"ToAddress", m.To}, {"Subject", m.Subject},
		{"TextBody", m.Text}}
	for _, p := range [][2]string{{"HtmlBody", m.HTML}, {"FromAlias", d.FromAlias}, {"TagName", d.TagName}} {
		if p[1] != "" {
			params = append(params, p)
		}
	}
	nonce, err := acs3.Nonce(d.Rand)
	if err != nil {
		return nil, &Error{Provider: directMailProvider, Code: CodeTransport, Retryable: true, Cause: err}
	}
	req, err := acs3.NewRequest(ctx, base, d.Key, acs3.RPC{Action: directMailAction, Version: directMailVersion, Params: params},
		httpcall.Now(d.Now), nonce)
	if err != nil {
		return nil, &Error{Provider: directMailProvider, Code: CodeInvalidMessage, Message: "building the request"}
	}
	return req, nil
}

// directMailRetryable reports the codes that mean "busy, try later": the
// gateway's Throttling* flow control, ServiceUnavailable and InternalError.
// DirectMail's own refusals (InvalidSendMail.Spam, the sender's state, the
// day's quota) fail again within minutes.
func directMailRetryable(code string) bool {
	switch code {
	case "ServiceUnavailable", "InternalError":
		return true
	}
	return strings.HasPrefix(code, "Throttling")
}
