package email

import (
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idco-dev/idco/shared/internal/problems"
)

// Providers are the email providers idco sends through; the first serves
// a config that names none. Each is declared once, in its own file; adding
// one means its file, its line here and, when it has a block of its own,
// that block's key in config.EmailConfig (a test checks it is there).
var Providers = []*Provider{SESProvider, DirectMailProvider}

// Provider is what idco knows of one email provider: its name, its config
// block, whether it is an AWS API, the variable that points it elsewhere,
// and how to build its Sender. Config decoding, Validate and the email
// sender (shared/senders/emailsender) read it, so no code outside this
// file picks a provider by its name.
type Provider struct {
	// Name is the value of idco.email.provider, such as "ses".
	Name string
	// Block is the key of the provider's own block in idco.email, such as
	// "aliyun"; empty when idco.email's shared keys are all it reads.
	Block string
	// AWS means an AWS API called with the function's role
	// (shared/internal/awsapi): New gets the function's aws.Config, and
	// the function needs a grant.
	AWS bool
	// EnvEndpoint names the environment variable that, when set, replaces
	// the provider's endpoint (a local fake, a VPC endpoint).
	EnvEndpoint string
	// New builds the provider's Sender from valid settings.
	New func(s Settings) Sender

	newBlock func() Block // nil when Block is empty
}

// Block is a provider's own config block, such as *DirectMailConfig.
type Block interface {
	// check adds the problems of the block, and of c's shared keys as the
	// provider reads them, each at its key in idco.email.
	check(c Config, p *problems.List)
}

// Settings are what a Sender is built from: idco.email's keys and the
// function's runtime.
type Settings struct {
	From             string // the sender address, e.g. "App <no-reply@example.com>"
	ConfigurationSet string // SES only; optional
	Region           string // SES only: its region, default the function's
	// Block is the provider's own block, nil for a provider without one.
	Block Block
	// Endpoint, when set, replaces the provider's (a local fake, a VPC
	// endpoint).
	Endpoint string
	// AWS is the function's AWS config, set for an AWS provider.
	AWS aws.Config
	// HTTP is the client of the providers called over HTTPS with their
	// own keys; nil means http.DefaultClient.
	HTTP *http.Client
}

// Lookup returns the provider named name; "" is Providers[0].
func Lookup(name string) (*Provider, bool) {
	if name == "" {
		return Providers[0], true
	}
	i := slices.IndexFunc(Providers, func(p *Provider) bool { return p.Name == name })
	if i < 0 {
		return nil, false
	}
	return Providers[i], true
}

// providerNames lists the names for messages: "a or b".
func providerNames() string {
	names := make([]string, len(Providers))
	for i, p := range Providers {
		names[i] = p.Name
	}
	last := len(names) - 1
	if last < 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:last], ", ") + " or " + names[last]
}
