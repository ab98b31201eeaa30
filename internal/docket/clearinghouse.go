package docket

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/docket/docket/internal/clock"
)

// The subjects of a Clearinghouse entry: a vulnerability found in the reviewed
// AI system, or one the AI system found in third-party software.
const (
	SubjectAISystem   = "ai_system"
	SubjectThirdParty = "third_party"
	// Withheld replaces the lab and the model of a redacted ai_system entry
	// where it is stored; the feeds show WithheldLab and a withheld model
	// named after the entry (FeedNames).
	Withheld    = "withheld"
	WithheldLab = "Withheld lab"
)

// PublishableTLPs are the labels a finding may carry to be published.
var PublishableTLPs = []string{"TLP:CLEAR", "TLP:GREEN"}

var (
	cveRE           = regexp.MustCompile(`^CVE-\d{4}-\d{4,}$`)
	clearinghouseRE = regexp.MustCompile(`^AICH-\d{4}-\d{4,}$`)
)

// ValidClearinghouseID reports whether s has the AICH-YYYY-NNNN form.
func ValidClearinghouseID(s string) bool { return clearinghouseRE.MatchString(s) }

// Limits of an entry's public text, in characters.
const (
	MaxVulnerabilityName = 200
	MaxShortDescription  = 2000
	MaxRequiredAction    = 1000
	MaxEntryNotes        = 2000
	MaxAffectedName      = 200
)

// ClearinghouseEntry is one published vulnerability. Everything in it is
// public to every signed-in user; it is fixed when published.
type ClearinghouseEntry struct {
	ID        string // AICH-YYYY-NNNN
	FindingID string
	CaseID    string
	Subject   string
	// VendorProject and Product: the lab and the model (or Withheld) for an
	// ai_system entry, the affected vendor and product for a third_party one.
	VendorProject     string
	Product           string
	CVEID             string
	VulnerabilityName string
	ShortDescription  string
	RequiredAction    string
	DueDate           clock.Date
	Notes             string
	RedactLab         bool
	Category          string
	Severity          string
	AtlasTechnique    string
	TLP               string
	DateAdded         clock.Date // the agency-zone date of publication
	PublishedBy       string
	PublishedAt       time.Time
}

// PublishInput is what a lead sends to publish a finding; nil means "not given".
type PublishInput struct {
	Subject           *string `json:"subject"`
	VulnerabilityName *string `json:"vulnerability_name"`
	ShortDescription  *string `json:"short_description"`
	RequiredAction    *string `json:"required_action"`
	DueDate           *string `json:"due_date"`
	Notes             *string `json:"notes"`
	RedactLab         *bool   `json:"redact_lab"`
	CVEID             *string `json:"cve_id"`
	AffectedVendor    *string `json:"affected_vendor"`
	AffectedProduct   *string `json:"affected_product"`
}

// CheckPublish decides whether the actor may publish the finding now: 404 when
// it is not visible, 403 for every role but review leads, 409 naming
// attest-no-conflict, then 409 naming why the finding cannot be published yet.
func (a FindingAccess) CheckPublish(now time.Time, loc *time.Location) error {
	// No step-up: a TLP:RED finding is never published (409 below).
	if err := a.CheckSee(); err != nil {
		return err
	}
	if a.Actor.Role != RoleReviewLead {
		return Forbidden()
	}
	return Publishable(a.Finding, now, loc)
}

// Publishable says why a finding cannot be published at now (a 409 naming the
// reason), or nil: it must not be published already, must be shared (or
// later), must carry TLP:CLEAR or TLP:GREEN, and its embargo must have passed
// (it is publishable from 00:00 agency time on embargo_until).
func Publishable(f *Finding, now time.Time, loc *time.Location) error {
	switch {
	case f.ClearinghouseID != "":
		return Errorf(EConflict, "the finding is published already, as %s", f.ClearinghouseID)
	case f.Status == FindingDraft:
		return Errorf(EConflict, "the finding is draft; share it with the lab before publishing it")
	case !oneOf(f.TLP, PublishableTLPs):
		return Errorf(EConflict, "the finding is %s; only TLP:CLEAR and TLP:GREEN findings are published", f.TLP)
	}
	if !f.EmbargoUntil.IsZero() {
		from := clock.StartOfDay(f.EmbargoUntil, loc)
		if now.Before(from) {
			return Errorf(EConflict, "the finding is under embargo until %s; it can be published from 00:00 %s that day",
				f.EmbargoUntil, loc)
		}
	}
	return nil
}

// Entry validates the input and builds the entry for the finding of the case,
// published at now (the agency-zone date in loc is its date added). Every
// failure is a 422 naming its field. The id is left to the caller.
func (in PublishInput) Entry(f *Finding, c *Case, now time.Time, loc *time.Location) (*ClearinghouseEntry, error) {
	text := func(field string, p *string, max int, required bool) (string, error) {
		if p == nil {
			if required {
				return "", Unacceptable(field, "is required")
			}
			return "", nil
		}
		s := strings.TrimSpace(*p)
		if required && s == "" {
			return "", Unacceptable(field, "is required")
		}
		if len([]rune(s)) > max {
			return "", Unacceptable(field, "must be at most %d characters", max)
		}
		if err := validText(field, s, 4*max, false); err != nil {
			return "", err
		}
		return s, nil
	}
	if in.Subject == nil || (*in.Subject != SubjectAISystem && *in.Subject != SubjectThirdParty) {
		return nil, Unacceptable("subject", "must be %s (a vulnerability in the reviewed model) or %s (one the model found in other software)",
			SubjectAISystem, SubjectThirdParty)
	}
	e := &ClearinghouseEntry{FindingID: f.ID, CaseID: c.ID, Subject: *in.Subject, Category: f.Category,
		Severity: f.Severity, AtlasTechnique: f.AtlasTechnique, TLP: f.TLP, DateAdded: clock.DateOf(now, loc),
		PublishedAt: now}
	var err error
	if e.VulnerabilityName, err = text("vulnerability_name", in.VulnerabilityName, MaxVulnerabilityName, true); err != nil {
		return nil, err
	}
	if e.ShortDescription, err = text("short_description", in.ShortDescription, MaxShortDescription, true); err != nil {
		return nil, err
	}
	if e.RequiredAction, err = text("required_action", in.RequiredAction, MaxRequiredAction, true); err != nil {
		return nil, err
	}
	if in.DueDate == nil {
		return nil, Unacceptable("due_date", "is required")
	}
	if e.DueDate, err = clock.ParseDate(*in.DueDate); err != nil {
		return nil, Unacceptable("due_date", "must be a date YYYY-MM-DD")
	}
	if e.DueDate.Before(e.DateAdded) {
		return nil, Unacceptable("due_date", "is before today (%s), the entry's date added", e.DateAdded)
	}
	if e.Notes, err = text("notes", in.Notes, MaxEntryNotes, false); err != nil {
		return nil, err
	}
	switch e.Subject {
	case SubjectAISystem:
		if in.RedactLab == nil {
			return nil, Unacceptable("redact_lab", "is required: say whether the lab and the model are withheld")
		}
		for field, p := range map[string]*string{"cve_id": in.CVEID, "affected_vendor": in.AffectedVendor, "affected_product": in.AffectedProduct} {
			if p != nil && *p != "" {
				return nil, Unacceptable(field, "is given for third-party software only; an ai_system entry names the lab and the model")
			}
		}
		e.RedactLab = *in.RedactLab
		e.VendorProject, e.Product = c.OrgName, strings.TrimSpace(c.ModelName+" "+c.ModelVersion)
		if e.RedactLab {
			e.VendorProject, e.Product = Withheld, Withheld
		}
	case SubjectThirdParty:
		if in.RedactLab != nil {
			e.RedactLab = *in.RedactLab
		}
		if e.VendorProject, err = text("affected_vendor", in.AffectedVendor, MaxAffectedName, true); err != nil {
			return nil, err
		}
		if e.Product, err = text("affected_product", in.AffectedProduct, MaxAffectedName, true); err != nil {
			return nil, err
		}
		if in.CVEID != nil && *in.CVEID != "" {
			if !cveRE.MatchString(*in.CVEID) {
				return nil, Unacceptable("cve_id", "must be a CVE id: CVE-YYYY-NNNN (four or more digits)")
			}
			e.CVEID = *in.CVEID
		}
	}
	return e, nil
}

// AuditChanges is what the audit trail keeps of a publication: the id and
// the enumerations as values, every text only as a hash.
func (e *ClearinghouseEntry) AuditChanges() Changes {
	ch := Changes{"clearinghouse_id": e.ID, "subject": e.Subject, "redact_lab": e.RedactLab, "due_date": e.DueDate.String()}
	if e.CVEID != "" {
		ch.Set("cve_id", e.CVEID)
	}
	for name, v := range map[string]string{"vulnerability_name": e.VulnerabilityName, "short_description": e.ShortDescription,
		"required_action": e.RequiredAction, "notes": e.Notes, "vendor_project": e.VendorProject, "product": e.Product} {
		ch.Secret(name, v)
	}
	return ch
}

// CatalogVersion is the Clearinghouse catalog's version, YYYY.MM.DD.N: the
// agency-zone date of the latest publication and how many entries were
// published that day; "0000.00.00.0" for an empty catalog.
func CatalogVersion(latest *time.Time, sameDay int, loc *time.Location) string {
	if latest == nil {
		return "0000.00.00.0"
	}
	d := clock.DateOf(*latest, loc)
	return fmt.Sprintf("%04d.%02d.%02d.%d", d.Year, int(d.Month), d.Day, sameDay)
}

// TLPClear is the label of the entries anyone may read.
const TLPClear = "TLP:CLEAR"

// PublicEntries keeps the TLP:CLEAR entries of es, in order: the only ones
// that leave through a feed to someone not signed in.
func PublicEntries(es []ClearinghouseEntry) []ClearinghouseEntry {
	out := make([]ClearinghouseEntry, 0, len(es))
	for _, e := range es {
		if e.TLP == TLPClear {
			out = append(out, e)
		}
	}
	return out
}

// CatalogHead returns the latest publication of es (newest first; nil when
// empty) and how many of them were added on its agency-zone date.
func CatalogHead(es []ClearinghouseEntry, loc *time.Location) (*time.Time, int) {
	if len(es) == 0 {
		return nil, 0
	}
	latest := es[0].PublishedAt
	for _, e := range es[1:] {
		if e.PublishedAt.After(latest) {
			latest = e.PublishedAt
		}
	}
	day, n := clock.DateOf(latest, loc), 0
	for _, e := range es {
		if e.DateAdded == day {
			n++
		}
	}
	return &latest, n
}

// FeedNames are the vendor and product a redacted ai_system entry shows
// to other tools: "Withheld lab" and "Withheld model (AICH-…)", one product
// per entry, so that tools grouping by vendor and product do not lump
// unrelated labs' models together.
func (e *ClearinghouseEntry) FeedNames() (vendor, product string) {
	if e.Subject == SubjectAISystem && (e.RedactLab || e.VendorProject == Withheld) {
		return WithheldLab, "Withheld model (" + e.ID + ")"
	}
	return e.VendorProject, e.Product
}
