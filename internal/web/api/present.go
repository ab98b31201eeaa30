package api

import (
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

type orgJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	CreatedAt string `json:"created_at"`
}

func presentOrg(o docket.Org) orgJSON {
	return orgJSON{ID: o.ID, Name: o.Name, Kind: o.Kind, CreatedAt: httpx.Instant(o.CreatedAt)}
}

type userJSON struct {
	ID        string  `json:"id"`
	Email     string  `json:"email"`
	Name      string  `json:"name"`
	Role      string  `json:"role"`
	Org       orgJSON `json:"org"`
	Disabled  bool    `json:"disabled"`
	SSOOnly   bool    `json:"sso_only"`
	CreatedAt string  `json:"created_at"`
	UpdatedAt string  `json:"updated_at"`
}

func presentUser(u *docket.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Org: presentOrg(u.Org),
		Disabled: u.Disabled, SSOOnly: u.SSOOnly, CreatedAt: httpx.Instant(u.CreatedAt), UpdatedAt: httpx.Instant(u.UpdatedAt)}
}

type orgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type caseClockJSON struct {
	ReceivedAt       string  `json:"received_at"`
	BaseDueAt        string  `json:"base_due_at"`
	DueAt            string  `json:"due_at"`
	RemainingSeconds float64 `json:"remaining_seconds"`
	Band             string  `json:"band"`
	ReleaseConflict  bool    `json:"release_conflict"`
}

type caseJSON struct {
	ID                   string         `json:"id"`
	Number               *string        `json:"number"`
	Org                  orgRef         `json:"org"`
	Status               string         `json:"status"`
	ModelName            string         `json:"model_name"`
	ModelVersion         string         `json:"model_version"`
	Summary              *string        `json:"summary,omitempty"`
	WeightsDigest        *string        `json:"weights_digest"`
	PlannedReleaseDate   *string        `json:"planned_release_date"`
	TrainingComputeFLOPs *float64       `json:"training_compute_flops"`
	Modality             *string        `json:"modality"`
	Deployment           *string        `json:"deployment"`
	LeadID               *string        `json:"lead_id"`
	ReviewerIDs          []string       `json:"reviewer_ids"`
	RiskTier             *string        `json:"risk_tier"`
	Clock                *caseClockJSON `json:"clock"`
	AllowedActions       []string       `json:"allowed_actions"`
	CreatedAt            string         `json:"created_at"`
	UpdatedAt            string         `json:"updated_at"`
}

func presentClock(v *docket.ClockView) *caseClockJSON {
	if v == nil {
		return nil
	}
	return &caseClockJSON{ReceivedAt: httpx.Instant(v.ReceivedAt), BaseDueAt: httpx.Instant(v.BaseDueAt), DueAt: httpx.Instant(v.DueAt),
		RemainingSeconds: httpx.Seconds(v.Remaining), Band: string(v.Band), ReleaseConflict: v.ReleaseConflict}
}

// presentCase shows a case as the actor may see it: the summary only with
// content access, the risk tier never to labs.
func presentCase(a docket.Actor, v *app.CaseView) caseJSON {
	c := v.Case
	out := caseJSON{ID: c.ID, Number: httpx.StrPtr(c.Number), Org: orgRef{ID: c.OrgID, Name: c.OrgName},
		Status: string(c.Status), ModelName: c.ModelName, ModelVersion: c.ModelVersion,
		WeightsDigest: httpx.StrPtr(c.WeightsDigest), TrainingComputeFLOPs: c.TrainingComputeFLOPs,
		Modality: httpx.StrPtr(c.Modality), Deployment: httpx.StrPtr(c.Deployment), LeadID: httpx.StrPtr(c.LeadID),
		ReviewerIDs: c.ReviewerIDs, Clock: presentClock(v.Clock), AllowedActions: []string{},
		CreatedAt: httpx.Instant(c.CreatedAt), UpdatedAt: httpx.Instant(c.UpdatedAt)}
	if out.ReviewerIDs == nil {
		out.ReviewerIDs = []string{}
	}
	if !c.PlannedReleaseDate.IsZero() {
		out.PlannedReleaseDate = httpx.StrPtr(c.PlannedReleaseDate.String())
	}
	if v.Content {
		s := c.Summary
		out.Summary = &s
	}
	if a.Role != docket.RoleLabMember {
		out.RiskTier = httpx.StrPtr(c.RiskTier)
	}
	for _, act := range v.Allowed {
		out.AllowedActions = append(out.AllowedActions, string(act))
	}
	return out
}

type infoRequestJSON struct {
	ID       string  `json:"id"`
	CaseID   string  `json:"case_id"`
	Question string  `json:"question"`
	Answer   *string `json:"answer"`
	Status   string  `json:"status"`
	OpenedAt string  `json:"opened_at"`
	ClosedAt *string `json:"closed_at"`
}

func presentRequest(r *docket.InfoRequest) infoRequestJSON {
	return infoRequestJSON{ID: r.ID, CaseID: r.CaseID, Question: r.Question, Answer: httpx.StrPtr(r.Answer),
		Status: r.Status, OpenedAt: httpx.Instant(r.OpenedAt), ClosedAt: httpx.InstantPtr(r.ClosedAt)}
}

type stopJSON struct {
	StartedAt     string  `json:"started_at"`
	EndedAt       *string `json:"ended_at"`
	Seconds       float64 `json:"seconds"`
	Reason        string  `json:"reason"`
	InfoRequestID *string `json:"info_request_id"`
}

func presentStops(stops []docket.ClockStop, now time.Time) []stopJSON {
	out := []stopJSON{}
	for _, s := range stops {
		end := now
		if s.EndedAt != nil {
			end = *s.EndedAt
		}
		out = append(out, stopJSON{StartedAt: httpx.Instant(s.StartedAt), EndedAt: httpx.InstantPtr(s.EndedAt), Seconds: httpx.Seconds(end.Sub(s.StartedAt)),
			Reason: s.Reason, InfoRequestID: httpx.StrPtr(s.InfoRequestID)})
	}
	return out
}

type historyJSON struct {
	StartedAt  string     `json:"started_at"`
	WindowDays int        `json:"window_days"`
	Timezone   string     `json:"timezone"`
	BaseDueAt  string     `json:"base_due_at"`
	EndedAt    *string    `json:"ended_at"`
	EndReason  string     `json:"end_reason"`
	Stops      []stopJSON `json:"stops"`
}

type clockDetailJSON struct {
	ReceivedAt       string        `json:"received_at"`
	StartedAt        string        `json:"started_at"`
	WindowDays       int           `json:"window_days"`
	Timezone         string        `json:"timezone"`
	PauseOnInfo      bool          `json:"pause_on_info_request"`
	BaseDueAt        string        `json:"base_due_at"`
	Stops            []stopJSON    `json:"stops"`
	StoppedSeconds   float64       `json:"stopped_seconds"`
	DueAt            string        `json:"due_at"`
	RemainingSeconds float64       `json:"remaining_seconds"`
	Band             string        `json:"band"`
	ReleaseConflict  bool          `json:"release_conflict"`
	History          []historyJSON `json:"history"`
}

func presentClockDetail(d *app.ClockDetail) clockDetailJSON {
	v := d.View
	k := d.Case.Clock
	out := clockDetailJSON{ReceivedAt: httpx.Instant(v.ReceivedAt), StartedAt: httpx.Instant(*k.StartedAt), WindowDays: k.WindowDays,
		Timezone: k.Timezone, PauseOnInfo: k.PauseOnInfoRequest, BaseDueAt: httpx.Instant(v.BaseDueAt),
		Stops: presentStops(d.Stops, d.At), StoppedSeconds: httpx.Seconds(v.DueAt.Sub(v.BaseDueAt)), DueAt: httpx.Instant(v.DueAt),
		RemainingSeconds: httpx.Seconds(v.Remaining), Band: string(v.Band), ReleaseConflict: v.ReleaseConflict,
		History: []historyJSON{}}
	for _, h := range d.History {
		out.History = append(out.History, historyJSON{StartedAt: httpx.Instant(h.Record.StartedAt), WindowDays: h.Record.WindowDays,
			Timezone: h.Record.Timezone, BaseDueAt: httpx.Instant(h.Record.BaseDueAt), EndedAt: httpx.InstantPtr(h.Record.EndedAt),
			EndReason: h.Record.EndReason, Stops: presentStops(h.Stops, d.At)})
	}
	return out
}

type auditJSON struct {
	Seq         int64  `json:"seq"`
	ID          string `json:"id"`
	At          string `json:"at"`
	ActorID     string `json:"actor_id"`
	ActorRole   string `json:"actor_role"`
	OrgID       string `json:"org_id"`
	Action      string `json:"action"`
	SubjectType string `json:"subject_type"`
	SubjectID   string `json:"subject_id"`
	CaseID      string `json:"case_id"`
	RequestID   string `json:"request_id"`
	ClientIP    string `json:"client_ip"`
	Changes     any    `json:"changes,omitempty"`
	Hash        string `json:"hash"`
	PrevHash    string `json:"prev_hash"`
}
