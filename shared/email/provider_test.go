package email

import (
	"strings"
	"testing"
)

func TestProviders(t *testing.T) {
	if p, ok := Lookup(""); !ok || p != Providers[0] {
		t.Errorf(`Lookup("") = %v, %v; want the first provider`, p, ok)
	}
	seen := map[string]bool{}
	for _, p := range Providers {
		if p.Name == "" || seen[p.Name] || p.New == nil {
			t.Errorf("provider %+v: empty or taken name, or no New", p)
		}
		seen[p.Name] = true
		if got, ok := Lookup(p.Name); !ok || got != p {
			t.Errorf("Lookup(%q) = %v, %v", p.Name, got, ok)
		}
	}
	if _, ok := Lookup("postfix"); ok {
		t.Error(`Lookup("postfix") found a provider`)
	}
}

// TestSESProvider builds SES through its declaration: idco.email.region
// wins over the function's, and errors name the provider.
func TestSESProvider(t *testing.T) {
	f, cfg, endpoint := newFakeSES(t, "ok")
	cfg.Region = "us-east-1"
	s := SESProvider.New(Settings{From: from, ConfigurationSet: "idco-mail", Region: sesRegion, Endpoint: endpoint, AWS: cfg})
	if err := s.Send(t.Context(), codeMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := f.requests(); len(got) != 1 || got[0].FromEmailAddress != from || got[0].ConfigurationSetName != "idco-mail" {
		t.Errorf("requests = %+v", got)
	}
	err := s.Send(t.Context(), Message{To: recipient})
	if err == nil || !strings.HasPrefix(err.Error(), "email: ses: "+CodeInvalidMessage) {
		t.Errorf("Send without a subject = %v, want an email: ses: InvalidMessage error", err)
	}
}
