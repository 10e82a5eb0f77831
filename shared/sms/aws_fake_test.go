package sms

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

const (
	awsKeyID  = "AKIAFAKEIDCO0000TEST"
	awsSecret = "fake/aws/secret/key/0000000000000000000"
	awsRegion = "ap-southeast-1"
)

// awsKey is what the AWS fakes take requests signed with.
var awsKey = fakeprov.AWSKey{ID: awsKeyID, Secret: awsSecret, Region: awsRegion}

// testAWSConfig points the SDK at url with static credentials.
func testAWSConfig(url string, hc *http.Client) aws.Config {
	return aws.Config{Region: "us-east-1", HTTPClient: hc, BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(awsKeyID, awsSecret, "")}
}

// End User Messaging's answers by scenario; "ok" sends.
var eumAnswers = map[string]fakeprov.Reply{
	"throttled":  fakeprov.EUMThrottling,
	"internal":   fakeprov.EUMInternalServer,
	"validation": fakeprov.EUMError(400, "ValidationException", "Invalid destination phone number +8613812345678"),
	"quota":      fakeprov.EUMError(402, "ServiceQuotaExceededException", "Monthly spend limit reached"),
	"denied":     fakeprov.EUMError(400, "AccessDeniedException", "User is not authorized"),
	"optedout":   fakeprov.EUMError(400, "ConflictException", "The destination phone number is opted out"),
	"http500":    fakeprov.HTMLPage(500, "503 Service Unavailable"),
	"badjson":    {Status: 200, Header: map[string]string{"Content-Type": "application/x-amz-json-1.0"}, Body: `{"MessageId":`},
	"slow":       fakeprov.Hang,
}

// SNS's answers by scenario; "ok" sends.
var snsAnswers = map[string]fakeprov.Reply{
	"throttled": fakeprov.SNSThrottled,
	"internal":  fakeprov.SNSInternalError,
	"invalid":   fakeprov.SNSError(400, "Sender", "InvalidParameter", "Invalid parameter: PhoneNumber Reason: +8613812345678 is not valid to publish to"),
	"auth":      fakeprov.SNSError(403, "Sender", "AuthorizationError", "User is not authorized to perform: SNS:Publish"),
	"optedout":  fakeprov.SNSError(400, "Sender", "OptedOut", "Phone number is opted out"),
	"http500":   fakeprov.HTMLPage(502, "502 Bad Gateway"),
	"badjson":   {Status: 200, Header: map[string]string{"Content-Type": "text/xml"}, Body: `<PublishResponse><PublishResult><MessageId>`},
	"slow":      fakeprov.Hang,
}

// params returns the params of each message sent.
func params(o *fakeprov.Outbox[fakeprov.AWSMessage]) []map[string]string {
	var out []map[string]string
	for _, m := range o.Sent() {
		out = append(out, m.Params)
	}
	return out
}
