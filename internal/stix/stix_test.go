package stix

import (
	"strings"
	"testing"
	"time"
)

// TestIDsAreDerived: an entry's id is a UUIDv5 of its AICH id in the
// deployment's namespace: the same in every export, another for another
// entry or another deployment.
func TestIDsAreDerived(t *testing.T) {
	p := Publisher{Name: "Agency", BaseURL: "https://docket.example", Since: time.Unix(0, 0)}
	a, b := p.VulnerabilityID("AICH-2026-0001"), p.VulnerabilityID("AICH-2026-0001")
	other := Publisher{BaseURL: "https://other.example"}.VulnerabilityID("AICH-2026-0001")
	if a != b || a == p.VulnerabilityID("AICH-2026-0002") || a == other || !strings.HasPrefix(a, "vulnerability--") ||
		a[len("vulnerability--")+14] != '5' {
		t.Fatalf("ids: %s %s %s", a, b, other)
	}
	if MarkingID("TLP:CLEAR") != "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487" ||
		MarkingID("TLP:GREEN") != "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb" {
		t.Fatal("the TLP 2.0 marking definitions' ids")
	}
}
