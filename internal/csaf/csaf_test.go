package csaf

import (
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/docket"
)

// TestFileName follows CSAF 2.0 section 5.1: the tracking id in lower case,
// every run of characters other than +, -, a-z and 0-9 turned into _.
func TestFileName(t *testing.T) {
	for id, want := range map[string]string{"AICH-2026-0001": "aich-2026-0001.json", "Example Company - 2019-YH3234": "example_company_-_2019-yh3234.json",
		"RHBA-2019:0024": "rhba-2019_0024.json", "cisco-sa-20190513-secureboot.json": "cisco-sa-20190513-secureboot_json.json"} {
		if got := FileName(id); got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
}

// TestDocumentIsStable: the same entry gives the same bytes, keys sorted,
// and its signature is the same bytes again, so hashes and ETags stay put.
func TestDocumentIsStable(t *testing.T) {
	at := time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC)
	e := &docket.ClearinghouseEntry{ID: "AICH-2026-0042", Subject: docket.SubjectAISystem, RedactLab: true, VendorProject: docket.Withheld,
		Product: docket.Withheld, VulnerabilityName: "n", ShortDescription: "d", RequiredAction: "a", TLP: "TLP:GREEN", PublishedAt: at}
	p := Publisher{Name: "Agency", BaseURL: "https://docket.example/"}
	a, err := p.Document(e)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := p.Document(e)
	if string(a) != string(b) || !strings.Contains(string(a), `"label": "GREEN"`) ||
		!strings.Contains(string(a), `"url": "https://docket.example/.well-known/csaf/green/2025/aich-2026-0042.json"`) ||
		!strings.Contains(string(a), `"name": "Withheld model (AICH-2026-0042)"`) {
		t.Fatalf("document: %s", a)
	}
	s, _, pub, _, err := NewKey("Agency", "csaf@docket.example", at.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	s1, _ := s.Sign(a, at)
	s2, _ := s.Sign(a, at)
	if string(s1) != string(s2) {
		t.Fatal("two signatures of one document at one instant differ")
	}
	if err := Verify(pub, a, s1); err != nil {
		t.Fatalf("the signature does not verify: %v", err)
	}
	if Verify(pub, []byte(string(a)+" "), s1) == nil {
		t.Fatal("the signature verifies a changed document")
	}
	if _, err := p.Document(&docket.ClearinghouseEntry{ID: "AICH-2026-0043", TLP: "TLP:AMBER"}); err == nil {
		t.Fatal("a TLP:AMBER entry became a CSAF document")
	}
}
