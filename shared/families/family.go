// Package families declares idco's function families. Each family is one
// Family value in its own package under shared/families (listed by the
// generated shared/families/all): its name, cloud object, methods with their
// access rules (uni-id's config/permission.js), the AWS grants and memory
// its function needs, and the wires (senders, provider clients) its binary
// links. Everything else derives from these declarations: the method
// tables served by the Lambda functions, the dev server and the tests
// (app.Main, app.Mount), the names uni-id-wrong-function answers with and
// the one-URL routes (shared/cloudobj's generated names), and
// template.yaml's functions, policies, log groups, outputs and routes
// (make generate; infra/deploy's tests fail when they are stale).
package families

import (
	"maps"
	"net/http"
	"slices"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/wiring"
)

// Family declares one function family. Declare it in a package of its own,
// shared/families/<name without dashes>, as `var Family = &families.Family{...}`:
// `make generate` finds it there and lists it in shared/families/all.
// Keep it a plain composite literal of constants, literals and addresses
// (wires are pointers for that): the compiler then lays it out statically,
// so a function's binary links only its own family's methods and wires.
type Family struct {
	// Name is the function's: functions/<Name>/main.go, the Lambda
	// "<stack>-<Name>", the dev server's /<Name> route.
	Name string
	// Object is the cloud object whose methods the family serves;
	// "" means uni-id-co.
	Object string
	// Argon2 marks a family that hashes or verifies passwords with
	// argon2id: its function gets ArgonMemoryMB, hence more CPU, and a
	// reserved-concurrency parameter in template.yaml.
	Argon2 bool
	// Timeout, when set, is its function's timeout in seconds in place of
	// the template's 10: a method that waits (pollQrLogin's long poll)
	// needs more. API Gateway's 30 s integration limit bounds it.
	Timeout int
	// Grants are the AWS actions its function needs besides the config
	// (ConfigGrants are every function's).
	Grants []Grant
	// Wires add the adapters its methods use (senders, provider clients).
	Wires []*wiring.Wire
	// Methods builds the method table from a service; nil for a web
	// family.
	Methods func(s *account.Service) cloudobj.Table
	// Web, set for a family served as plain HTTP rather than as a cloud
	// object (the open platform's endpoints and pages), builds its handler
	// from the service; dispatch makes a dispatcher of methods the handler
	// runs itself (the hosted pages' logins). Routes are what it serves
	// ("GET /oauth2/authorize"), for template.yaml and the dev server.
	Web    func(s *account.Service, dispatch func(cloudobj.Table) *cloudobj.Dispatcher) http.Handler
	Routes []string
}

// ArgonMemoryMB is the memory of a function that runs argon2id (19 MiB,
// t=2, about 30 ms of one full vCPU): 1024 MB gives 0.58 vCPU. CPU-bound
// time costs about the same at any size, so the larger size mostly buys
// latency. Other functions get the template's default, 256 MB.
const ArgonMemoryMB = 1024

// CloudObject is the cloud object the family's methods belong to.
func (f *Family) CloudObject() string {
	if f.Object == "" {
		return cloudobj.UniIDCo
	}
	return f.Object
}

// Access is every grant of the family's function: its own, then the
// config's.
func (f *Family) Access() []Grant {
	return append(slices.Clone(f.Grants), ConfigGrants...)
}

// MethodNames lists the family's methods, sorted.
func (f *Family) MethodNames() []string {
	if f.Methods == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(f.Methods(&account.Service{})))
}

// Object merges the tables of every family of one cloud object, for the
// one-URL route that serves any of its methods at /<object>/<method>.
func Object(object string, fams []*Family, s *account.Service) cloudobj.Table {
	all := cloudobj.Table{}
	for _, f := range fams {
		if f.CloudObject() == object && f.Methods != nil {
			maps.Copy(all, f.Methods(s))
		}
	}
	return all
}
