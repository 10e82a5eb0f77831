package deploy

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/families"
	"github.com/idco-dev/idco/shared/families/all"
	"github.com/idco-dev/idco/shared/wiring"
)

// senderServices are AWS SDK services that deliver to people, and the IAM
// action prefix a function's grants must hold to link one.
var senderServices = map[string]string{
	"sesv2":              "ses:",
	"ses":                "ses:",
	"sns":                "sns:",
	"pinpointsmsvoicev2": "sms-voice:",
}

// senderPackages are idco's delivery clients, which call those services
// through shared/internal/awsapi, and the prefixes of which a function's
// grants must hold one to link the package.
var senderPackages = map[string][]string{
	"github.com/idco-dev/idco/shared/email": {"ses:"},
	"github.com/idco-dev/idco/shared/sms":   {"sns:", "sms-voice:"},
}

// webPackages are what only the web families (the open platform's pages)
// and wiredPackages what only the families with the named wire link: a
// package-level template or an encoder's tables cost every other
// function's cold start.
var (
	webPackages   = []string{"github.com/idco-dev/idco/shared/oidc", "html/template"}
	wiredPackages = map[string]string{"github.com/piglig/go-qr": "qrpng"}
)

// TestFunctionsLinkOnlyTheirNeeds keeps each binary to its family: no email
// or SMS client in a function without a grant to send (checked by package), no
// SDK config package anywhere (its credential chain is cold-start time), and
// no third-party API client code (shared/providers) outside the families
// with a third-party wire. Every function imports the provider
// registry, whose descriptors the domain needs for identity keys, so the
// clients are checked by the symbols of the linked binary: the linker
// keeps a client only where a wire's verifier can call it.
func TestFunctionsLinkOnlyTheirNeeds(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not on PATH")
	}
	for _, f := range functionDirs(t) {
		cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "./functions/"+f)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("go list ./functions/%s: %v\n%s", f, err, out)
			continue
		}
		grants, _ := all.Access(f)
		for _, dep := range strings.Fields(string(out)) {
			if dep == "github.com/aws/aws-sdk-go-v2/config" {
				t.Errorf("functions/%s links %s: its credential chain costs about 1 ms of init per cold start (shared/app.LoadAWS)", f, dep)
			}
			if fam := all.ByName()[f]; slices.Contains(webPackages, dep) && fam.Web == nil {
				t.Errorf("functions/%s links %s, which only a web family (the open platform) needs", f, dep)
			}
			if wire, ok := wiredPackages[dep]; ok && !slices.ContainsFunc(all.ByName()[f].Wires, func(w *wiring.Wire) bool { return w.Name == wire }) {
				t.Errorf("functions/%s links %s without the %s wire", f, dep, wire)
			}
			if prefixes, sender := senderPackages[dep]; sender &&
				!slices.ContainsFunc(prefixes, func(p string) bool { return hasActionPrefix(grants, p) }) {
				t.Errorf("functions/%s links %s but has none of the grants %v: only senders link delivery clients", f, dep, prefixes)
			}
			svc, ok := strings.CutPrefix(dep, "github.com/aws/aws-sdk-go-v2/service/")
			if !ok {
				continue
			}
			svc, _, _ = strings.Cut(svc, "/")
			if prefix, sender := senderServices[svc]; sender && !hasActionPrefix(grants, prefix) {
				t.Errorf("functions/%s links %s but has no %s* grant: only senders link delivery SDKs", f, dep, prefix)
			}
		}
	}
}

func hasActionPrefix(grants []families.Grant, prefix string) bool {
	for _, g := range grants {
		for _, a := range g.Actions {
			if strings.HasPrefix(a, prefix) {
				return true
			}
		}
	}
	return false
}

// thirdParty reports whether family has a wire that links third-party API
// clients (shared/providers: WeChat, QQ, Alipay, Apple, Aliyun...).
func thirdParty(family string) bool {
	f, ok := all.ByName()[family]
	return ok && slices.ContainsFunc(f.Wires, func(w *wiring.Wire) bool { return w.ThirdParty })
}

func TestFunctionsLinkProviderClientsOnlyWhereWired(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not on PATH")
	}
	dir := t.TempDir()
	for _, f := range functionDirs(t) {
		t.Run(f, func(t *testing.T) {
			bin := filepath.Join(dir, f)
			cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "./functions/"+f)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build ./functions/%s: %v\n%s", f, err, out)
			}
			out, err := exec.Command("go", "tool", "nm", bin).Output()
			if err != nil {
				t.Fatalf("go tool nm: %v", err)
			}
			n := strings.Count(string(out), "/shared/providers/")
			switch {
			case thirdParty(f) && n == 0:
				t.Errorf("functions/%s has a third-party wire but links no provider client: is the test still looking at the right symbols?", f)
			case !thirdParty(f) && n > 0:
				t.Errorf("functions/%s links %d symbols of shared/providers: only a family with a third-party wire may", f, n)
			}
		})
	}
}
