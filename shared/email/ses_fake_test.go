package email

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/idco-dev/idco/shared/testenv/fakeprov"
)

const (
	awsKeyID  = "AKIAFAKEIDCO0000TEST"
	awsSecret = "fake/aws/secret/key/0000000000000000000"
	sesRegion = "eu-west-1"
)

type content = fakeprov.SESContent

// sesFaults are the scenarios' answers; "ok" sends.
var sesFaults = map[string]fakeprov.SESFault{
	"toomany":     fakeprov.SESTooManyRequests,
	"limit":       fakeprov.SESMaxSendRate,
	"throttling":  fakeprov.SESThrottling,
	"internal":    fakeprov.SESInternalFailure,
	"rejected":    fakeprov.SESError(400, "MessageRejected", "Email address is not verified. The following identities failed the check in region EU-WEST-1: user@example.com"),
	"mailfrom":    fakeprov.SESError(400, "MailFromDomainNotVerifiedException", "MAIL FROM domain is not verified."),
	"suspended":   fakeprov.SESError(400, "AccountSuspendedException", "Your account is suspended."),
	"paused":      fakeprov.SESErrorInBody(400, "SendingPausedException", "Sending is paused for this account."),
	"notfound":    fakeprov.SESError(404, "NotFoundException", "Configuration set <idco-mail> does not exist."),
	"badrequest":  fakeprov.SESError(400, "BadRequestException", "Missing final '@domain'"),
	"unavailable": fakeprov.SESUnavailable,
	"badjson":     fakeprov.SESTruncated,
	"slow":        fakeprov.SESHang,
}

// fakeSES is fakeprov's SES, answering every request as scenario says.
type fakeSES struct {
	*fakeprov.SES
	hits sesCalls
}

// sesCalls counts the requests the fake received.
type sesCalls struct{ s *fakeprov.SES }

func (c sesCalls) Load() int32 { return int32(c.s.Calls()) }

// newFakeSES starts a fake and returns it, an AWS config for it and its URL,
// which NewSES takes as its endpoint.
func newFakeSES(t *testing.T, scenario string) (*fakeSES, aws.Config, string) {
	t.Helper()
	s := fakeprov.NewSES(t, fakeprov.AWSKey{ID: awsKeyID, Secret: awsSecret, Region: sesRegion})
	s.Delay = 2 * time.Second
	if scenario != "ok" {
		fault, ok := sesFaults[scenario]
		if !ok {
			t.Fatalf("fake ses: unknown scenario %q", scenario)
		}
		s.Fail(fault, -1)
	}
	return &fakeSES{s, sesCalls{s}}, aws.Config{Region: sesRegion, HTTPClient: s.Client(),
		Credentials: credentials.NewStaticCredentialsProvider(awsKeyID, awsSecret, "")}, s.URL
}

func (f *fakeSES) requests() []fakeprov.SESMessage { return f.Sent() }
