package docket_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/docket/docket/internal/docket"
)

var testAuditKey = []byte(strings.Repeat("k", 32))

// auditJSON renders changes as the audit trail writes them, under the test key.
func auditJSON(t *testing.T, ch docket.Changes) string {
	t.Helper()
	js, err := ch.JSON(testAuditKey, "finding/f1")
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// TestAuditValuesAreKeyed: a confidential value is written as its
// HMAC-SHA256 under the audit key, never as the value or its plain SHA-256,
// and the same value under another key hashes otherwise; without a key
// nothing is written.
func TestAuditValuesAreKeyed(t *testing.T) {
	ch := docket.Changes{"severity": "high"}.Secret("score", "73")
	js := auditJSON(t, ch)
	var got map[string]any
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatal(err)
	}
	plain := sha256.Sum256([]byte("73"))
	if strings.Contains(js, `"73"`) || strings.Contains(js, hex.EncodeToString(plain[:])) || strings.Contains(js, `"sha256"`) {
		t.Fatalf("the value or its plain hash is in %s", js)
	}
	score, _ := got["score"].(map[string]any)
	if score["hmac_sha256"] != docket.AuditValueHash(testAuditKey, "finding/f1", "score", "73") || got["severity"] != "high" {
		t.Fatalf("changes %s", js)
	}
	other, _ := ch.JSON([]byte(strings.Repeat("o", 32)), "finding/f1")
	if other == js {
		t.Fatal("two keys give the same hash")
	}
	// The same value of another subject, or in another field, hashes otherwise:
	// equal values cannot be linked across the trail.
	if elsewhere, _ := ch.JSON(testAuditKey, "finding/f2"); elsewhere == js {
		t.Fatal("two subjects' equal values hash alike")
	}
	if docket.AuditValueHash(testAuditKey, "finding/f1", "notes", "73") == score["hmac_sha256"] {
		t.Fatal("two fields' equal values hash alike")
	}
	if again := auditJSON(t, ch); again != js {
		t.Fatalf("not deterministic: %s then %s", js, again)
	}
	if _, err := ch.JSON(nil, "finding/f1"); err == nil {
		t.Fatal("a confidential value was rendered without a key")
	}
	if js, err := (docket.Changes{"name": "x"}).JSON(nil, "org/o1"); err != nil || js != `{"name":"x"}` {
		t.Fatalf("metadata alone needs no key: %q %v", js, err)
	}
	// Guessing small values is no use without the key: no score 0-100 hashes
	// (plainly) to what is written.
	for n := 0; n <= 100; n++ {
		sum := sha256.Sum256([]byte(strconv.Itoa(n)))
		if strings.Contains(js, hex.EncodeToString(sum[:])) {
			t.Fatalf("score %d recovered by hashing", n)
		}
	}
}
