package docket

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/docket/docket/internal/clock"
)

// FuzzCaseInput: whatever JSON a lab sends, applying it either fails with a
// field error and leaves the case alone, or leaves only valid values behind.
func FuzzCaseInput(f *testing.F) {
	for _, seed := range []string{
		`{"model_name":"Atlas","model_version":"1","weights_digest":"sha256:` + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" + `"}`,
		`{"planned_release_date":"2026-02-29","training_compute_flops":1e400}`,
		`{"modality":"text","deployment":"api","summary":""}`,
		`{"training_compute_flops":-0}`,
		`{"model_name":"\u0000"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in CaseInput
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if dec.Decode(&in) != nil {
			return
		}
		c := &Case{ModelName: "Before", ModelVersion: "0"}
		before := *c
		if err := in.Apply(c); err != nil {
			if AsError(err) == nil || AsError(err).Field == "" {
				t.Fatalf("an error without a field: %v", err)
			}
			if c.ModelName != before.ModelName || c.WeightsDigest != before.WeightsDigest || c.Modality != before.Modality {
				t.Fatal("a refused input changed the case")
			}
			return
		}
		if c.WeightsDigest != "" && !ValidDigest(c.WeightsDigest) {
			t.Fatalf("accepted digest %q", c.WeightsDigest)
		}
		if !c.PlannedReleaseDate.IsZero() {
			if d, err := clock.ParseDate(c.PlannedReleaseDate.String()); err != nil || d != c.PlannedReleaseDate {
				t.Fatalf("accepted date %v", c.PlannedReleaseDate)
			}
		}
		if c.Modality != "" && !OneOf(c.Modality, Modalities) || c.Deployment != "" && !OneOf(c.Deployment, Deployments) {
			t.Fatalf("accepted enumeration %q %q", c.Modality, c.Deployment)
		}
		if f := c.TrainingComputeFLOPs; f != nil && (*f < 0 || *f != *f) {
			t.Fatalf("accepted flops %v", *f)
		}
	})
}

// FuzzDigest: only sha256: and 64 lowercase hex digits pass.
func FuzzDigest(f *testing.F) {
	f.Add("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	f.Add("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef")
	f.Add("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n")
	f.Fuzz(func(t *testing.T, s string) {
		ok := len(s) == 71 && s[:7] == "sha256:"
		for _, r := range s[min(7, len(s)):] {
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
				ok = false
			}
		}
		if ValidDigest(s) != ok {
			t.Fatalf("ValidDigest(%q) = %v", s, !ok)
		}
	})
}
