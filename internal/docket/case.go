package docket

import (
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/docket/docket/internal/clock"
)

// Status is where a case stands in its lifecycle.
type Status string

// The case states of DESIGN.md.
const (
	StatusDraft       Status = "draft"
	StatusSubmitted   Status = "submitted"
	StatusInReview    Status = "in_review"
	StatusAwaitingLab Status = "awaiting_lab"
	StatusDecided     Status = "decided"
	StatusWithdrawn   Status = "withdrawn"
)

// Statuses lists every state, in lifecycle order.
var Statuses = []Status{StatusDraft, StatusSubmitted, StatusInReview, StatusAwaitingLab, StatusDecided, StatusWithdrawn}

// Open reports whether the review clock runs in this state.
func (s Status) Open() bool {
	return s == StatusSubmitted || s == StatusInReview || s == StatusAwaitingLab
}

// Final reports whether nothing more can happen to the case.
func (s Status) Final() bool { return s == StatusDecided || s == StatusWithdrawn }

// Valid reports whether s is a known state.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if s == x {
			return true
		}
	}
	return false
}

// Enumerations of a submission.
var (
	Modalities  = []string{"text", "multimodal", "code", "other"}
	Deployments = []string{"api", "open_weights", "consumer_app", "enterprise", "internal"}
	Outcomes    = []string{"no_concerns", "concerns_noted", "mitigations_requested"}
	RiskTiers   = []string{"low", "elevated", "high", "critical"}
	digestRE    = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	numberRE    = regexp.MustCompile(`^DKT-\d{4}-\d{4,}$`)
)

// Case is one submission of a model for review.
type Case struct {
	ID                   string
	OrgID                string
	OrgName              string
	Number               string
	Status               Status
	ModelName            string
	ModelVersion         string
	Summary              string
	WeightsDigest        string
	PlannedReleaseDate   clock.Date
	TrainingComputeFLOPs *float64
	Modality             string
	Deployment           string
	LeadID               string
	ReviewerIDs          []string
	RiskTier             string
	CreatedBy            string
	CreatedAt            time.Time
	UpdatedAt            time.Time
	ClosedAt             *time.Time
	// ConflictSince is when the release conflict arose, as of the case's last
	// change; nil when there was none then.
	ConflictSince *time.Time
	// RiskCriticalAt is when the case reached the critical risk tier, while it
	// stands there and its review is open; nil otherwise (see MarkRisk).
	RiskCriticalAt *time.Time
	// CapabilityJumpAt is when the open case first held a capability jump
	// over the line's previous version (see CapabilityJump); nil while it
	// holds none.
	CapabilityJumpAt *time.Time
	Clock            CaseClock
}

// CaseClock is the summary of a case's current review clock that lists and the
// dashboard need: the snapshot of the settings, the base deadline, the total of
// the closed stops and the start of the open one. GET /clock adds the stops.
type CaseClock struct {
	Seq                int // 1 for the first clock, more after restarts; 0 for a draft
	ReceivedAt         *time.Time
	StartedAt          *time.Time
	WindowDays         int
	Timezone           string
	PauseOnInfoRequest bool
	BaseDueAt          *time.Time
	ClosedStopped      time.Duration
	OpenStopAt         *time.Time
}

// Started reports whether the case has been submitted.
func (k CaseClock) Started() bool { return k.BaseDueAt != nil }

// Location returns the snapshotted zone.
func (k CaseClock) Location() *time.Location {
	loc, err := clock.LoadZone(k.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// DeadlineKey is the base deadline plus the closed stops: the deadline as it
// stands while no stop is open, used to key notifications.
func (k CaseClock) DeadlineKey() time.Time { return k.BaseDueAt.Add(k.ClosedStopped) }

// DueAt returns the deadline at now: base + closed stops + the open stop so far.
func (k CaseClock) DueAt(now time.Time) time.Time {
	due := k.DeadlineKey()
	if k.OpenStopAt != nil && now.After(*k.OpenStopAt) {
		due = due.Add(now.Sub(*k.OpenStopAt))
	}
	return clock.Ms(due)
}

// ClockView is what the API shows of a case's clock at an instant.
type ClockView struct {
	ReceivedAt      time.Time
	BaseDueAt       time.Time
	DueAt           time.Time
	Remaining       time.Duration
	Band            clock.Band
	ReleaseConflict bool
}

// View computes the clock at now, or nil for a draft.
func (c *Case) View(now time.Time, th clock.Thresholds) *ClockView {
	k := c.Clock
	if !k.Started() {
		return nil
	}
	due := k.DueAt(now)
	end := now
	if c.ClosedAt != nil {
		end = *c.ClosedAt
	}
	remaining := due.Sub(end)
	if k.OpenStopAt != nil {
		remaining = k.DeadlineKey().Sub(*k.OpenStopAt)
	}
	return &ClockView{
		ReceivedAt:      *k.ReceivedAt,
		BaseDueAt:       *k.BaseDueAt,
		DueAt:           due,
		Remaining:       remaining,
		Band:            clock.BandFor(remaining, k.OpenStopAt != nil, c.Status.Final(), th),
		ReleaseConflict: c.ReleaseConflict(now),
	}
}

// ReleaseConflict reports whether the planned release falls on or before the
// local date of the deadline while the review is open.
func (c *Case) ReleaseConflict(now time.Time) bool {
	if !c.Clock.Started() || !c.Status.Open() {
		return false
	}
	return clock.ReleaseConflict(c.PlannedReleaseDate, c.Clock.DueAt(now), c.Clock.Location())
}

// MarkConflict records, at a change made at now, whether a release conflict
// stands and since when.
func (c *Case) MarkConflict(now time.Time) {
	switch {
	case !c.ReleaseConflict(now):
		c.ConflictSince = nil
	case c.ConflictSince == nil:
		c.ConflictSince = &now
	}
}

// ConflictStart returns when the release conflict arose, or nil when there is
// none at now. A stop can create a conflict while it runs: the deadline moves
// later until its local date reaches the release date.
func (c *Case) ConflictStart(now time.Time) *time.Time {
	if !c.ReleaseConflict(now) {
		return nil
	}
	k := c.Clock
	if k.OpenStopAt != nil {
		// The deadline reached the release day's start at this instant.
		crossing := clock.StartOfDay(c.PlannedReleaseDate, k.Location()).Sub(k.DeadlineKey())
		at := k.OpenStopAt.Add(crossing)
		if at.After(*k.OpenStopAt) {
			if c.ConflictSince == nil || at.Before(*c.ConflictSince) {
				return &at
			}
		}
	}
	if c.ConflictSince != nil {
		return c.ConflictSince
	}
	return &now
}

// ConflictCrossing returns the instant a stopped clock's deadline, moving
// later while the stop runs, reaches the planned release day: the release
// conflict a running stop creates, still to come. It is nil while the clock
// runs, when no release is planned, and for a closed case.
func (c *Case) ConflictCrossing() *time.Time {
	k := c.Clock
	if !k.Started() || !c.Status.Open() || k.OpenStopAt == nil || c.PlannedReleaseDate.IsZero() {
		return nil
	}
	at := k.OpenStopAt.Add(clock.StartOfDay(c.PlannedReleaseDate, k.Location()).Sub(k.DeadlineKey()))
	if !at.After(*k.OpenStopAt) {
		return nil
	}
	return &at
}

// IsReviewer reports whether the user is in the case's reviewer set.
func (c *Case) IsReviewer(userID string) bool {
	for _, id := range c.ReviewerIDs {
		if id == userID {
			return true
		}
	}
	return false
}

// CaseInput carries the fields a lab may set on a case; nil means "not given".
type CaseInput struct {
	ModelName            *string  `json:"model_name"`
	ModelVersion         *string  `json:"model_version"`
	Summary              *string  `json:"summary"`
	WeightsDigest        *string  `json:"weights_digest"`
	PlannedReleaseDate   *string  `json:"planned_release_date"`
	TrainingComputeFLOPs *float64 `json:"training_compute_flops"`
	Modality             *string  `json:"modality"`
	Deployment           *string  `json:"deployment"`
}

// Apply validates the given fields and copies them onto c. Every failure is a
// 422 naming its field; c is unchanged on error.
func (in CaseInput) Apply(c *Case) error {
	next := *c
	if in.ModelName != nil {
		if err := validName("model_name", *in.ModelName, 200); err != nil {
			return err
		}
		next.ModelName = strings.TrimSpace(*in.ModelName)
	}
	if in.ModelVersion != nil {
		if err := validName("model_version", *in.ModelVersion, 100); err != nil {
			return err
		}
		next.ModelVersion = strings.TrimSpace(*in.ModelVersion)
	}
	if in.Summary != nil {
		if len(*in.Summary) > 20000 {
			return Unacceptable("summary", "must be at most 20000 bytes")
		}
		next.Summary = *in.Summary
	}
	if in.WeightsDigest != nil {
		if *in.WeightsDigest != "" && !ValidDigest(*in.WeightsDigest) {
			return Unacceptable("weights_digest", "must be sha256: followed by 64 lowercase hex digits")
		}
		next.WeightsDigest = *in.WeightsDigest
	}
	if in.PlannedReleaseDate != nil {
		next.PlannedReleaseDate = clock.Date{}
		if *in.PlannedReleaseDate != "" {
			d, err := clock.ParseDate(*in.PlannedReleaseDate)
			if err != nil {
				return Unacceptable("planned_release_date", "must be a date YYYY-MM-DD")
			}
			next.PlannedReleaseDate = d
		}
	}
	if in.TrainingComputeFLOPs != nil {
		f := *in.TrainingComputeFLOPs
		if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e40 {
			return Unacceptable("training_compute_flops", "must be a non-negative number")
		}
		next.TrainingComputeFLOPs = &f
	}
	if in.Modality != nil {
		if *in.Modality != "" && !oneOf(*in.Modality, Modalities) {
			return Unacceptable("modality", "must be one of %s", strings.Join(Modalities, ", "))
		}
		next.Modality = *in.Modality
	}
	if in.Deployment != nil {
		if *in.Deployment != "" && !oneOf(*in.Deployment, Deployments) {
			return Unacceptable("deployment", "must be one of %s", strings.Join(Deployments, ", "))
		}
		next.Deployment = *in.Deployment
	}
	*c = next
	return nil
}

// Changes lists the fields the input sets, for the audit trail; the summary is
// confidential and recorded only by hash.
func (in CaseInput) Changes() Changes {
	ch := Changes{}
	set := func(name string, p *string) {
		if p != nil {
			ch.Set(name, *p)
		}
	}
	set("model_name", in.ModelName)
	set("model_version", in.ModelVersion)
	set("weights_digest", in.WeightsDigest)
	set("planned_release_date", in.PlannedReleaseDate)
	set("modality", in.Modality)
	set("deployment", in.Deployment)
	if in.TrainingComputeFLOPs != nil {
		ch.Set("training_compute_flops", *in.TrainingComputeFLOPs)
	}
	if in.Summary != nil {
		ch.Secret("summary", *in.Summary)
	}
	return ch
}

// ReadyToSubmit checks that a draft names everything a review needs.
func (c *Case) ReadyToSubmit() error {
	switch {
	case c.ModelName == "":
		return Unacceptable("model_name", "is required to submit")
	case c.ModelVersion == "":
		return Unacceptable("model_version", "is required to submit")
	case c.WeightsDigest == "":
		return Unacceptable("weights_digest", "is required to submit")
	case c.Modality == "":
		return Unacceptable("modality", "is required to submit")
	case c.Deployment == "":
		return Unacceptable("deployment", "is required to submit")
	}
	return nil
}

// ValidDigest reports whether s is sha256: and 64 lowercase hex digits.
func ValidDigest(s string) bool { return digestRE.MatchString(s) }

// ValidCaseNumber reports whether s has the DKT-YYYY-NNNN form.
func ValidCaseNumber(s string) bool { return numberRE.MatchString(s) }

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// OneOf reports whether s is in set.
func OneOf(s string, set []string) bool { return oneOf(s, set) }
