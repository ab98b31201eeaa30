package ui

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The case page's first screen: the panel that says where the case stands,
// the table of contents of its long parts, and which action's form opens
// when the page comes back with that form's errors. The actions themselves
// are the case page's own (case.go), its work's (findings.go) and its
// review's (review.go); templates/case_actions.html lays them out in the
// side column.

// caseState is the state panel's figures that the rest of the page does not
// already hold.
type caseState struct {
	// OpenFindings are the open findings the viewer may count, by severity,
	// the most severe first; Known is false when the viewer counts none
	// (a reviewer before attesting).
	OpenFindings  []severityCount
	FindingsKnown bool
	// Outcome is a decided case's outcome ("" when undecided or hidden).
	Outcome string
	// PendingDigest: a new weights digest waits for a lead.
	PendingDigest bool
	// Verify is where anyone checks a statement; JWKS the agency's keys.
	Verify, JWKS string
	// OpenAtDecision is what a lead who may decide would leave open.
	OpenAtDecision openAtDecision
}

type severityCount struct {
	Severity, Label string
	N               int
}

// tocItem is one long part of the case page in its table of contents.
type tocItem struct {
	ID, Label string
	// Count is shown beside the label when Counted.
	Count   int
	Counted bool
}

// openAtDecision is what a lead is told before deciding: findings still
// drafts or awaiting the lab's answer, and information requests still open.
type openAtDecision struct {
	Drafts     []openFinding
	Unanswered []openFinding
	Requests   []requestView
}

type openFinding struct {
	ID, Title, Severity, SeverityLabel string
	ResponseDue                        *time.Time
}

// Any says whether anything is open.
func (o openAtDecision) Any() bool {
	return len(o.Drafts)+len(o.Unanswered)+len(o.Requests) > 0
}

// fillState gathers the state panel's figures and the table of contents once
// the page's parts are built.
func (h *casePresenter) fillState(c echo.Context, pg *casePage) {
	st := &pg.State
	link := httpx.LinkBase(c, h.baseURL)
	st.Verify, st.JWKS = link+"/verify", link+"/.well-known/jwks.json"
	if pg.Decision != nil {
		st.Outcome = pg.Decision.Outcome
	}
	if pg.Review != nil && pg.Review.Pending != nil {
		st.PendingDigest = true
	}
	counts := map[string]int{}
	switch {
	case pg.Work != nil && pg.Work.Tally != nil:
		st.FindingsKnown = true
		for _, r := range pg.Work.Tally.Rows {
			for i, s := range docket.FindingStatuses {
				if s.Open() {
					counts[r.Severity] += r.Counts[i]
				}
			}
		}
	case pg.Work != nil && pg.Work.Findings != nil:
		st.FindingsKnown = true
		for _, f := range pg.Work.src.findings {
			if f.Finding.Status.Open() {
				counts[f.Finding.Severity]++
			}
		}
	}
	for _, sev := range docket.Severities {
		if counts[sev] > 0 {
			st.OpenFindings = append(st.OpenFindings, severityCount{Severity: sev, Label: view.LabelOr(severityLabels[sev], sev), N: counts[sev]})
		}
	}
	if pg.Can.Decide {
		st.OpenAtDecision = openAtDecisionOf(pg)
	}
	pg.TOC = pg.contents()
}

// contents lists the long parts the page shows the viewer, in the page's order.
func (pg *casePage) contents() []tocItem {
	var out []tocItem
	add := func(show bool, id, label string, n int, counted bool) {
		if show {
			out = append(out, tocItem{ID: id, Label: label, Count: n, Counted: counted})
		}
	}
	r, w := pg.Review, pg.Work
	add(pg.Decision != nil, "decision", "Decision", 0, false)
	add(r != nil && r.Statement != nil, "statement", "Review statement", 0, false)
	add(true, "submission", "Submission", 0, false)
	add(pg.Clock != nil, "clock", "How the deadline is set", 0, false)
	add(pg.ShowRequests(), "requests", "Information requests", len(pg.Requests), true)
	if w != nil {
		switch {
		case w.Findings != nil:
			add(true, "findings", "Findings", len(w.Findings.Rows), true)
		case w.Tally != nil:
			add(true, "findings", "Findings", w.Tally.Total, true)
		}
		if w.Attachments != nil {
			add(true, "attachments", "Documents", len(w.Attachments.Rows), true)
		}
		if w.Comments != nil {
			add(true, "comments", "Comments", len(w.Comments.Rows), true)
		}
	}
	if r != nil {
		add(r.ShowAmend, "amendments", "Amendments", len(r.Amendments), true)
		add(r.ShowResults, "benchmarks", "Benchmarks and risk tier", len(r.Results), true)
		if r.ShowResults && r.Evaluations != nil {
			add(true, "evaluations", "Evaluations", len(r.Evaluations.Rows), true)
		}
		add(len(r.Publish) > 0 || len(r.Published) > 0, "clearinghouse", "Clearinghouse", len(r.Published), false)
	}
	return out
}

// ShowRequests: the viewer reads the case's information requests.
func (pg *casePage) ShowRequests() bool {
	return pg.Content && pg.Case.Status != view.StatusLabel(docket.StatusDraft)
}

// Opens says whether the side column's form name is the one that came back
// with errors, so that it shows open with them.
func (pg *casePage) Opens(name string) bool {
	e := pg.Errors
	w, r := pg.Work, pg.Review
	switch name {
	case "ask":
		return e["question"] != ""
	case "answer":
		return pg.Form.AnswerFor != "" && e["answer"] != ""
	case "assign":
		return e["reviewer_ids"] != "" || e["lead_id"] != ""
	case "decide":
		// Open with its errors, or as typed when the lead went back from confirming.
		return e["outcome"] != "" || e["rationale"] != "" || pg.Form.Rationale != ""
	case "conflict":
		return e["reason"] != ""
	case "record":
		return w != nil && w.Form.Which == formRecord
	case "comment":
		return w != nil && w.Form.Which == formComment
	case "upload":
		return w != nil && w.Form.Which == formUpload && w.Form.For == ""
	case "amend":
		return r != nil && r.Form.Which == formAmend
	case "resolve":
		return r != nil && r.Form.Which == formResolveAmendment
	case "result":
		return r != nil && r.Form.Which == formResult
	case "import":
		return r != nil && r.Form.Which == formEvaluation
	}
	return false
}

// openAtDecisionOf lists what is still open on the case as its page shows it.
func openAtDecisionOf(pg *casePage) openAtDecision {
	var o openAtDecision
	if pg.Work != nil {
		for _, fv := range pg.Work.src.findings {
			f := fv.Finding
			of := openFinding{ID: f.ID, Title: f.Title, Severity: f.Severity,
				SeverityLabel: view.LabelOr(severityLabels[f.Severity], f.Severity), ResponseDue: f.ResponseDueAt}
			switch f.Status {
			case docket.FindingDraft:
				o.Drafts = append(o.Drafts, of)
			case docket.FindingShared:
				o.Unanswered = append(o.Unanswered, of)
			}
		}
	}
	for _, r := range pg.Requests {
		if r.Open {
			o.Requests = append(o.Requests, r)
		}
	}
	return o
}

// decideConfirmPage asks a lead to confirm a decision while work is open.
type decideConfirmPage struct {
	view.PageBase
	CaseID, Number, Model                   string
	Outcome, OutcomeLabel, Rationale, Conds string
	Open                                    openAtDecision
}

func decideConfirmOf(pg *casePage, open openAtDecision) decideConfirmPage {
	cp := decideConfirmPage{PageBase: pg.PageBase, CaseID: pg.Case.ID, Number: pg.Case.Number,
		Model: pg.Case.Model + " " + pg.Case.Version, Outcome: pg.Form.Outcome,
		OutcomeLabel: view.LabelOr(view.OutcomeLabels[pg.Form.Outcome], pg.Form.Outcome),
		Rationale:    pg.Form.Rationale, Conds: pg.Form.Conditions, Open: open}
	cp.Title = "Decide " + pg.Case.Number + "?"
	return cp
}
