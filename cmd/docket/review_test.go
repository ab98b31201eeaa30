package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/statement"
)

// The demo's benchmarks, material changes, Clearinghouse entries and statements.
func TestDemoReview(t *testing.T) {
	f := newDemoFixture(t, clock.Ms(time.Now()))
	f.seed()
	lead, ortiz, co, sato := f.as("chen"), f.as("ortiz"), f.as("kim"), f.as("sato")

	// Benchmark results and the tiers they give.
	five := f.find("Frontier-5", "5.0")
	results, err := f.svc.Evidence.ListBenchmarkResults(f.ctx, lead, five.Case.ID)
	if err != nil || len(results) < 3 {
		t.Fatalf("Frontier-5 results: %d %v", len(results), err)
	}
	tiers := map[string]string{}
	for _, c := range f.list(co, app.CaseFilter{}) {
		tiers[c.Case.ModelName+" "+c.Case.ModelVersion] = c.Case.RiskTier
	}
	for model, want := range map[string]string{"Frontier-5 5.0": "critical", "Meridian Coder 2.0": "high",
		"Meridian Sage 2.0": "low", "Frontier-4.5 Turbo 4.5.2": "elevated", "Meridian Sage 2.1": "high"} {
		if tiers[model] != want {
			t.Errorf("%s is %s, want %s", model, tiers[model], want)
		}
	}
	// An imported Inspect log the demo wrote: Meridian Sage 2.1's Cybench run
	// makes a high result, two tiers above 2.0's: a capability jump.
	sage := f.find("Meridian Sage", "2.1")
	evs, err := f.svc.Evaluations.ListEvaluations(f.ctx, ortiz, sage.Case.ID)
	if err != nil || len(evs) != 1 || evs[0].Task != "inspect_evals/cybench" || evs[0].Format != "eval" || len(evs[0].Results) != 1 ||
		evs[0].Results[0].Score != 37.5 || evs[0].Results[0].Previous == nil || evs[0].Results[0].Previous.Tier != docket.TierLow {
		t.Fatalf("the demo's evaluation: %+v %v", evs, err)
	}
	if sage.Case.CapabilityJumpAt == nil {
		t.Error("Meridian Sage 2.1 holds no capability jump")
	}
	// A risk acceptance that ends within the demo's first two weeks.
	fv := f.find("Frontier-5", "5.0")
	list, _, err := f.svc.Findings.ListFindings(f.ctx, lead, fv.Case.ID, app.FindingFilter{}, app.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	accepted := 0
	for _, x := range list {
		if x.Finding.Status == docket.FindingRiskAccepted {
			accepted++
			ny, _ := time.LoadLocation("America/New_York")
			today := clock.DateOf(time.Now(), ny)
			if x.Finding.AcceptedUntil.IsZero() || !x.Finding.AcceptedUntil.After(today) || x.Finding.AcceptedUntil.After(today.AddDays(14)) {
				t.Errorf("the demo's risk acceptance ends %s", x.Finding.AcceptedUntil)
			}
		}
	}
	if accepted == 0 {
		t.Error("the demo has no risk acceptance")
	}

	// A material change still pending: no decision meanwhile.
	turbo := f.find("Frontier-4.5 Turbo", "4.5.2")
	if _, err := f.svc.Cases.Decide(f.ctx, lead, turbo.Case.ID, app.DecisionInput{Outcome: "no_concerns", Rationale: "x"}); docket.ErrorCode(err) != docket.EConflict ||
		!strings.Contains(err.Error(), "is pending") {
		t.Errorf("deciding the amended case: %v", err)
	}
	// One accepted with a new clock: the earlier clock, with its stop, is history.
	vista := f.find("Meridian Vista", "1.5")
	cl, err := f.svc.Cases.GetClock(f.ctx, ortiz, vista.Case.ID)
	if err != nil || len(cl.History) != 1 || len(cl.History[0].Stops) != 1 || len(cl.Stops) != 0 || cl.View.Band != clock.OnTrack ||
		cl.Case.Clock.StartedAt.Equal(*cl.Case.Clock.ReceivedAt) {
		t.Fatalf("the restarted clock: %+v %v", cl, err)
	}
	ams, err := f.svc.Cases.ListAmendments(f.ctx, ortiz, vista.Case.ID)
	if err != nil || len(ams) != 1 || ams[0].Status != docket.AmendmentAccepted || !ams[0].RestartClock || vista.Case.WeightsDigest != ams[0].NewDigest {
		t.Fatalf("the accepted amendment: %+v %v", ams, err)
	}

	// The Clearinghouse: another lab reads the Frontier entry; the redacted one names no lab.
	cat, err := f.svc.Clearinghouse.Clearinghouse(f.ctx, sato, "")
	if err != nil || len(cat.Entries) != 3 {
		t.Fatalf("catalog: %+v %v", cat, err)
	}
	seen := map[string]docket.ClearinghouseEntry{}
	for _, e := range cat.Entries {
		seen[e.Subject+" "+e.VendorProject] = e
	}
	if _, ok := seen["ai_system Frontier Labs"]; !ok {
		t.Errorf("Meridian does not read Frontier's entry: %+v", cat.Entries)
	}
	if e, ok := seen["ai_system withheld"]; !ok || e.Product != "withheld" {
		t.Errorf("no redacted entry: %+v", cat.Entries)
	}
	if e, ok := seen["third_party Example Networks"]; !ok || e.CVEID == "" {
		t.Errorf("no third-party entry: %+v", cat.Entries)
	}

	// Decided cases carry statements that verify with the published keys alone.
	set, err := f.svc.Evidence.JWKS(f.ctx)
	if err != nil || len(set.Keys) != 1 {
		t.Fatalf("jwks: %+v %v", set, err)
	}
	for _, m := range [][2]string{{"Frontier-4.5", "4.5.0"}, {"Meridian Sage", "2.0"}} {
		v := f.find(m[0], m[1])
		lab := f.as("carter")
		if v.Case.OrgName == demoMeridian {
			lab = sato
		}
		st, err := f.svc.Evidence.GetStatement(f.ctx, lab, v.Case.ID)
		if err != nil || st.Kind != docket.StatementDecision {
			t.Fatalf("%s statement: %v", m[0], err)
		}
		c, err := statement.Verify(st.Token, set)
		if err != nil || c.CaseNumber != v.Case.Number || c.WeightsDigest != v.Case.WeightsDigest {
			t.Fatalf("%s: %+v %v", m[0], c, err)
		}
	}
	// The lapsed case's statement comes from the sweep at start.
	lapsed := f.find("Frontier Code", "2.1")
	if _, err := f.svc.Evidence.GetStatement(f.ctx, co, lapsed.Case.ID); docket.ErrorCode(err) != docket.ENotFound {
		t.Fatalf("a lapse statement before any sweep: %v", err)
	}
	if _, err := f.svc.Delivery.HoldLease(f.ctx, "test"); err != nil {
		t.Fatal(err)
	}
	if res, err := f.svc.Delivery.Sweep(f.ctx, "test"); err != nil || res.Statements != 1 {
		t.Fatalf("sweep: %+v %v", res, err)
	}
	if st, err := f.svc.Evidence.GetStatement(f.ctx, co, lapsed.Case.ID); err != nil || st.Kind != docket.StatementLapse {
		t.Fatalf("lapse statement: %v", err)
	}
	if r, err := f.svc.AuditTrail.VerifyAudit(f.ctx); err != nil || r.Reason != "" {
		t.Fatalf("audit: %+v %v", r, err)
	}
}

// writeFile writes a test file and returns its path.
func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// `docket statement verify` and `docket keys rotate`, and what they say.
func TestStatementCommands(t *testing.T) {
	f := newDemoFixture(t, clock.Ms(time.Now()))
	f.seed()
	v := f.find("Frontier-4.5", "4.5.0")
	st, err := f.svc.Evidence.GetStatement(f.ctx, f.as("carter"), v.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := f.svc.Evidence.JWKS(f.ctx)
	raw, _ := json.Marshal(set)
	jwks := writeFile(t, "jwks.json", string(raw))
	file := writeFile(t, "statement.jws", st.Token+"\n")
	vars := map[string]string{}

	code, out := runCmd(t, vars, "", "statement", "verify", file, "--jwks", jwks)
	if code != 0 || !strings.Contains(out, "statement valid: decision, outcome mitigations_requested for "+v.Case.Number) {
		t.Fatalf("valid: %d %s", code, out)
	}
	// The flag may come first, and the API's JSON answer is read as well.
	api, _ := json.Marshal(map[string]string{"kind": st.Kind, "statement": st.Token})
	if code, out := runCmd(t, vars, "", "statement", "verify", "--jwks", jwks, writeFile(t, "statement.json", string(api))); code != 0 {
		t.Fatalf("the API's answer: %d %s", code, out)
	}
	// Over HTTP, as a contracting office would fetch it.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/jwks.json" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(raw)
	}))
	defer srv.Close()
	if code, out := runCmd(t, vars, "", "statement", "verify", file, "--jwks", srv.URL+"/.well-known/jwks.json"); code != 0 {
		t.Fatalf("over HTTP: %d %s", code, out)
	}

	parts := strings.Split(st.Token, ".")
	flip := []byte(parts[1])
	if flip[10] == 'A' {
		flip[10] = 'B'
	} else {
		flip[10] = 'A'
	}
	_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	other, _ := statement.Sign(statement.Claims{}, set.Keys[0].Kid, otherPriv)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"a changed byte", []string{file + ".x", "--jwks", jwks}, 1, "signature does not verify with key"},
		{"another key", []string{writeFile(t, "other.jws", other), "--jwks", jwks}, 1, "signature does not verify"},
		{"an unknown kid", []string{file, "--jwks", writeFile(t, "empty.json", `{"keys":[]}`)}, 1, "is not in the JWKS (it holds: none)"},
		{"not a key set", []string{file, "--jwks", writeFile(t, "bad.json", `[1,2]`)}, 1, "is not JSON: want an object with a keys array"},
		{"not a JWS", []string{writeFile(t, "junk.jws", "hello"), "--jwks", jwks}, 1, "three base64url parts"},
		{"no statement file", []string{filepath.Join(t.TempDir(), "none.jws"), "--jwks", jwks}, 1, "the statement file"},
		{"a key set URL that fails", []string{file, "--jwks", srv.URL + "/missing"}, 1, "answered 404"},
		{"no --jwks", []string{file}, 2, "give one statement FILE and --jwks"},
		{"two files", []string{file, file, "--jwks", jwks}, 2, "give one statement FILE"},
	} {
		if tc.name == "a changed byte" {
			_ = os.WriteFile(file+".x", []byte(parts[0]+"."+string(flip)+"."+parts[2]), 0o600)
		}
		code, out := runCmd(t, vars, "", append([]string{"statement", "verify"}, tc.args...)...)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("%s: exit %d, %q; want exit %d saying %q", tc.name, code, out, tc.code, tc.want)
		}
		if tc.code == 1 && !strings.HasPrefix(out, "statement invalid: ") {
			t.Errorf("%s: %q", tc.name, out)
		}
	}

	// keys rotate: a new current key; the earlier statement still verifies through the key set.
	dbVars := map[string]string{"DOCKET_DB": f.cfg.DB, "DOCKET_SECRET": f.cfg.Secret}
	code, out = runCmd(t, dbVars, "", "keys", "rotate")
	if code != 0 || !strings.Contains(out, "new statement signing key ") || !strings.Contains(out, set.Keys[0].Kid) {
		t.Fatalf("keys rotate: %d %s", code, out)
	}
	after, _ := f.svc.Evidence.JWKS(f.ctx)
	if len(after.Keys) != 2 || after.Keys[1].Kid != set.Keys[0].Kid {
		t.Fatalf("after the rotation: %+v", after)
	}
	raw, _ = json.Marshal(after)
	if code, out := runCmd(t, vars, "", "statement", "verify", file, "--jwks", writeFile(t, "after.json", string(raw))); code != 0 {
		t.Fatalf("an earlier statement after the rotation: %d %s", code, out)
	}

	// keys rotate --csaf: the CSAF provider's OpenPGP key, the earlier one kept.
	first, err := f.svc.Provider.EnsureCSAFKey(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	code, out = runCmd(t, dbVars, "", "keys", "rotate", "--csaf")
	if code != 0 || !strings.Contains(out, "new CSAF OpenPGP key ") || !strings.Contains(out, first) {
		t.Fatalf("keys rotate --csaf: %d %s", code, out)
	}
	keys, err := f.svc.Provider.CSAFKeys(f.ctx)
	if err != nil || len(keys) != 2 || keys[1].Fingerprint != first || keys[0].Fingerprint == first {
		t.Fatalf("the CSAF keys after the rotation: %+v %v", keys, err)
	}
	if kids, _ := f.svc.Evidence.JWKS(f.ctx); len(kids.Keys) != 2 {
		t.Fatalf("rotating the CSAF key changed the statement keys: %+v", kids)
	}
}

// Done means: in the demo, a lead publishes a finding that another lab reads
// in the Clearinghouse, and a lab downloads a statement that
// `docket statement verify` accepts against the served key set.
func TestDemoPublishReadAndVerifyOverHTTP(t *testing.T) {
	base, stop := serveDemo(t, map[string]string{"DOCKET_AUTH_MFA_REQUIRED_ROLES": "none"}, io.Discard)
	defer stop()
	anon := &client{t: t, base: base}
	lead := anon.signIn("margaret.chen@agency.example.gov", demoPassword)
	meridian := anon.signIn("hana.sato@meridian.example", demoPassword)
	frontier := anon.signIn("emily.carter@frontierlabs.example", demoPassword)

	// The lead shares Frontier-5's draft TLP:CLEAR finding and publishes it.
	cases := lead.must(200, "GET", "/api/v1/cases?q=Frontier-5&limit=200", nil)["items"].([]any)
	var five string
	for _, c := range cases {
		if m := c.(map[string]any); m["model_name"] == "Frontier-5" {
			five = m["id"].(string)
		}
	}
	var draft string
	for _, x := range lead.must(200, "GET", "/api/v1/cases/"+five+"/findings?status=draft", nil)["items"].([]any) {
		if m := x.(map[string]any); m["tlp"] == "TLP:CLEAR" {
			draft = m["id"].(string)
		}
	}
	lead.must(200, "POST", "/api/v1/findings/"+draft+"/share", map[string]any{})
	due := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	pub := lead.must(200, "POST", "/api/v1/findings/"+draft+"/publish", map[string]any{"subject": "ai_system",
		"vulnerability_name": "Stack traces from the evaluation endpoint", "short_description": "Malformed requests return stack traces naming internal hosts.",
		"required_action": "Return generic errors.", "due_date": due, "redact_lab": false})
	id := pub["clearinghouse_id"].(string)
	// Another lab reads it.
	feed := meridian.must(200, "GET", "/api/v1/clearinghouse?q="+id, nil)
	if feed["count"] != 1.0 || !strings.Contains(feedText(feed), "Frontier Labs") {
		t.Fatalf("Meridian's feed: %v", feed)
	}
	// The lab downloads a statement; the command checks it against the served key set.
	var decided string
	for _, c := range frontier.must(200, "GET", "/api/v1/cases?status=decided", nil)["items"].([]any) {
		decided = c.(map[string]any)["id"].(string)
	}
	st := frontier.must(200, "GET", "/api/v1/cases/"+decided+"/statement", nil)
	file := writeFile(t, "statement.jws", st["statement"].(string))
	code, out := runCmd(t, map[string]string{}, "", "statement", "verify", file, "--jwks", base+"/.well-known/jwks.json")
	if code != 0 || !strings.Contains(out, "statement valid: decision") {
		t.Fatalf("verify against the served key set: %d %s", code, out)
	}
}

func feedText(m map[string]any) string {
	b, _ := json.Marshal(m)
	return string(b)
}

// A bad benchmarks file stops start-up, naming the benchmark and the field.
func TestBadBenchmarksFileStopsStart(t *testing.T) {
	bad := writeFile(t, "benchmarks.yaml", `benchmarks:
  - id: ctf
    name: CTF
    version: "1"
    description: d
    higher_is_riskier: true
    thresholds: {elevated: 30, high: 20, critical: 40}
`)
	vars := map[string]string{"DOCKET_DB": filepath.Join(t.TempDir(), "d.db"), "DOCKET_ADDR": "127.0.0.1:0",
		"DOCKET_SECRET": strings.Repeat("b", 40), "DOCKET_AUTH_MFA_REQUIRED_ROLES": "none", "DOCKET_BENCHMARKS": bad}
	code, out := runCmd(t, vars, "", "serve")
	if code != 1 || !strings.Contains(out, `benchmark "ctf" (line 2): thresholds.high: must be above thresholds.elevated`) {
		t.Fatalf("serve with a bad benchmarks file: %d %s", code, out)
	}
	vars["DOCKET_BENCHMARKS"] = filepath.Join(t.TempDir(), "missing.yaml")
	if code, out := runCmd(t, vars, "", "serve"); code != 1 || !strings.Contains(out, "benchmarks:") {
		t.Fatalf("serve with a missing benchmarks file: %d %s", code, out)
	}
}
