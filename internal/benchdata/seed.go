// Package benchdata makes synthetic deployments for benchmarks, written
// straight through the store in large batches rather than through the use
// cases. The benchmark program (cmd/docket-bench) and the benchmark tests
// use it; the product never does.
package benchdata

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// Store is what Seed writes through: a *store.Store, by the hook it keeps
// for this package alone (internal/store/bulk.go: BulkWrite, BulkInsert),
// Exec for SQLite's page cache, and Postgres to tell the engines apart. It is
// named here by what Seed needs, rather than imported, so that the store's
// own tests can seed.
type Store interface {
	BulkWrite(ctx context.Context, fn func(t app.Tx, db *gorm.DB) error) error
	BulkInsert(db *gorm.DB, rows any) error
	Exec(sql string) error
	Postgres() bool
}

// SeedOptions describe a synthetic deployment for benchmarks, written straight
// through the store in large batches rather than through the use cases.
type SeedOptions struct {
	// Cases is how many cases to write.
	Cases int
	// Now is the instant at which the dataset is consistent: every clock,
	// finding and audit event lies before it.
	Now time.Time
	// PasswordHash is every seeded user's password hash (hash once, sign in as anyone).
	PasswordHash string
	// Timezone is the agency zone of the clocks (default America/New_York);
	// WindowDays the review window (default 30).
	Timezone   string
	WindowDays int
	// Labs, Leads and Reviewers size the organisations (defaults 20, 3, 12).
	Labs, Leads, Reviewers int
	// OpenOnly writes only open cases in review with a lead and far deadlines
	// (10 to 30 days), nothing else: the shape the sweep benchmarks need.
	// Nothing is due at Now except, for the first DueSoon cases, the
	// seven-day reminder.
	OpenOnly bool
	DueSoon  int
	// AuditEvents, when more than the cases bring, pads the audit chain
	// with sign-ins of the seeded users spread over the batches, up to this
	// many events in all (national scale: 10,000,000).
	AuditEvents int
	// AuditKey hashes the audit trail's confidential values (app.AuditKey of
	// the deployment's secret); without one, a key made for this seed alone.
	AuditKey []byte
}

// Seeded is what Seed wrote: the users, one lab member per lab, and the ids
// of the cases.
type Seeded struct {
	Admin, Compliance *docket.User
	Leads, Reviewers  []*docket.User
	LabMembers        []*docket.User
	// CaseIDs are every case; Visible those an agency user sees (not drafts);
	// Recordable[userID] the open cases the user leads and has attested on,
	// where it may record findings.
	CaseIDs    []string
	Visible    []string
	Recordable map[string][]string
	// Findings, Entries (of the Clearinghouse) and AuditEvents count what was written.
	Findings, Entries, AuditEvents int
}

// seedBatch is how many cases go into one write transaction.
const seedBatch = 2000

// Seed writes a synthetic deployment into a migrated, empty database: an
// agency with an admin, a compliance officer, leads and reviewers; labs with
// one member each; and opts.Cases cases. Unless OpenOnly, the cases cover
// every state and band — drafts, unassigned submissions, cases in review
// (some with closed stops, some with a release conflict, some lapsed), paused
// cases with an open information request, decided and withdrawn ones — with
// reviewers, attestations, findings in every state, clock records, stops, and
// an audit trail whose chain verifies. It is deterministic for given options.
func Seed(ctx context.Context, st Store, opts SeedOptions) (*Seeded, error) {
	if opts.Timezone == "" {
		opts.Timezone = "America/New_York"
	}
	if opts.WindowDays == 0 {
		opts.WindowDays = 30
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if opts.OpenOnly {
		def(&opts.Labs, 1)
		def(&opts.Leads, 1)
		def(&opts.Reviewers, 1)
	} else {
		def(&opts.Labs, 20)
		def(&opts.Leads, 3)
		def(&opts.Reviewers, 12)
	}
	loc, err := time.LoadLocation(opts.Timezone)
	if err != nil {
		return nil, err
	}
	if len(opts.AuditKey) == 0 {
		opts.AuditKey = make([]byte, 32)
		if _, err := crand.Read(opts.AuditKey); err != nil {
			return nil, err
		}
	}
	// A seeded, repeatable generator for benchmark data: it guards no secret.
	rng := rand.New(rand.NewPCG(1, uint64(max(opts.Cases, 0)))) // #nosec G404 G115 -- repeatable benchmark data; Cases is not negative
	g := &seeder{st: st, opts: opts, loc: loc, now: clock.Ms(opts.Now), rng: rng,
		out: &Seeded{Recordable: map[string][]string{}}, counters: map[int]int{}, entries: map[int]int{}, ids: uint64(opts.Now.UnixMilli()) % (1 << 40) << 8}
	if err := g.users(ctx); err != nil {
		return nil, fmt.Errorf("seed: users: %w", err)
	}
	// A large page cache for SQLite's writer while seeding: the indexes on
	// random ids otherwise thrash its default 2 MB.
	if !st.Postgres() {
		if err := st.Exec(`PRAGMA cache_size = -262144`); err != nil {
			return nil, err
		}
		defer st.Exec(`PRAGMA cache_size = -2000`)
	}
	for start := 0; start < opts.Cases; start += seedBatch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		end := min(start+seedBatch, opts.Cases)
		err := st.BulkWrite(ctx, func(_ app.Tx, db *gorm.DB) error {
			g.reset()
			for i := start; i < end; i++ {
				if opts.OpenOnly {
					g.openCase(i)
				} else {
					g.anyCase(i)
				}
			}
			g.pad(int(int64(opts.AuditEvents) * int64(end) / int64(opts.Cases)))
			if st.Postgres() {
				return g.copyFlush(ctx, db)
			}
			return g.flush(db)
		})
		if err != nil {
			return nil, fmt.Errorf("seed: cases: %w", err)
		}
	}
	return g.out, nil
}

type seeder struct {
	st   Store
	opts SeedOptions
	loc  *time.Location
	now  time.Time
	rng  *rand.Rand
	out  *Seeded
	// The lab each lab member belongs to, by organisation.
	labs []*docket.User
	// ids counts the ids made; the first comes from the clock.
	ids uint64
	// counters are the case numbers used per year, entries the Clearinghouse's;
	// seq and hash the audit chain's head.
	counters map[int]int
	entries  map[int]int
	seq      int64
	hash     string

	cases      []*docket.Case
	reviewers  []caseReviewerRow
	attests    []attestationRow
	clocks     []docket.ClockRecord
	stops      []docket.ClockStop
	requests   []docket.InfoRequest
	decisions  []docket.Decision
	entryRows  []docket.ClearinghouseEntry
	findings   []*docket.Finding
	recipients []findingRecipientRow
	audit      []docket.AuditEvent
}

// caseReviewerRow, attestationRow and findingRecipientRow are rows of the
// link tables, written as they are; the store writes the rest from the
// domain's types (Store.BulkInsert).
type caseReviewerRow struct {
	CaseID string
	UserID string
}

func (caseReviewerRow) TableName() string { return "case_reviewers" }

type attestationRow struct {
	CaseID string
	UserID string
	At     int64
}

func (attestationRow) TableName() string { return "attestations" }

type findingRecipientRow struct {
	FindingID string
	UserID    string
}

func (findingRecipientRow) TableName() string { return "finding_recipients" }

func (g *seeder) reset() {
	g.cases, g.reviewers, g.attests, g.clocks = g.cases[:0], g.reviewers[:0], g.attests[:0], g.clocks[:0]
	g.stops, g.requests, g.decisions, g.findings = g.stops[:0], g.requests[:0], g.decisions[:0], g.findings[:0]
	g.entryRows = g.entryRows[:0]
	g.recipients, g.audit = g.recipients[:0], g.audit[:0]
}

// users writes the agency, the labs and their users, each with its audit event.
func (g *seeder) users(ctx context.Context) error {
	return g.st.BulkWrite(ctx, func(t app.Tx, db *gorm.DB) error {
		var err error
		if g.seq, g.hash, err = t.Audit().AuditHead(); err != nil {
			return err
		}
		var counters []struct{ Year, Last int }
		if err := db.Raw(`SELECT year, last FROM case_counters`).Scan(&counters).Error; err != nil {
			return err
		}
		for _, c := range counters {
			g.counters[c.Year] = c.Last
		}
		counters = nil
		if err := db.Raw(`SELECT year, last FROM clearinghouse_counters`).Scan(&counters).Error; err != nil {
			return err
		}
		for _, c := range counters {
			g.entries[c.Year] = c.Last
		}
		at := g.now.Add(-400 * 24 * time.Hour)
		newOrg := func(name, kind string) (*docket.Org, error) {
			o := &docket.Org{ID: g.id(), Name: name, Kind: kind, CreatedAt: at}
			if err := t.Users().CreateOrg(o); err != nil {
				return nil, err
			}
			g.event(at, nil, "org.created", "org", o.ID, "", docket.Changes{"name": name, "kind": kind})
			return o, nil
		}
		newUser := func(org *docket.Org, email, name string, role docket.Role) (*docket.User, error) {
			u := &docket.User{ID: g.id(), OrgID: org.ID, Email: email, Name: name, Role: role,
				PasswordHash: g.opts.PasswordHash, CreatedAt: at, UpdatedAt: at, Org: *org}
			if err := t.Users().CreateUser(u); err != nil {
				return nil, err
			}
			g.event(at, nil, "user.created", "user", u.ID, "", docket.Changes{"email": email, "role": string(role)})
			return u, nil
		}
		agency, err := newOrg("Office of AI Model Review", "agency")
		if err != nil {
			return err
		}
		if g.out.Admin, err = newUser(agency, "admin@agency.example", "Admin", docket.RoleAdmin); err != nil {
			return err
		}
		if g.out.Compliance, err = newUser(agency, "compliance@agency.example", "Compliance Officer", docket.RoleCompliance); err != nil {
			return err
		}
		for i := range g.opts.Leads {
			u, err := newUser(agency, fmt.Sprintf("lead%02d@agency.example", i+1), fmt.Sprintf("Lead %d", i+1), docket.RoleReviewLead)
			if err != nil {
				return err
			}
			g.out.Leads = append(g.out.Leads, u)
		}
		for i := range g.opts.Reviewers {
			u, err := newUser(agency, fmt.Sprintf("reviewer%02d@agency.example", i+1), fmt.Sprintf("Reviewer %d", i+1), docket.RoleReviewer)
			if err != nil {
				return err
			}
			g.out.Reviewers = append(g.out.Reviewers, u)
		}
		for i := range g.opts.Labs {
			lab, err := newOrg(fmt.Sprintf("Frontier Lab %02d", i+1), "lab")
			if err != nil {
				return err
			}
			u, err := newUser(lab, fmt.Sprintf("member@lab%02d.example", i+1), fmt.Sprintf("Lab Member %d", i+1), docket.RoleLabMember)
			if err != nil {
				return err
			}
			g.out.LabMembers = append(g.out.LabMembers, u)
		}
		g.labs = g.out.LabMembers
		return g.flush(db)
	})
}

// id makes a deterministic id, unique within one database.
// The ids are laid out as UUIDv7 (a rising 48-bit prefix, then random
// bits), so that the seed appends to its indexes rather than writing all
// over them; Docket's own ids are random (v4), and both are opaque strings.
func (g *seeder) id() string {
	g.ids++
	return fmt.Sprintf("%08x-%04x-7%03x-8%03x-%012x", g.ids>>16&0xffffffff, g.ids&0xffff, g.rng.IntN(1<<12),
		g.rng.IntN(1<<12), g.rng.Uint64()&(1<<48-1))
}

// event appends an audit event to the chain (written by flush).
func (g *seeder) event(at time.Time, actor *docket.User, action, subjectType, subjectID, caseID string, ch docket.Changes) {
	changes, err := ch.JSON(g.opts.AuditKey, docket.AuditSubject(subjectType, subjectID))
	if err != nil {
		panic(err) // the key is set in Seed
	}
	ev := docket.AuditEvent{ID: g.id(), At: clock.Ms(at), Action: action, SubjectType: subjectType,
		SubjectID: subjectID, CaseID: caseID, RequestID: "seed", ClientIP: "127.0.0.1", Changes: changes}
	if actor != nil {
		ev.ActorID, ev.ActorRole, ev.OrgID = actor.ID, string(actor.Role), actor.OrgID
	} else {
		ev.ActorID, ev.ActorRole = "cli", "cli"
	}
	g.seq++
	ev.Seq, ev.PrevHash = g.seq, g.hash
	ev.Hash = ev.ComputeHash()
	g.hash = ev.Hash
	g.audit = append(g.audit, ev)
	g.out.AuditEvents++
}

// pad appends sign-ins of seeded users, at times over the past year,
// until the chain holds upto events.
func (g *seeder) pad(upto int) {
	if g.out.AuditEvents >= upto {
		return
	}
	users := append(append([]*docket.User{g.out.Compliance}, g.out.Leads...), g.out.Reviewers...)
	users = append(users, g.labs...)
	for g.out.AuditEvents < upto {
		u := users[g.rng.IntN(len(users))]
		at := clock.Ms(g.now.Add(-g.dur(time.Minute, 365*24*time.Hour)))
		g.event(at, u, "auth.sign_in", "user", u.ID, "", docket.Changes{"result": "success"})
	}
}

// number allocates the next case number of the year of received (agency zone).
func (g *seeder) number(received time.Time) string {
	y := received.In(g.loc).Year()
	g.counters[y]++
	return fmt.Sprintf("DKT-%d-%04d", y, g.counters[y])
}

// openCase is the sweep's shape: in review with a lead, due 10 to 30 days
// ahead, or for the first DueSoon a little over six days ahead.
func (g *seeder) openCase(i int) {
	now := g.now
	received := now.Add(-time.Duration(i%20) * 24 * time.Hour)
	if i < g.opts.DueSoon {
		received = now.Add(-time.Duration(23*24+12) * time.Hour)
	}
	base := received.Add(time.Duration(g.opts.WindowDays) * 24 * time.Hour)
	lab, lead := g.labs[i%len(g.labs)], g.out.Leads[i%len(g.out.Leads)]
	c := &docket.Case{ID: fmt.Sprintf("case-%06d", i), OrgID: lab.OrgID, Number: fmt.Sprintf("DKT-2026-%06d", i+1),
		Status: docket.StatusInReview, ModelName: "Model", ModelVersion: "1", LeadID: lead.ID, RiskTier: "low",
		CreatedBy: lab.ID, CreatedAt: received, UpdatedAt: received}
	c.Clock = docket.CaseClock{Seq: 1, ReceivedAt: &received, StartedAt: &received, WindowDays: g.opts.WindowDays,
		Timezone: g.opts.Timezone, PauseOnInfoRequest: true, BaseDueAt: &base}
	g.cases = append(g.cases, c)
	g.out.CaseIDs = append(g.out.CaseIDs, c.ID)
	g.out.Visible = append(g.out.Visible, c.ID)
}

// dur is a random duration in [lo, hi).
func (g *seeder) dur(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(g.rng.Int64N(int64(hi-lo)))
}

// anyCase writes one case of a state drawn by weight, with its history.
func (g *seeder) anyCase(i int) {
	const day = 24 * time.Hour
	now := g.now
	lab := g.labs[i%len(g.labs)]
	c := &docket.Case{ID: g.id(), OrgID: lab.OrgID, RiskTier: "low", CreatedBy: lab.ID,
		ModelName:    fmt.Sprintf("%s %d", []string{"Atlas", "Borealis", "Cirrus", "Dynamo", "Ember", "Fathom"}[i%6], 1+i%9),
		ModelVersion: fmt.Sprintf("%d.%d", 1+i%4, i%10), Summary: "A frontier model submitted for pre-release review.",
		WeightsDigest: fmt.Sprintf("sha256:%064x", g.rng.Uint64()), Modality: docket.Modalities[i%len(docket.Modalities)],
		Deployment: docket.Deployments[i%len(docket.Deployments)], ReviewerIDs: []string{}}
	flops := float64(1+i%9) * 1e25
	c.TrainingComputeFLOPs = &flops
	p := g.rng.IntN(100)
	var received time.Time
	switch {
	case p < 4:
		c.Status = docket.StatusDraft
		c.CreatedAt = now.Add(-g.dur(time.Hour, 20*day))
	case p < 12:
		c.Status = docket.StatusSubmitted
		received = now.Add(-g.dur(time.Minute, 4*day))
	case p < 60:
		c.Status = docket.StatusInReview
		received = now.Add(-g.dur(time.Hour, 33*day))
	case p < 72:
		c.Status = docket.StatusAwaitingLab
		received = now.Add(-g.dur(2*day, 28*day))
	case p < 93:
		c.Status = docket.StatusDecided
		received = now.Add(-g.dur(31*day, 150*day))
	default:
		c.Status = docket.StatusWithdrawn
		received = now.Add(-g.dur(5*day, 120*day))
	}
	received = clock.Ms(received)
	if c.Status == docket.StatusDraft {
		c.CreatedAt = clock.Ms(c.CreatedAt)
		c.UpdatedAt = c.CreatedAt
		g.event(c.CreatedAt, lab, "case.created", "case", c.ID, c.ID, docket.Changes{"model_name": c.ModelName})
		g.cases = append(g.cases, c)
		g.out.CaseIDs = append(g.out.CaseIDs, c.ID)
		return
	}
	c.CreatedAt = clock.Ms(received.Add(-g.dur(time.Hour, 3*day)))
	g.event(c.CreatedAt, lab, "case.created", "case", c.ID, c.ID, docket.Changes{"model_name": c.ModelName})
	c.Number = g.number(received)
	base := clock.BaseDue(received, g.opts.WindowDays, g.loc)
	k := &c.Clock
	k.Seq, k.ReceivedAt, k.StartedAt, k.WindowDays, k.Timezone = 1, &received, &received, g.opts.WindowDays, g.opts.Timezone
	k.PauseOnInfoRequest, k.BaseDueAt = true, &base
	g.event(received, lab, "case.submitted", "case", c.ID, c.ID,
		docket.Changes{"status": map[string]string{"from": "draft", "to": "submitted"}, "number": c.Number})
	if g.rng.IntN(100) < 30 {
		release := clock.DateOf(base, g.loc).AddDays(g.rng.IntN(60) - 10)
		c.PlannedReleaseDate = release
	}
	last := received // the latest thing that happened to the case

	// Assignment and attestations: everything but an unassigned submission.
	var lead *docket.User
	if c.Status != docket.StatusSubmitted {
		lead = g.out.Leads[i%len(g.out.Leads)]
		c.LeadID = lead.ID
		r1 := g.out.Reviewers[i%len(g.out.Reviewers)]
		r2 := g.out.Reviewers[(i+1+i/len(g.out.Reviewers))%len(g.out.Reviewers)]
		c.ReviewerIDs = []string{r1.ID}
		if r2.ID != r1.ID {
			c.ReviewerIDs = append(c.ReviewerIDs, r2.ID)
		}
		assigned := received.Add(g.dur(time.Hour, 20*time.Hour))
		if c.Status == docket.StatusWithdrawn && assigned.After(now) {
			assigned = received
		}
		g.event(assigned, lead, "case.assigned", "case", c.ID, c.ID,
			docket.Changes{"status": map[string]string{"from": "submitted", "to": "in_review"}, "lead_id": lead.ID, "reviewer_ids": c.ReviewerIDs})
		for _, u := range append([]string{lead.ID}, c.ReviewerIDs...) {
			g.attests = append(g.attests, attestationRow{CaseID: c.ID, UserID: u, At: assigned.UnixMilli()})
			g.event(assigned, g.user(u), "case.attested", "case", c.ID, c.ID, nil)
		}
		for _, u := range c.ReviewerIDs {
			g.reviewers = append(g.reviewers, caseReviewerRow{CaseID: c.ID, UserID: u})
		}
		last = assigned
	}

	// Findings, recorded after assignment.
	if lead != nil {
		for range g.rng.IntN(4) {
			last = later(last, g.finding(c, lead, lab, last))
		}
	}

	// Stops: an open one for a case awaiting the lab, a closed one for some in review.
	switch {
	case c.Status == docket.StatusAwaitingLab:
		opened := clock.Ms(later(last, received).Add(g.dur(time.Hour, max(2*time.Hour, now.Sub(later(last, received))/2))))
		if opened.After(now) {
			opened = now.Add(-time.Hour)
		}
		g.stop(c, lead, lab, opened, nil)
		k.OpenStopAt = &opened
		last = later(last, opened)
	case c.Status == docket.StatusInReview && g.rng.IntN(10) == 0:
		opened := clock.Ms(received.Add(g.dur(time.Hour, 2*day)))
		closed := clock.Ms(opened.Add(g.dur(time.Hour, 3*day)))
		if closed.Before(now) {
			g.stop(c, lead, lab, opened, &closed)
			k.ClosedStopped += closed.Sub(opened)
			last = later(last, closed)
		}
	}

	// The end of the review.
	switch c.Status {
	case docket.StatusDecided:
		decided := clock.Ms(received.Add(g.dur(5*day, 29*day)))
		decided = later(decided, last.Add(time.Hour))
		c.ClosedAt = &decided
		outcome := docket.Outcomes[i%len(docket.Outcomes)]
		g.decisions = append(g.decisions, docket.Decision{CaseID: c.ID, Outcome: outcome, Rationale: "Reviewed against the agency's benchmarks.",
			WeightsDigest: c.WeightsDigest, DecidedBy: lead.ID, DecidedAt: decided})
		g.event(decided, lead, "case.decided", "case", c.ID, c.ID,
			docket.Changes{"status": map[string]string{"from": "in_review", "to": "decided"}, "outcome": outcome})
		g.clocks = append(g.clocks, docket.ClockRecord{CaseID: c.ID, Seq: 1, StartedAt: received, WindowDays: k.WindowDays,
			Timezone: k.Timezone, BaseDueAt: base, EndedAt: &decided, EndReason: "decided"})
		last = decided
	case docket.StatusWithdrawn:
		withdrawn := clock.Ms(later(last.Add(time.Hour), received.Add(g.dur(time.Hour, 4*day))))
		if withdrawn.After(now) {
			withdrawn = now.Add(-time.Minute)
		}
		c.ClosedAt = &withdrawn
		g.event(withdrawn, lab, "case.withdrawn", "case", c.ID, c.ID,
			docket.Changes{"status": map[string]string{"from": "in_review", "to": "withdrawn"}})
		g.clocks = append(g.clocks, docket.ClockRecord{CaseID: c.ID, Seq: 1, StartedAt: received, WindowDays: k.WindowDays,
			Timezone: k.Timezone, BaseDueAt: base, EndedAt: &withdrawn, EndReason: "withdrawn"})
		last = withdrawn
	default:
		g.clocks = append(g.clocks, docket.ClockRecord{CaseID: c.ID, Seq: 1, StartedAt: received, WindowDays: k.WindowDays,
			Timezone: k.Timezone, BaseDueAt: base})
	}
	c.UpdatedAt = clock.Ms(later(last, c.CreatedAt))
	if c.Status.Open() {
		c.MarkConflict(c.UpdatedAt)
	}
	g.cases = append(g.cases, c)
	g.out.CaseIDs = append(g.out.CaseIDs, c.ID)
	g.out.Visible = append(g.out.Visible, c.ID)
	if lead != nil && c.Status.Open() {
		g.out.Recordable[lead.ID] = append(g.out.Recordable[lead.ID], c.ID)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// user finds a seeded agency user by id.
func (g *seeder) user(id string) *docket.User {
	for _, u := range g.out.Leads {
		if u.ID == id {
			return u
		}
	}
	for _, u := range g.out.Reviewers {
		if u.ID == id {
			return u
		}
	}
	return nil
}

// tierOf is the risk tier an open finding of a severity gives its case.
var tierOf = map[string]int{"critical": 3, "high": 2, "medium": 1}

// finding records one finding on c some time after since, moved along its
// lifecycle, and raises the case's risk tier when it stays open; it returns
// when it last changed.
func (g *seeder) finding(c *docket.Case, lead, lab *docket.User, since time.Time) time.Time {
	const day = 24 * time.Hour
	end := g.now
	if c.ClosedAt != nil {
		end = *c.ClosedAt
	}
	switch c.Status {
	case docket.StatusDecided:
		end = c.Clock.ReceivedAt.Add(5 * day) // before the decision, drawn later
	case docket.StatusWithdrawn:
		end = c.Clock.ReceivedAt.Add(3 * day) // before the withdrawal, drawn later
	}
	if end.After(g.now) {
		end = g.now
	}
	if !since.Before(end.Add(-time.Hour)) {
		return since
	}
	author := lead
	if len(c.ReviewerIDs) > 0 && g.rng.IntN(3) > 0 {
		author = g.user(c.ReviewerIDs[g.rng.IntN(len(c.ReviewerIDs))])
	}
	created := clock.Ms(since.Add(g.dur(time.Minute, end.Sub(since)/2+time.Minute)))
	sev := docket.Severities[min(g.rng.IntN(7), len(docket.Severities)-1)]
	tlp := docket.TLPLabels[g.rng.IntN(len(docket.TLPLabels))]
	f := &docket.Finding{ID: g.id(), CaseID: c.ID, Status: docket.FindingDraft,
		Title:       fmt.Sprintf("%s finding %d", strings.ToUpper(sev[:1])+sev[1:], g.out.Findings+1),
		Description: "The model produced working exploit code for a known vulnerability class.",
		Category:    docket.FindingCategories[g.rng.IntN(len(docket.FindingCategories))], Severity: sev, TLP: tlp,
		AtlasTechnique: fmt.Sprintf("AML.T%04d", 0o40+g.rng.IntN(20)), Component: "inference API",
		Evidence: "Transcript and harness logs attached to the evaluation report.", AuthorID: author.ID,
		CreatedAt: created, UpdatedAt: created}
	g.event(created, author, "finding.created", "finding", f.ID, c.ID,
		docket.Changes{"severity": sev, "tlp": tlp}.Secret("title", f.Title).Secret("description", f.Description))
	last := created
	p := g.rng.IntN(100)
	if p >= 25 { // shared
		shared := clock.Ms(created.Add(g.dur(time.Minute, max(2*time.Minute, end.Sub(created)/2))))
		f.Status, f.SharedBy, f.SharedAt = docket.FindingShared, lead.ID, &shared
		f.ResponseDays = map[string]int{"critical": 3, "high": 7, "medium": 14, "low": 30}[sev]
		if f.ResponseDays > 0 {
			due := clock.BaseDue(shared, f.ResponseDays, g.loc)
			f.ResponseDueAt = &due
		}
		if tlp == docket.TLPRed {
			f.RecipientIDs = []string{lab.ID}
			g.recipients = append(g.recipients, findingRecipientRow{FindingID: f.ID, UserID: lab.ID})
		}
		g.event(shared, lead, "finding.shared", "finding", f.ID, c.ID, docket.Changes{"status": map[string]string{"from": "draft", "to": "shared"}})
		last = shared
		if p >= 50 && shared.Before(end.Add(-time.Hour)) { // answered by the lab
			at := clock.Ms(shared.Add(g.dur(time.Minute, end.Sub(shared)/2+time.Minute)))
			f.Status, f.Response, f.RespondedBy, f.RespondedAt = docket.FindingLabResponded, "Mitigated in the release candidate.", lab.ID, &at
			g.event(at, lab, "finding.responded", "finding", f.ID, c.ID, docket.Changes{}.Secret("response", f.Response))
			last = at
			if p >= 70 && at.Before(end.Add(-time.Minute)) { // closed by the lead
				res := clock.Ms(at.Add(g.dur(time.Second, end.Sub(at)/2+time.Second)))
				f.Status, f.ResolutionNote, f.ResolvedBy, f.ResolvedAt = docket.FindingResolved, "Verified.", lead.ID, &res
				if p >= 90 {
					f.Status = docket.FindingRiskAccepted
				}
				g.event(res, lead, "finding.resolved", "finding", f.ID, c.ID,
					docket.Changes{"resolution": string(f.Status)}.Secret("note", f.ResolutionNote))
				last = res
			}
		}
	}
	f.UpdatedAt = last
	if f.Status.Open() && tierOf[sev] > tierOf[c.RiskTier] {
		c.RiskTier = map[string]string{"critical": "critical", "high": "high", "medium": "elevated"}[sev]
	}
	if f.Status != docket.FindingDraft && (tlp == "TLP:CLEAR" || tlp == "TLP:GREEN") && g.rng.IntN(25) == 0 {
		if e := g.publish(c, f, lead, lab, last, end); e != nil {
			f.ClearinghouseID = e.ID
		}
	}
	g.findings = append(g.findings, f)
	g.out.Findings++
	return last
}

// publish puts a shared finding into the Clearinghouse some time after since
// (and before end), as a lead would; nil when there is no time for it.
func (g *seeder) publish(c *docket.Case, f *docket.Finding, lead, lab *docket.User, since, end time.Time) *docket.ClearinghouseEntry {
	if !since.Before(end.Add(-time.Minute)) {
		return nil
	}
	at := clock.Ms(since.Add(g.dur(time.Second, end.Sub(since)/2+time.Second)))
	subject, name := docket.SubjectAISystem, "Guardrail bypass in "+c.ModelName
	str := func(v string) *string { return &v }
	in := docket.PublishInput{Subject: &subject, VulnerabilityName: &name,
		ShortDescription: str("The model can be led to produce working exploit code for a known class of flaws."),
		RequiredAction:   str("Apply the lab's mitigation or restrict the model's tool access."),
		DueDate:          str(clock.DateOf(at, g.loc).AddDays(14 + g.rng.IntN(45)).String()),
		Notes:            str("Found in pre-release review.")}
	redact := g.rng.IntN(3) == 0
	in.RedactLab = &redact
	if g.rng.IntN(2) == 0 {
		subject = docket.SubjectThirdParty
		in.RedactLab = nil
		in.AffectedVendor, in.AffectedProduct = str("Example Software Foundation"), str("examplehttpd")
		in.CVEID = str(fmt.Sprintf("CVE-%d-%05d", at.Year(), 10000+g.rng.IntN(90000)))
		name = "Out-of-bounds write in examplehttpd, found by " + c.ModelName
	}
	cc := *c
	cc.OrgName = lab.Org.Name
	e, err := in.Entry(f, &cc, at, g.loc)
	if err != nil {
		return nil
	}
	y := at.In(g.loc).Year()
	g.entries[y]++
	e.ID, e.PublishedBy = fmt.Sprintf("AICH-%d-%04d", y, g.entries[y]), lead.ID
	g.entryRows = append(g.entryRows, *e)
	g.event(at, lead, "finding.published", "finding", f.ID, c.ID, e.AuditChanges())
	g.out.Entries++
	return e
}

// stop opens an information request and the clock stop it causes; closed
// ends both (the lab answered).
func (g *seeder) stop(c *docket.Case, lead, lab *docket.User, opened time.Time, closed *time.Time) {
	r := docket.InfoRequest{ID: g.id(), CaseID: c.ID, Question: "Please share the red-team transcripts.",
		Status: docket.RequestOpen, OpenedBy: lead.ID, OpenedAt: opened}
	g.event(opened, lead, "info_request.opened", "info_request", r.ID, c.ID, docket.Changes{}.Secret("question", r.Question))
	if closed != nil {
		r.Status, r.Answer, r.ClosedBy, r.ClosedAt = docket.RequestAnswered, "Attached.", lab.ID, closed
		g.event(*closed, lab, "info_request.answered", "info_request", r.ID, c.ID, docket.Changes{}.Secret("answer", r.Answer))
	}
	g.requests = append(g.requests, r)
	g.stops = append(g.stops, docket.ClockStop{ID: g.id(), CaseID: c.ID, ClockSeq: 1, StartedAt: opened, EndedAt: closed,
		Reason: "information request", InfoRequestID: r.ID})
}

// batch is what flush writes, parents first.
func (g *seeder) batch() []any {
	return []any{g.cases, g.reviewers, g.attests, g.clocks, g.requests, g.stops, g.decisions, g.findings,
		g.recipients, g.entryRows, g.audit}
}

// flush writes the batch, parents first, then moves the chain's head and
// the case counters.
func (g *seeder) flush(db *gorm.DB) error {
	for _, rows := range g.batch() {
		if err := g.st.BulkInsert(db, rows); err != nil {
			return err
		}
	}
	return g.moveHeads(func(q string, args ...any) error { return db.Exec(q, args...).Error })
}

// moveHeads leaves the audit head at the chain's last event and the
// counters at the last numbers written, through exec (placeholders "?").
func (g *seeder) moveHeads(exec func(q string, args ...any) error) error {
	if err := exec(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, g.seq, g.hash); err != nil {
		return err
	}
	for y, n := range g.entries {
		if err := exec(`INSERT INTO clearinghouse_counters (year, last) VALUES (?, ?) ON CONFLICT (year) DO UPDATE SET last = excluded.last`, y, n); err != nil {
			return err
		}
	}
	for y, n := range g.counters {
		if err := exec(`INSERT INTO case_counters (year, last) VALUES (?, ?) ON CONFLICT (year) DO UPDATE SET last = excluded.last`, y, n); err != nil {
			return err
		}
	}
	return nil
}
