package api

import (
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

type attachmentJSON struct {
	ID          string  `json:"id"`
	CaseID      string  `json:"case_id"`
	FindingID   *string `json:"finding_id"`
	Name        string  `json:"name"`
	Kind        string  `json:"kind"`
	Size        int64   `json:"size"`
	ContentType string  `json:"content_type"`
	SHA256      string  `json:"sha256"`
	UploadedBy  string  `json:"uploaded_by"`
	CreatedAt   string  `json:"created_at"`
}

func presentAttachment(at *docket.Attachment) attachmentJSON {
	return attachmentJSON{ID: at.ID, CaseID: at.CaseID, FindingID: httpx.StrPtr(at.FindingID), Name: at.Name, Kind: at.Kind,
		Size: at.Size, ContentType: at.ContentType, SHA256: at.Digest(), UploadedBy: at.UploadedBy,
		CreatedAt: httpx.Instant(at.CreatedAt)}
}

func presentAttachments(list []docket.Attachment) []attachmentJSON {
	out := make([]attachmentJSON, len(list))
	for i := range list {
		out[i] = presentAttachment(&list[i])
	}
	return out
}

type findingJSON struct {
	ID             string  `json:"id"`
	CaseID         string  `json:"case_id"`
	Status         string  `json:"status"`
	Title          string  `json:"title"`
	Description    string  `json:"description"`
	Category       string  `json:"category"`
	Severity       string  `json:"severity"`
	TLP            string  `json:"tlp"`
	AtlasTechnique *string `json:"atlas_technique"`
	Component      *string `json:"component"`
	Evidence       *string `json:"evidence"`
	EmbargoUntil   *string `json:"embargo_until"`
	// AcceptedUntil is the date a risk acceptance ends; null when none.
	AcceptedUntil  *string          `json:"accepted_until"`
	AuthorID       string           `json:"author_id"`
	RecipientIDs   []string         `json:"recipient_ids"`
	SharedAt       *string          `json:"shared_at"`
	ResponseDueAt  *string          `json:"response_due_at"`
	Overdue        bool             `json:"overdue"`
	Response       *string          `json:"response"`
	RespondedAt    *string          `json:"responded_at"`
	Resolution     *string          `json:"resolution"`
	ResolutionNote *string          `json:"resolution_note"`
	ResolvedAt     *string          `json:"resolved_at"`
	Attachments    []attachmentJSON `json:"attachments"`
	AllowedActions []string         `json:"allowed_actions"`
	CreatedAt      string           `json:"created_at"`
	UpdatedAt      string           `json:"updated_at"`

	// ClearinghouseID is the finding's AICH-YYYY-NNNN once published.
	ClearinghouseID *string `json:"clearinghouse_id"`
	// StepUpRequired is false: the finding is shown whole (withheldFindingJSON otherwise).
	StepUpRequired bool `json:"step_up_required"`
}

// withheldFindingJSON is a TLP:RED finding in a list, to a session that must
// sign in again with a passkey or a phishing-resistant single sign-on to read
// it: that it exists, and its state, severity, label and deadline; nothing it says.
type withheldFindingJSON struct {
	ID             string  `json:"id"`
	CaseID         string  `json:"case_id"`
	Status         string  `json:"status"`
	Severity       string  `json:"severity"`
	TLP            string  `json:"tlp"`
	SharedAt       *string `json:"shared_at"`
	ResponseDueAt  *string `json:"response_due_at"`
	Overdue        bool    `json:"overdue"`
	CreatedAt      string  `json:"created_at"`
	UpdatedAt      string  `json:"updated_at"`
	StepUpRequired bool    `json:"step_up_required"`
}

// presentListedFinding shows one finding of a list: whole, or withheld.
func presentListedFinding(v *app.FindingView, now time.Time) any {
	if !v.StepUpRequired {
		return presentFinding(v, now)
	}
	f := v.Finding
	return withheldFindingJSON{ID: f.ID, CaseID: f.CaseID, Status: string(f.Status), Severity: f.Severity, TLP: f.TLP,
		SharedAt: httpx.InstantPtr(f.SharedAt), ResponseDueAt: httpx.InstantPtr(f.ResponseDueAt), Overdue: f.Overdue(now),
		CreatedAt: httpx.Instant(f.CreatedAt), UpdatedAt: httpx.Instant(f.UpdatedAt), StepUpRequired: true}
}

// presentFinding shows a finding to someone the service let read it.
func presentFinding(v *app.FindingView, now time.Time) findingJSON {
	f := v.Finding
	out := findingJSON{ID: f.ID, CaseID: f.CaseID, Status: string(f.Status), Title: f.Title, Description: f.Description,
		Category: f.Category, Severity: f.Severity, TLP: f.TLP, AtlasTechnique: httpx.StrPtr(f.AtlasTechnique),
		Component: httpx.StrPtr(f.Component), Evidence: httpx.StrPtr(f.Evidence), AuthorID: f.AuthorID, RecipientIDs: f.RecipientIDs,
		SharedAt: httpx.InstantPtr(f.SharedAt), ResponseDueAt: httpx.InstantPtr(f.ResponseDueAt), Overdue: f.Overdue(now),
		Response: httpx.StrPtr(f.Response), RespondedAt: httpx.InstantPtr(f.RespondedAt), ResolvedAt: httpx.InstantPtr(f.ResolvedAt),
		Attachments: presentAttachments(v.Attachments), AllowedActions: []string{}, ClearinghouseID: httpx.StrPtr(f.ClearinghouseID),
		CreatedAt: httpx.Instant(f.CreatedAt), UpdatedAt: httpx.Instant(f.UpdatedAt)}
	if out.RecipientIDs == nil {
		out.RecipientIDs = []string{}
	}
	if !f.AcceptedUntil.IsZero() {
		out.AcceptedUntil = httpx.StrPtr(f.AcceptedUntil.String())
	}
	if !f.EmbargoUntil.IsZero() {
		out.EmbargoUntil = httpx.StrPtr(f.EmbargoUntil.String())
	}
	if !f.Status.Open() {
		out.Resolution = httpx.StrPtr(string(f.Status))
		out.ResolutionNote = httpx.StrPtr(f.ResolutionNote)
	}
	for _, act := range v.Allowed {
		out.AllowedActions = append(out.AllowedActions, string(act))
	}
	return out
}

type commentJSON struct {
	ID         string `json:"id"`
	CaseID     string `json:"case_id"`
	AuthorID   string `json:"author_id"`
	AuthorRole string `json:"author_role"`
	Body       string `json:"body"`
	Visibility string `json:"visibility"`
	CreatedAt  string `json:"created_at"`
}

func presentComment(c *docket.Comment) commentJSON {
	return commentJSON{ID: c.ID, CaseID: c.CaseID, AuthorID: c.AuthorID, AuthorRole: string(c.AuthorRole), Body: c.Body,
		Visibility: c.Visibility, CreatedAt: httpx.Instant(c.CreatedAt)}
}
