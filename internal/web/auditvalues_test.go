package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// TestAuditValuesCannotBeReversedByGuessing: a compliance officer reading a
// case's audit trail cannot recover a benchmark score or an ATLAS technique
// by hashing guesses: every score from 0 to 100 (as integers and with one
// decimal) and every ATLAS id used is hashed with plain SHA-256 and none is
// found; the values are there as HMAC-SHA256 under the deployment's audit key.
func TestAuditValuesCannotBeReversedByGuessing(t *testing.T) {
	w := newWorld(t)
	id := w.caseIn("in_review").caseID
	path := "/api/v1/cases/" + id
	scores := []float64{0, 7, 40, 63.5, 100}
	for i, score := range scores {
		bench := []string{"ctf-professional", "exploit-speed"}[i%2]
		want(t, w.as("rev", "POST", path+"/benchmark-results", resultBody(bench, score)), 201)
	}
	atlas := "AML.T0051.000" // findingBody's technique
	w.finding(id, "rev", "shared", findingBody("high", "TLP:AMBER"))

	r := w.as("co", "GET", path+"/audit?limit=200", nil)
	want(t, r, 200)
	trail := r.Body
	var guesses []string
	for n := 0; n <= 100; n++ {
		guesses = append(guesses, strconv.Itoa(n))
		for d := 1; d <= 9; d++ {
			guesses = append(guesses, fmt.Sprintf("%d.%d", n, d))
		}
	}
	guesses = append(guesses, atlas, "AML.T0051")
	for _, g := range guesses {
		sum := sha256.Sum256([]byte(g))
		if strings.Contains(trail, hex.EncodeToString(sum[:])) {
			t.Fatalf("the audit trail holds the plain SHA-256 of %q: recovered by guessing", g)
		}
	}
	// The values are there, keyed: whoever holds the secret can check them.
	key, err := app.AuditKey([]byte(w.cfg.Secret))
	if err != nil {
		t.Fatal(err)
	}
	keyed := map[string]bool{} // "field=value" found under its event's subject
	for _, it := range r.JSON()["items"].([]any) {
		ev := it.(map[string]any)
		subject := docket.AuditSubject(ev["subject_type"].(string), ev["subject_id"].(string))
		changes, _ := json.Marshal(ev["changes"])
		for _, fv := range [][2]string{{"score", "63.5"}, {"score", "100"}, {"atlas_technique", atlas}} {
			if strings.Contains(string(changes), docket.AuditValueHash(key, subject, fv[0], fv[1])) {
				keyed[fv[0]+"="+fv[1]] = true
			}
		}
	}
	for _, want := range []string{"score=63.5", "score=100", "atlas_technique=" + atlas} {
		if !keyed[want] {
			t.Errorf("no keyed hash of %s in the trail", want)
		}
	}
	if !strings.Contains(trail, `"hmac_sha256"`) {
		t.Fatalf("no keyed value in the trail: %s", trail)
	}
	t.Logf("%d guesses hashed against the trail: none found", len(guesses))
}

// TestAuditVerifyTakesPlainAndKeyedHashes: events written before keyed
// hashes hold {"sha256": …}; a trail mixing them with keyed events verifies,
// and both kinds are served to those who read the trail.
func TestAuditVerifyTakesPlainAndKeyedHashes(t *testing.T) {
	w := newWorld(t)
	id := w.caseIn("in_review").caseID
	sum := sha256.Sum256([]byte("an answer from before"))
	legacy := fmt.Sprintf(`{"answer":{"sha256":%q}}`, hex.EncodeToString(sum[:]))
	err := w.store.Write(context.Background(), func(tx app.Tx) error {
		return tx.Audit().AppendAudit(&docket.AuditEvent{ID: "legacy-event", At: w.clock.Now(), ActorRole: "lab_member",
			Action: "info_request.answered", SubjectType: "info_request", SubjectID: "r1", CaseID: id, Changes: legacy})
	})
	if err != nil {
		t.Fatal(err)
	}
	want(t, w.as("rev", "POST", "/api/v1/cases/"+id+"/benchmark-results", resultBody("ctf-professional", 55)), 201)
	report, err := w.svc.AuditTrail.VerifyAudit(context.Background())
	if err != nil || report.Reason != "" {
		t.Fatalf("a trail with plain and keyed hashes: %v %+v", err, report)
	}
	trail := w.as("co", "GET", "/api/v1/cases/"+id+"/audit?limit=200", nil).Body
	if !strings.Contains(trail, `"sha256"`) || !strings.Contains(trail, `"hmac_sha256"`) {
		t.Fatalf("want both kinds in the trail: %s", trail)
	}
	t.Logf("%d events, plain and keyed, verify", report.Count)
}
