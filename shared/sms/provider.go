package sms

import (
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idco-dev/idco/shared/internal/problems"
)

// Providers are the SMS providers idco sends through, in the order
// messages list them. Each is declared once, in its client's file
// (aliyun.go, tencent.go, aws.go); adding one means its file and its line
// here.
var Providers = []*Provider{AliyunProvider, TencentProvider, EUMProvider, SNSProvider}

// Provider is what idco knows of one SMS provider: its name, its config
// block, whether it sends templates and whether it is an AWS API. Config
// decoding, Validate, New and the SMS sender (shared/senders/smssender)
// read it, so no code outside this file picks a provider by its name.
type Provider struct {
	// Name is the value of idco.sms.provider, such as "aliyun".
	Name string
	// Block is the key of the provider's own block in idco.sms, such as
	// "awsEum".
	Block string
	// Optional means the block may be left out: its zero value holds
	// every default. Otherwise the provider needs it.
	Optional bool
	// Templates means the provider sends a template the operator
	// registered with it, one per SMS scene
	// (service.sms.scene.<scene>.templateId), filled with Message.Params.
	// Otherwise it sends Message.Text.
	Templates bool
	// AWS means an AWS API called with the function's role
	// (shared/internal/awsapi): New needs an aws.Config, and the function
	// a grant.
	AWS bool

	newBlock func() Block
	owns     func(Block) bool
}

// Block is a provider's own config block: *AliyunConfig, *TencentConfig,
// *EUMConfig or *SNSConfig.
type Block interface {
	// check adds the block's problems, each at its key in the block.
	check(p *problems.List)
	// sender builds the provider's Sender. awsCfg is set when the
	// provider is AWS.
	sender(httpClient *http.Client, awsCfg *aws.Config) Sender
}

// declare completes p, whose block is a *C.
func declare[C any, B interface {
	*C
	Block
}](p Provider) *Provider {
	p.newBlock = func() Block { return B(new(C)) }
	p.owns = func(b Block) bool { _, ok := b.(B); return ok }
	return &p
}

// Lookup returns the provider named name.
func Lookup(name string) (*Provider, bool) {
	i := slices.IndexFunc(Providers, func(p *Provider) bool { return p.Name == name })
	if i < 0 {
		return nil, false
	}
	return Providers[i], true
}

// block returns c's block for p: its own, or, when the block is optional
// and left out, the zero one. It is nil when a required block is missing.
func (p *Provider) block(c Config) Block {
	switch {
	case c.Block != nil && p.owns(c.Block):
		return c.Block
	case p.Optional:
		return p.newBlock()
	}
	return nil
}

// providerNames lists the names for messages: "a, b, c or d".
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
