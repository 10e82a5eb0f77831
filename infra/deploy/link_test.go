package deploy

import (
	"os/exec"
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

// TestFunctionsLinkOnlyTheirNeeds keeps each binary to its family: no
// third-party login clients outside the families that use them, and no
// email or SMS SDK in a function without a grant to send.
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
			if strings.Contains(dep, "/shared/providers") && !thirdParty(f) {
				t.Errorf("functions/%s links %s: only a family with a third-party wire may", f, dep)
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
