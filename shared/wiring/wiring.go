// Package wiring names the adapters a function family links: a Wire adds
// provider clients or senders to a service at cold start. It sits below the
// families and the adapters, so a family's declaration can name its wires
// and each adapter can declare its own.
package wiring

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idco-dev/idco/shared/account"
)

// Runtime is what a wire may read: the environment and the AWS config
// (loaded on first use).
type Runtime struct {
	Getenv func(string) string
	AWS    func() (aws.Config, error)
}

// Wire adds adapters to a service. A family lists its wires, so its binary
// links only the clients it uses.
type Wire struct {
	// Name tells wires apart: the dev server applies each once.
	Name string
	// Delivery marks a sender (SMS, email): the dev server and the tests
	// deliver to their outbox instead.
	Delivery bool
	// ThirdParty marks a wire that links third-party API clients
	// (shared/providers): infra/deploy's link test lets only families with
	// such a wire link them.
	ThirdParty bool
	// Apply adds the adapters to svc.
	Apply func(ctx context.Context, svc *account.Service, rt Runtime) error
}
