package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/docket"
)

// TestRepeatsComeInTheDigest: an escalation's first message goes on its
// own, to a lab member who chose no e-mail too (a lapse cannot be turned
// off); its repeat the next day is no message of its own but a line of the
// recipient's daily digest, which names what it carries, by rule with its
// cases, and links to the dashboard at the deployment's address.
func TestRepeatsComeInTheDigest(t *testing.T) {
	m := &mailbox{}
	startMailbox(t, m, "127.0.0.1:0")
	e := newEnv(t, smtpConfig(m))
	_, err := e.svc.Accounts.SetEmailDelivery(ctx, e.a["lab"], docket.EmailNone)
	e.must(err)
	e.submit(received, "Atlas")
	chs := e.channels()
	run := func(at time.Time) map[string][]parsed {
		t.Helper()
		before := len(m.received())
		e.clock.Set(at)
		e.sweep(e.svc)
		_, err := e.svc.Delivery.Deliver(ctx, chs)
		e.must(err)
		out := map[string][]parsed{}
		for _, g := range m.received()[before:] {
			out[g.To[0]] = append(out[g.To[0]], parse(t, g.Data))
		}
		return out
	}
	lapse := time.Date(2026, 7, 3, 4, 0, 0, 0, time.UTC)
	got := run(lapse)
	words := docket.RuleWords(docket.RuleCaseLapsed, "lapsed")
	for _, who := range []string{"lead", "co", "lab", "lab2"} {
		// The compliance officer's comes with yesterday's digest.
		if len(got[e.email[who]]) != 1 || !strings.Contains(got[e.email[who]][0].Text, "DKT-2026-0001: Escalation: "+words) {
			t.Fatalf("%s's lapse: %+v", who, got[e.email[who]])
		}
	}
	if len(got[e.email["rev"]]) != 0 {
		t.Fatal("the reviewer was told of the lapse")
	}
	// The compliance officer's daily digest carries nothing: the lapse's
	// first message went on its own.
	got = run(time.Date(2026, 7, 3, 12, 0, 0, 0, time.UTC))
	if len(got) != 1 || len(got[e.email["co"]]) != 1 || got[e.email["co"]][0].Subject != "[Docket] Daily digest: nothing held back since the last one" {
		t.Fatalf("at the digest's hour: %v", got)
	}
	// The repeat waits: nothing is mailed at it.
	if got := run(lapse.Add(24 * time.Hour)); len(got) != 0 {
		t.Fatalf("the repeat was mailed: %v", got)
	}
	got = run(time.Date(2026, 7, 4, 12, 0, 0, 0, time.UTC)) // 08:00 EDT
	for _, who := range []string{"lead", "co"} {
		msgs := got[e.email[who]]
		if len(msgs) != 1 {
			t.Fatalf("%s got %d messages at the digest's hour", who, len(msgs))
		}
		p := msgs[0]
		if p.Subject != "[Docket] Daily digest: 1 notification about 1 case" {
			t.Errorf("%s's digest: %q", who, p.Subject)
		}
		for _, want := range []string{words + ": 1 (DKT-2026-0001)", "https://docket.agency.example.gov/dashboard",
			"their repeats come in your daily digest", "https://docket.agency.example.gov/account"} {
			if !strings.Contains(p.Text, want) {
				t.Errorf("%s's digest lacks %q:\n%s", who, want, p.Text)
			}
		}
		if !strings.Contains(p.HTML, `href="https://docket.agency.example.gov/dashboard"`) || !strings.Contains(p.HTML, "DKT-2026-0001") {
			t.Errorf("%s's digest HTML:\n%s", who, p.HTML)
		}
		if strings.Contains(p.Text+p.HTML, "Atlas") {
			t.Errorf("%s's digest carries the case's content", who)
		}
	}
	for _, who := range []string{"lab", "lab2", "rev"} {
		if len(got[e.email[who]]) != 0 {
			t.Errorf("%s got a digest with nothing held for it", who)
		}
	}
	// Sent once: later runs at the same instant add nothing.
	if got := run(time.Date(2026, 7, 4, 12, 5, 0, 0, time.UTC)); len(got) != 0 {
		t.Fatalf("sent again: %v", got)
	}
}
