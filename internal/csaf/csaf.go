// Package csaf writes the Clearinghouse as a CSAF 2.0 trusted provider
// (OASIS CSAF 2.0 with the errata): one document of the
// csaf_security_advisory profile per entry, the provider metadata, the
// directory distribution's index.txt, changes.csv and listings, the hash
// files, and security.txt. Documents are written with their keys sorted (as
// the standard's optional test 6.2.13 asks) and are the same bytes every
// time they are written from the same entry, so their hashes and signatures
// stay put. It is a leaf package: it knows the domain's entries and nothing
// of storage or HTTP; signing is sign.go's.
package csaf

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/docket/docket/internal/docket"
)

// Publisher is who issues the documents: the agency, at Docket's address.
type Publisher struct {
	// Name is the agency's name (agency.name).
	Name string
	// BaseURL is Docket's address (base_url), https:// behind a TLS proxy.
	BaseURL string
}

func (p Publisher) base() string { return strings.TrimRight(p.BaseURL, "/") }

// SystemName names the Clearinghouse's ids in vulnerabilities[].ids.
const SystemName = "AI Cybersecurity Clearinghouse"

// The folders of the directory distribution, by TLP: CSAF 2.0 still speaks
// TLP 1.0, so TLP:CLEAR is WHITE.
const (
	FolderWhite = "white"
	FolderGreen = "green"
)

// Folder returns the folder of an entry's TLP ("" when it is never served).
func Folder(tlp string) string {
	switch tlp {
	case "TLP:CLEAR":
		return FolderWhite
	case "TLP:GREEN":
		return FolderGreen
	}
	return ""
}

// Label returns the CSAF TLP label of a folder.
func Label(folder string) string { return strings.ToUpper(folder) }

// TLPOf returns the TLP label of the entries a folder holds.
func TLPOf(folder string) string {
	switch folder {
	case FolderWhite:
		return "TLP:CLEAR"
	case FolderGreen:
		return "TLP:GREEN"
	}
	return ""
}

var notFileChar = regexp.MustCompile(`[^+\-a-z0-9]+`)

// FileName is the document's file name: the tracking id in lower case with
// every run of characters other than +, -, a-z and 0-9 turned into _, and .json.
func FileName(trackingID string) string {
	return notFileChar.ReplaceAllString(strings.ToLower(trackingID), "_") + ".json"
}

// Year is the folder year of an entry: its initial release date's UTC year.
func Year(e *docket.ClearinghouseEntry) int { return e.PublishedAt.UTC().Year() }

// Path is the entry's path inside its TLP folder: {year}/{file}.
func Path(e *docket.ClearinghouseEntry) string {
	return strconv.Itoa(Year(e)) + "/" + FileName(e.ID)
}

// URL is the entry's canonical URL.
func (p Publisher) URL(e *docket.ClearinghouseEntry) string {
	return p.base() + "/.well-known/csaf/" + Folder(e.TLP) + "/" + Path(e)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

type obj = map[string]any

// Document returns the CSAF 2.0 document of the entry (csaf_security_advisory).
func (p Publisher) Document(e *docket.ClearinghouseEntry) ([]byte, error) {
	label := Label(Folder(e.TLP))
	if label == "" {
		return nil, fmt.Errorf("csaf: entry %s is %s, which no CSAF folder serves", e.ID, e.TLP)
	}
	base := p.base()
	released := stamp(e.PublishedAt)
	vendor, product := e.FeedNames()
	entryURL := base + "/api/v1/clearinghouse?q=" + e.ID
	const pid = "CSAFPID-0001"
	docNotes := []obj{
		{"category": "summary", "title": "Summary", "text": e.ShortDescription},
		{"category": "general", "title": "Source",
			"text": "Published by " + p.Name + " in the " + SystemName + " as " + e.ID + " on " + e.DateAdded.String() +
				" (subject: " + e.Subject + ", category: " + e.Category + ", severity: " + e.Severity + ")."},
	}
	if e.Notes != "" {
		docNotes = append(docNotes, obj{"category": "general", "title": "Notes", "text": e.Notes})
	}
	vulnNotes := []obj{{"category": "description", "title": "Description", "text": e.ShortDescription}}
	if e.AtlasTechnique != "" {
		vulnNotes = append(vulnNotes, obj{"category": "other", "title": "MITRE ATLAS technique",
			"text": e.AtlasTechnique + " (https://atlas.mitre.org/techniques/" + e.AtlasTechnique + ")"})
	}
	vuln := obj{
		"ids":            []obj{{"system_name": SystemName, "text": e.ID}},
		"notes":          vulnNotes,
		"product_status": obj{"known_affected": []string{pid}},
		"remediations": []obj{{"category": "mitigation", "product_ids": []string{pid},
			"details": "Required action, due " + e.DueDate.String() + ": " + e.RequiredAction}},
		"title": e.VulnerabilityName,
	}
	if e.CVEID != "" {
		vuln["cve"] = e.CVEID
	}
	doc := obj{
		"document": obj{
			"category":     "csaf_security_advisory",
			"csaf_version": "2.0",
			"distribution": obj{"tlp": obj{"label": label, "url": "https://www.first.org/tlp/"}},
			"lang":         "en",
			"notes":        docNotes,
			"publisher":    obj{"category": "coordinator", "name": p.Name, "namespace": base},
			"references": []obj{
				{"category": "self", "summary": "This advisory", "url": p.URL(e)},
				{"category": "external", "summary": "The " + SystemName + " entry " + e.ID, "url": entryURL},
			},
			"title": e.ID + ": " + e.VulnerabilityName,
			"tracking": obj{
				"current_release_date": released,
				"generator":            obj{"date": released, "engine": obj{"name": "Docket"}},
				"id":                   e.ID,
				"initial_release_date": released,
				"revision_history":     []obj{{"date": released, "number": "1", "summary": "Initial version."}},
				"status":               "final",
				"version":              "1",
			},
		},
		"product_tree": obj{"branches": []obj{{
			"category": "vendor", "name": vendor,
			"branches": []obj{{
				"category": "product_name", "name": product,
				"branches": []obj{{
					"category": "product_version_range", "name": "vers:all/*",
					"product": obj{"name": vendor + " " + product + " (every version)", "product_id": pid,
						"product_identification_helper": obj{"x_generic_uris": []obj{{"namespace": base + "/.well-known/csaf/", "uri": entryURL}}}},
				}},
			}},
		}}},
		"vulnerabilities": []obj{vuln},
	}
	return marshal(doc)
}

// marshal writes v as indented JSON with a final newline (map keys sorted).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Key is a public OpenPGP key the provider metadata names.
type Key struct {
	Fingerprint string // upper-case hex
	Armored     []byte
}

// KeyURL is where a key is published.
func (p Publisher) KeyURL(fingerprint string) string {
	return p.base() + "/.well-known/csaf/openpgp/" + fingerprint + ".asc"
}

// MetadataURL is the provider metadata's canonical URL.
func (p Publisher) MetadataURL() string { return p.base() + "/.well-known/csaf/provider-metadata.json" }

// ProviderMetadata returns provider-metadata.json: a csaf_trusted_provider
// with a directory distribution per TLP folder and the public keys, current
// first.
func (p Publisher) ProviderMetadata(keys []Key, updated time.Time) ([]byte, error) {
	pgp := make([]obj, 0, len(keys))
	for _, k := range keys {
		pgp = append(pgp, obj{"fingerprint": k.Fingerprint, "url": p.KeyURL(k.Fingerprint)})
	}
	return marshal(obj{
		"canonical_url": p.MetadataURL(),
		"distributions": []obj{
			{"directory_url": p.base() + "/.well-known/csaf/" + FolderWhite + "/"},
			{"directory_url": p.base() + "/.well-known/csaf/" + FolderGreen + "/"},
		},
		"last_updated":               stamp(updated),
		"list_on_CSAF_aggregators":   true,
		"metadata_version":           "2.0",
		"mirror_on_CSAF_aggregators": true,
		"public_openpgp_keys":        pgp,
		"publisher":                  obj{"category": "coordinator", "name": p.Name, "namespace": p.base()},
		"role":                       "csaf_trusted_provider",
	})
}

// Index returns index.txt: every document's path in the folder, one a line.
func Index(entries []docket.ClearinghouseEntry) []byte {
	var b bytes.Buffer
	for i := range entries {
		b.WriteString(Path(&entries[i]) + "\n")
	}
	return b.Bytes()
}

// Changes returns changes.csv: each document's path and current release
// date, newest first.
func Changes(entries []docket.ClearinghouseEntry) []byte {
	es := slices.Clone(entries)
	slices.SortStableFunc(es, func(a, b docket.ClearinghouseEntry) int { return b.PublishedAt.Compare(a.PublishedAt) })
	var b bytes.Buffer
	for i := range es {
		fmt.Fprintf(&b, "%q,%q\n", Path(&es[i]), stamp(es[i].PublishedAt))
	}
	return b.Bytes()
}

// HashFile returns a .sha256 or .sha512 file of data named file: the hex
// digest, two spaces and the file name (as sha256sum writes it).
func HashFile(algo, file string, data []byte) ([]byte, error) {
	var sum []byte
	switch algo {
	case "sha256":
		s := sha256.Sum256(data)
		sum = s[:]
	case "sha512":
		s := sha512.Sum512(data)
		sum = s[:]
	default:
		return nil, fmt.Errorf("csaf: no hash %q", algo)
	}
	return []byte(hex.EncodeToString(sum) + "  " + file + "\n"), nil
}

// SecurityTxt returns /.well-known/security.txt (RFC 9116) naming the
// provider metadata in its CSAF field; it expires a year after now.
func (p Publisher) SecurityTxt(contact string, now time.Time) []byte {
	return []byte("Contact: " + contact + "\n" +
		"Expires: " + now.UTC().AddDate(1, 0, 0).Truncate(24*time.Hour).Format(time.RFC3339) + "\n" +
		"Canonical: " + p.base() + "/.well-known/security.txt\n" +
		"Preferred-Languages: en\n" +
		"CSAF: " + p.MetadataURL() + "\n")
}

var listing = template.Must(template.New("listing").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Index of {{.Path}}</title></head>
<body>
<h1>Index of {{.Path}}</h1>
<ul>
{{range .Links}}<li><a href="{{.}}">{{.}}</a></li>
{{end}}</ul>
</body>
</html>
`))

// Listing returns a directory listing page of path linking to each name
// (relative links), as CSAF's requirement 14 asks of a directory distribution.
func Listing(path string, names []string) ([]byte, error) {
	var b bytes.Buffer
	err := listing.Execute(&b, struct {
		Path  string
		Links []string
	}{path, names})
	return b.Bytes(), err
}
