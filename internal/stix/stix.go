// Package stix writes the Clearinghouse as a STIX 2.1 bundle (OASIS STIX
// 2.1): an identity for the agency, one vulnerability per entry, each marked
// with its TLP 2.0 marking definition, the official objects of the TLP 2.0
// extension (its marking definitions) included. Ids are UUIDv5s derived from what they name, so that a
// bundle of the same entries is the same bundle from one export to the next.
// It is a leaf package: it knows the domain's entries and nothing of storage
// or HTTP.
package stix

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/docket/docket/internal/docket"
)

// The official TLP 2.0 extension of STIX 2.1 (oasis-open/cti-stix-common-objects,
// extension-definition-specifications/tlp-2.0) and its marking definitions.
const (
	TLPExtension = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
	// tlpCreated is the created instant of the extension's objects.
	tlpCreated = "2022-10-01T00:00:00.000Z"
)

// tlpMarking is one of the extension's marking definitions.
type tlpMarking struct{ id, name, level string }

// TLPMarkings are the extension's marking definitions by Docket's TLP label.
var tlpMarkings = map[string]tlpMarking{
	"TLP:CLEAR":        {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR", "clear"},
	"TLP:GREEN":        {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN", "green"},
	"TLP:AMBER":        {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER", "amber"},
	"TLP:AMBER+STRICT": {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "TLP:AMBER+STRICT", "amber+strict"},
	"TLP:RED":          {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED", "red"},
}

// MarkingID returns the id of the TLP 2.0 marking definition of a TLP label
// ("" for an unknown label).
func MarkingID(tlp string) string { return tlpMarkings[tlp].id }

// Publisher is who issues the bundle: the agency, and Docket's address.
type Publisher struct {
	// Name is the agency's name (agency.name).
	Name string
	// BaseURL is Docket's address (base_url): it seeds the ids and the links.
	BaseURL string
	// Since is when the agency's identity was first stated: the first start.
	Since time.Time
}

// namespace is the UUIDv5 namespace of the deployment's ids: the UUIDv5 of
// its address in the URL namespace.
func (p Publisher) namespace() uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte(strings.TrimRight(p.BaseURL, "/")))
}

// VulnerabilityID is the STIX id of an entry: vulnerability-- and the UUIDv5
// of its Clearinghouse id in the deployment's namespace.
func (p Publisher) VulnerabilityID(aich string) string {
	return "vulnerability--" + uuid.NewSHA1(p.namespace(), []byte("vulnerability:"+aich)).String()
}

// IdentityID is the STIX id of the agency.
func (p Publisher) IdentityID() string {
	return "identity--" + uuid.NewSHA1(p.namespace(), []byte("identity:agency")).String()
}

type object = map[string]any

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Bundle returns the STIX 2.1 bundle of the entries: the agency's identity,
// a vulnerability per entry (newest first, as given) and the TLP 2.0
// marking definitions they use. The bundle's
// own id is derived from the entries it holds.
func Bundle(p Publisher, entries []docket.ClearinghouseEntry) ([]byte, error) {
	base := strings.TrimRight(p.BaseURL, "/")
	identity := p.IdentityID()
	used := map[string]bool{"TLP:CLEAR": true} // the identity is TLP:CLEAR
	objects := []object{{
		"type": "identity", "spec_version": "2.1", "id": identity, "created": stamp(p.Since), "modified": stamp(p.Since),
		"name": p.Name, "identity_class": "organization", "sectors": []string{"government-national"},
		"contact_information": base, "object_marking_refs": []string{MarkingID("TLP:CLEAR")},
	}}
	ids := make([]string, 0, len(entries))
	for i := range entries {
		e := &entries[i]
		m, ok := tlpMarkings[e.TLP]
		if !ok {
			continue // an entry of no known TLP is never written
		}
		used[e.TLP] = true
		ids = append(ids, e.ID)
		vendor, product := e.FeedNames()
		desc := e.VulnerabilityName + ". " + e.ShortDescription + "\n\nAffected: " + vendor + ", " + product +
			".\nRequired action (due " + e.DueDate.String() + "): " + e.RequiredAction
		if e.Notes != "" {
			desc += "\nNotes: " + e.Notes
		}
		refs := []object{}
		if e.CVEID != "" {
			refs = append(refs, object{"source_name": "cve", "external_id": e.CVEID,
				"url": "https://www.cve.org/CVERecord?id=" + e.CVEID})
		}
		if e.AtlasTechnique != "" {
			refs = append(refs, object{"source_name": "mitre-atlas", "external_id": e.AtlasTechnique,
				"url": "https://atlas.mitre.org/techniques/" + e.AtlasTechnique})
		}
		refs = append(refs, object{"source_name": "docket", "external_id": e.ID, "description": "AI Cybersecurity Clearinghouse entry",
			"url": base + "/api/v1/clearinghouse?q=" + e.ID})
		objects = append(objects, object{
			"type": "vulnerability", "spec_version": "2.1", "id": p.VulnerabilityID(e.ID), "created_by_ref": identity,
			"created": stamp(e.PublishedAt), "modified": stamp(e.PublishedAt), "name": e.ID, "description": desc,
			"labels": []string{e.Subject, e.Category, "severity:" + e.Severity}, "lang": "en",
			"external_references": refs, "object_marking_refs": []string{m.id},
		})
	}
	var labels []string
	for l := range used {
		labels = append(labels, l)
	}
	slices.SortFunc(labels, func(a, b string) int { return strings.Compare(tlpMarkings[a].id, tlpMarkings[b].id) })
	for _, l := range labels {
		m := tlpMarkings[l]
		objects = append(objects, object{"type": "marking-definition", "spec_version": "2.1", "id": m.id, "created": tlpCreated,
			"name": m.name, "extensions": object{TLPExtension: object{"extension_type": "property-extension", "tlp_2_0": m.level}}})
	}
	// The extension's own extension-definition object is named by its id
	// only: OASIS's bundle schema takes no extension-definition object (any
	// object outside its list matches two of its branches at once).
	bundle := object{"type": "bundle",
		"id":      "bundle--" + uuid.NewSHA1(p.namespace(), []byte("bundle:"+strings.Join(ids, ","))).String(),
		"objects": objects}
	out, err := json.Marshal(bundle)
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
