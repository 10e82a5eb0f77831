package email

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Providers are the email providers idco sends through; the first serves
// a config that names none. Each is declared once, in its own file; adding
// one means its file and its line here.
var Providers = []*Provider{SESProvider}

// Provider is what idco knows of one email provider: its name, whether it
// is an AWS API, and how to build its Sender. The email sender
// (shared/senders/emailsender) builds senders through it, so no code picks
// a provider by its name.
type Provider struct {
	// Name names the provider in errors and in Lookup.
	Name string
	// AWS means an AWS API called with the function's role
	// (shared/internal/awsapi): New gets the function's aws.Config, and
	// the function needs a grant.
	AWS bool
	// New builds the provider's Sender.
	New func(s Settings) Sender
}

// Settings are what a Sender is built from: idco.email's keys and the
// function's runtime.
type Settings struct {
	From             string // the sender address, e.g. "App <no-reply@example.com>"
	ConfigurationSet string // optional
	Region           string // the provider's region, default the function's
	// Endpoint, when set, replaces the provider's (a local fake, a VPC
	// endpoint).
	Endpoint string
	// AWS is the function's AWS config, set for an AWS provider.
	AWS aws.Config
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
