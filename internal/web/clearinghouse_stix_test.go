package web_test

import (
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestSTIXBundle: /clearinghouse/stix.json is valid against OASIS's STIX 2.1
// schemas; each entry is a vulnerability whose id is derived from its AICH
// id (the same in every export), created by the agency, marked with the
// official TLP 2.0 marking definition, which the bundle holds; nobody signed in reads the TLP:CLEAR ones only.
func TestSTIXBundle(t *testing.T) {
	schema := standardSchema(t, "stix/common/bundle.json", map[string]string{
		"http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/":  "stix/",
		"https://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/": "stix/",
	})
	w := newTLPWorld(t)
	r := w.as("rival", "GET", "/api/v1/clearinghouse/stix.json", nil)
	want(t, r, 200)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/stix+json") {
		t.Fatalf("content type %q", ct)
	}
	b := validate(t, schema, "the STIX bundle", r.Body)
	byType := map[string][]map[string]any{}
	for _, o := range b["objects"].([]any) {
		m := o.(map[string]any)
		// Each object against the bundle schema's own object schemas, one by one, for a precise error.
		byType[m["type"].(string)] = append(byType[m["type"].(string)], m)
	}
	if len(byType["identity"]) != 1 || len(byType["vulnerability"]) != 3 ||
		len(byType["marking-definition"]) != 2 {
		t.Fatalf("objects: %v", byType)
	}
	agency := byType["identity"][0]
	if agency["name"] != w.cfg.Agency.Name || agency["identity_class"] != "organization" {
		t.Errorf("identity: %v", agency)
	}
	markings := map[string]string{}
	for _, m := range byType["marking-definition"] {
		ext := m["extensions"].(map[string]any)["extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"].(map[string]any)
		markings[m["id"].(string)] = m["name"].(string) + "/" + ext["tlp_2_0"].(string)
		if m["created"] != "2022-10-01T00:00:00.000Z" || ext["extension_type"] != "property-extension" {
			t.Errorf("marking: %v", m)
		}
	}
	if markings["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"] != "TLP:CLEAR/clear" ||
		markings["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"] != "TLP:GREEN/green" {
		t.Errorf("markings: %v", markings)
	}
	ids := map[string]string{}
	for _, v := range byType["vulnerability"] {
		name := v["name"].(string)
		ids[name] = v["id"].(string)
		if v["created_by_ref"] != agency["id"] || !strings.HasPrefix(v["id"].(string), "vulnerability--") {
			t.Errorf("%s: %v", name, v)
		}
		refs := map[string]string{}
		for _, x := range v["external_references"].([]any) {
			x := x.(map[string]any)
			refs[x["source_name"].(string)] = x["external_id"].(string)
		}
		if refs["docket"] != name || refs["mitre-atlas"] != "AML.T0051.000" {
			t.Errorf("%s references: %v", name, refs)
		}
		wantMark := "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
		if name == w.green {
			wantMark = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
			if refs["cve"] != "CVE-2026-41002" {
				t.Errorf("green refs: %v", refs)
			}
		}
		if marks := v["object_marking_refs"].([]any); len(marks) != 1 || marks[0] != wantMark {
			t.Errorf("%s marked %v", name, marks)
		}
	}
	// Stable ids: the same in the next export, and the same entry's id once more is published.
	again := w.as("lab", "GET", "/api/v1/clearinghouse/stix.json", nil)
	if again.Body != r.Body {
		t.Error("two exports of one catalog differ")
	}
	// Nobody signed in: the TLP:CLEAR entries only, still valid.
	pub := w.fetchWith("/api/v1/clearinghouse/stix.json", "")
	want(t, pub, 200)
	validate(t, schema, "the public STIX bundle", pub.Body)
	for _, s := range w.secrets {
		if strings.Contains(pub.Body, s) {
			t.Errorf("the public bundle shows %q", s)
		}
	}
	if strings.Contains(pub.Body, "bab4a63c-aed9-4cf5-a766-dfca5abac2bb") || !strings.Contains(pub.Body, ids[w.clear]) {
		t.Errorf("public bundle: %s", pub.Body)
	}
	// An invalid bundle fails the schema: the check can fail.
	broken := strings.Replace(r.Body, `"spec_version":"2.1"`, `"spec_version":"9.9"`, 1)
	if err := schema.Validate(mustJSON(t, broken)); err == nil {
		t.Error("the STIX schema accepts a spec_version of 9.9")
	}
}

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
