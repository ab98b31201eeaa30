package app

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// NotifyStore is what the sweep, the inbox and the forecast read and write.
type NotifyStore interface {
	// NotifyCases returns the open cases that can have something due by the
	// horizon: running clocks whose deadline key is before runningBefore,
	// paused clocks, unassigned cases received before unassignedBefore, and
	// cases with a release conflict.
	NotifyCases(runningBefore, unassignedBefore time.Time) ([]*docket.Case, error)
	// FindingsDueBefore returns shared findings whose response deadline is before t.
	FindingsDueBefore(t time.Time) ([]*docket.Finding, error)
	// OpenRequestsBefore returns open information requests opened before t.
	OpenRequestsBefore(t time.Time) ([]docket.InfoRequest, error)
	// CasesByID loads cases with their reviewers.
	CasesByID(ids []string) (map[string]*docket.Case, error)
	// ActiveUsers lists the enabled users of a role.
	ActiveUsers(role docket.Role) ([]docket.User, error)
	// ExistingKeys reports which of the keys the outbox holds.
	ExistingKeys(keys []string) (map[string]bool, error)
	// AckedGroups reports which escalation groups someone acknowledged.
	AckedGroups(groups []string) (map[string]bool, error)
	// InsertNotifications adds rows, skipping keys that exist; it returns how many it added.
	InsertNotifications(ns []docket.Notification) (int, error)
	// HoldLease takes or renews the named lease for holder; false when another holds it.
	HoldLease(name, holder string, now time.Time, ttl time.Duration) (bool, error)
	// LeaseHolder says who holds the named lease at now ("" for nobody).
	LeaseHolder(name string, now time.Time) (string, error)
	ListInbox(userID string, p Page) ([]docket.Notification, string, error)
	NotificationByID(id string) (*docket.Notification, error)
	InboxItem(inboxID string) (*docket.Notification, error)
	MarkRead(inboxID string, at time.Time) error
	Ack(groupKey, notificationID, userID string, at time.Time) (bool, error)
	UnreadCount(userID string) (int, error)
	PendingNotifications(limit int) ([]docket.Notification, error)
	MarkDelivered(ids []string, at time.Time) error

	// GroupRecipients reports which recipients the outbox holds a
	// notification of each group for, as "group key|recipient id".
	GroupRecipients(groups []string) (map[string]bool, error)
	// UncoveredHeld gives, per recipient, the earliest notification held for
	// a digest (made since the instant) that no digest of theirs carries yet.
	UncoveredHeld(since time.Time) (map[string]time.Time, error)
	// DigestCarries lists what the recipient's digest at the instant carries:
	// the notifications held for a digest, made before it and since the
	// lower bound, that no earlier digest of theirs carries.
	DigestCarries(recipientID string, at, since time.Time) ([]docket.Notification, error)
	// ListInboxGroups lists a recipient's notifications a group (an
	// escalation with its repeats, a reminder, a digest) a row, the most
	// recently added to first.
	ListInboxGroups(userID string, p Page) ([]InboxGroup, string, error)
	// UnreadOfGroup lists a recipient's unread notifications of a group.
	UnreadOfGroup(userID, groupKey string) ([]docket.Notification, error)
}

// Occurrence is one notification a rule wants, due at At.
type Occurrence struct {
	docket.Notification
	At time.Time
}

// SweepLease is the lease that names the one process that sweeps and delivers.
const SweepLease = "sweep"

// planner computes what the rules want between the past and a horizon, from
// the database state alone. The sweep and the forecast both use it.
type planner struct {
	s      *Delivery
	tx     deliveryTx
	now    time.Time
	until  time.Time
	loc    *time.Location
	leads  []docket.User
	co     []docket.User
	active map[string]bool
	// choice is each active user's choice of e-mail delivery.
	choice  map[string]string
	members map[string][]docket.User // lab members by organisation
	out     []Occurrence
	// next holds, per case, the first instant after until at which one of
	// its rules falls due (the sweep's plan: sweep.go); nil when not kept.
	next map[string]time.Time
}

// later notes that something of case c falls due at at, after the horizon.
func (p *planner) later(c *docket.Case, at time.Time) {
	if p.next == nil || c == nil || !at.After(p.until) {
		return
	}
	if n, ok := p.next[c.ID]; !ok || at.Before(n) {
		p.next[c.ID] = at
	}
}

func (s *Delivery) newPlanner(tx deliveryTx, now, until time.Time) (*planner, error) {
	p := &planner{s: s, tx: tx, now: now, until: until, loc: s.loc, active: map[string]bool{}, choice: map[string]string{},
		members: map[string][]docket.User{}}
	for _, role := range []docket.Role{docket.RoleReviewLead, docket.RoleCompliance, docket.RoleReviewer, docket.RoleLabMember} {
		users, err := tx.Notifications().ActiveUsers(role)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			p.active[u.ID] = true
			p.choice[u.ID] = u.EmailDelivery
			switch role {
			case docket.RoleReviewLead:
				p.leads = append(p.leads, u)
			case docket.RoleCompliance:
				p.co = append(p.co, u)
			case docket.RoleLabMember:
				p.members[u.OrgID] = append(p.members[u.OrgID], u)
			}
		}
	}
	return p, nil
}

func ids(users []docket.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

// caseLeads is the case lead, or every lead when the case has none.
func (p *planner) caseLeads(c *docket.Case) []string {
	if c.LeadID != "" && p.active[c.LeadID] {
		return []string{c.LeadID}
	}
	return ids(p.leads)
}

// unique keeps the first of each id.
func unique(list []string) []string {
	seen := map[string]bool{}
	out := list[:0:0]
	for _, id := range list {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// workers are the case's assigned reviewers and its lead, while active.
func (p *planner) workers(c *docket.Case) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range append(append([]string{}, c.ReviewerIDs...), c.LeadID) {
		if id != "" && p.active[id] && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// add records one occurrence per recipient, each with how it reaches its
// recipient by e-mail (docket.MailOf).
func (p *planner) add(rule, kind, subjectType, subjectID string, c *docket.Case, deadline, due, at time.Time, threshold string, repeat int, recipients []string) {
	if at.After(p.until) {
		p.later(c, at)
		return
	}
	group := docket.GroupKey(rule, subjectID, deadline, threshold)
	for _, r := range recipients {
		n := docket.Notification{Key: docket.NotificationKey(rule, subjectID, deadline, threshold, repeat, r), GroupKey: group,
			Rule: rule, Kind: kind, SubjectType: subjectType, SubjectID: subjectID, RecipientID: r,
			DeadlineAt: deadline, DueAt: due, Threshold: threshold, Repeat: repeat}
		if c != nil {
			n.CaseID, n.CaseNumber = c.ID, c.Number
		}
		n.Mail = docket.MailOf(p.choice[r], n, p.s.notify.RepeatsInDigest)
		p.out = append(p.out, Occurrence{Notification: n, At: at})
	}
}

// escalate adds the repeats of an escalation that first falls due at first.
func (p *planner) escalate(rule, subjectType, subjectID string, c *docket.Case, deadline, due, first time.Time, threshold string, recipients []string) {
	every := p.s.notify.EscalationRepeat
	for n, at := 0, first; n < 10000; n, at = n+1, at.Add(every) {
		// The first repeat after the horizon is added too: add keeps it
		// only as the case's next instant.
		p.add(rule, docket.KindEscalation, subjectType, subjectID, c, deadline, due, at, threshold, n, recipients)
		if at.After(p.until) {
			return
		}
	}
}

// atLocal returns the instant of hh:mm agency time on the given date.
func (p *planner) atLocal(d clock.Date, hhmm string) time.Time {
	h, m := 9, 0
	if parts := strings.SplitN(hhmm, ":", 2); len(parts) == 2 {
		h, _ = strconv.Atoi(parts[0])
		m, _ = strconv.Atoi(parts[1])
	}
	return time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, p.loc).UTC()
}

// caseRules: deadline reminders, lapse, an unassigned case, a release conflict.
func (p *planner) caseRules(c *docket.Case) {
	if !c.Status.Open() || !c.Clock.Started() {
		return
	}
	cfg := p.s.notify
	k := c.Clock
	paused := k.OpenStopAt != nil
	key := k.DeadlineKey()
	due := k.DueAt(p.now)
	if !p.now.After(due) {
		dueDate := clock.DateOf(due, p.loc)
		for _, n := range cfg.ReminderDays {
			at := p.atLocal(dueDate.AddDays(-n), cfg.ReminderTime)
			if at.After(due) || (paused && at.After(p.now)) {
				continue // while stopped the reminders move with the deadline
			}
			p.add(docket.RuleCaseReminder, docket.KindReminder, "case", c.ID, c, key, due, at, fmt.Sprintf("%dd", n), 0, p.workers(c))
		}
	}
	if !paused {
		lapse := key.Add(time.Millisecond)
		agency := append(p.caseLeads(c), ids(p.co)...)
		p.escalate(docket.RuleCaseLapsed, "case", c.ID, c, key, key, lapse, "lapsed", agency)
		p.add(docket.RuleCaseLapsed, docket.KindEscalation, "case", c.ID, c, key, key, lapse, "lapsed-lab", 0, ids(p.members[c.OrgID]))
	}
	if c.Status == docket.StatusSubmitted && c.LeadID == "" && len(c.ReviewerIDs) == 0 && k.ReceivedAt != nil {
		first := k.ReceivedAt.Add(cfg.UnassignedAfter)
		p.escalate(docket.RuleCaseUnassigned, "case", c.ID, c, first, due, first, "unassigned", append(ids(p.leads), ids(p.co)...))
	}
	if since := c.ConflictStart(p.now); since != nil {
		p.escalate(docket.RuleReleaseConflict, "case", c.ID, c, key, due, *since, "release-conflict", ids(p.co))
	} else if at := c.ConflictCrossing(); at != nil {
		// A stopped clock's deadline moves with time onto the release day.
		p.later(c, *at)
	}
	// The risk tier reached critical: the series is keyed by when it did, so a
	// case that drops below and climbs back gets a new one.
	if c.RiskTier == docket.TierCritical && c.RiskCriticalAt != nil {
		at := *c.RiskCriticalAt
		p.escalate(docket.RuleRiskCritical, "case", c.ID, c, at, due, at, "risk-critical", append(ids(p.leads), ids(p.co)...))
	}
	// A capability jump over the line's previous version: the case lead and
	// every lead, keyed by when the case first held it.
	if c.CapabilityJumpAt != nil {
		at := *c.CapabilityJumpAt
		p.escalate(docket.RuleCapabilityJump, "case", c.ID, c, at, due, at, "capability-jump", unique(append(p.caseLeads(c), ids(p.leads)...)))
	}
}

// requestRules: an information request unanswered for days.
func (p *planner) requestRules(r docket.InfoRequest, c *docket.Case) {
	if r.Status != docket.RequestOpen || c == nil || !c.Status.Open() {
		return
	}
	cfg := p.s.notify
	lab := r.OpenedAt.Add(time.Duration(cfg.InfoRequestLabDays) * 24 * time.Hour)
	p.add(docket.RuleRequestLab, docket.KindReminder, "info_request", r.ID, c, r.OpenedAt, lab, lab,
		fmt.Sprintf("%dd", cfg.InfoRequestLabDays), 0, ids(p.members[c.OrgID]))
	lead := r.OpenedAt.Add(time.Duration(cfg.InfoRequestLeadDays) * 24 * time.Hour)
	p.escalate(docket.RuleRequestLead, "info_request", r.ID, c, r.OpenedAt, lead, lead,
		fmt.Sprintf("%dd", cfg.InfoRequestLeadDays), p.caseLeads(c))
}

// findingRules: a reminder to the lab the day before a finding's response is
// due; once overdue, escalations to the lab, and a repeat later to the case lead.
// A TLP:RED finding's notifications go only to the lab users it names.
func (p *planner) findingRules(f *docket.Finding, c *docket.Case) {
	if f.Status != docket.FindingShared || f.ResponseDueAt == nil || c == nil || !c.Status.Open() {
		return
	}
	due := *f.ResponseDueAt
	lab := ids(p.members[c.OrgID])
	if f.TLP == "TLP:RED" {
		lab = nil
		for _, id := range f.RecipientIDs {
			if p.active[id] {
				lab = append(lab, id)
			}
		}
	}
	if at := p.atLocal(clock.DateOf(due, p.loc).AddDays(-1), p.s.notify.ReminderTime); !at.After(due) {
		p.add(docket.RuleFindingReminder, docket.KindReminder, "finding", f.ID, c, due, due, at, "1d", 0, lab)
	}
	overdue := due.Add(time.Millisecond)
	p.escalate(docket.RuleFindingOverdueLab, "finding", f.ID, c, due, due, overdue, "overdue", lab)
	p.escalate(docket.RuleFindingOverdue, "finding", f.ID, c, due, due, overdue.Add(p.s.notify.EscalationRepeat), "overdue-lead", p.caseLeads(c))
}

// plan runs every rule but the digests' over the candidates that can be due
// by the horizon (the forecast's reading: the sweep reads its candidates by
// the kept plan).
func (p *planner) plan() error {
	cfg := p.s.notify
	maxDays := 0
	for _, n := range cfg.ReminderDays {
		if n > maxDays {
			maxDays = n
		}
	}
	// A reminder N days before falls at most N+1 calendar days before the deadline.
	ahead := p.until.Add(time.Duration(maxDays+2) * 24 * time.Hour)
	cases, err := p.tx.Notifications().NotifyCases(ahead, p.until.Add(-cfg.UnassignedAfter))
	if err != nil {
		return err
	}
	reqs, err := p.tx.Notifications().OpenRequestsBefore(p.until.Add(-time.Duration(min(cfg.InfoRequestLabDays, cfg.InfoRequestLeadDays)) * 24 * time.Hour))
	if err != nil {
		return err
	}
	// A finding's reminder falls on the day before its deadline.
	findings, err := p.tx.Notifications().FindingsDueBefore(p.until.Add(3 * 24 * time.Hour))
	if err != nil {
		return err
	}
	return p.rules(cases, reqs, findings)
}

// rules runs the case rules over cases, and the request and finding rules
// over reqs and findings, loading the cases these belong to that cases lacks.
func (p *planner) rules(cases []*docket.Case, reqs []docket.InfoRequest, findings []*docket.Finding) error {
	byID := make(map[string]*docket.Case, len(cases))
	for _, c := range cases {
		byID[c.ID] = c
		p.caseRules(c)
	}
	var missing []string
	for _, r := range reqs {
		if _, ok := byID[r.CaseID]; !ok {
			missing = append(missing, r.CaseID)
		}
	}
	for _, f := range findings {
		if _, ok := byID[f.CaseID]; !ok {
			missing = append(missing, f.CaseID)
		}
	}
	if len(missing) > 0 {
		more, err := p.tx.Notifications().CasesByID(missing)
		if err != nil {
			return err
		}
		for id, c := range more {
			byID[id] = c
		}
	}
	for _, r := range reqs {
		p.requestRules(r, byID[r.CaseID])
	}
	for _, f := range findings {
		if f.Status == docket.FindingRiskAccepted {
			p.acceptanceRules(f, byID[f.CaseID])
			continue
		}
		p.findingRules(f, byID[f.CaseID])
	}
	return nil
}

// acceptanceEnd is the instant a risk acceptance ends: 00:00 agency time on
// its accepted_until date.
func acceptanceEnd(d clock.Date, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc).UTC()
}

// acceptanceRules: the case lead is told findings.acceptance_warning_days
// before a risk acceptance ends, at the reminder hour; when it ends the lab
// and the case lead are told (the sweep reopens the finding in the same
// transaction). A TLP:RED finding's lab notice goes to its named recipients.
func (p *planner) acceptanceRules(f *docket.Finding, c *docket.Case) {
	if f.AcceptedUntil.IsZero() || c == nil || !c.Status.Open() {
		return
	}
	end := acceptanceEnd(f.AcceptedUntil, p.loc)
	days := p.s.findings.AcceptanceWarningDays
	if warn := p.atLocal(f.AcceptedUntil.AddDays(-days), p.s.notify.ReminderTime); warn.Before(end) {
		p.add(docket.RuleAcceptanceExpiring, docket.KindReminder, "finding", f.ID, c, end, end, warn, fmt.Sprintf("%dd", days), 0, p.caseLeads(c))
	}
	lab := ids(p.members[c.OrgID])
	if f.TLP == "TLP:RED" {
		lab = nil
		for _, id := range f.RecipientIDs {
			if p.active[id] {
				lab = append(lab, id)
			}
		}
	}
	p.add(docket.RuleAcceptanceExpired, docket.KindEscalation, "finding", f.ID, c, end, end, end, "expired", 0,
		unique(append(lab, p.caseLeads(c)...)))
}

// latestDue keeps, of each series (rule, subject, recipient), only the most
// urgent occurrence already due: after downtime a subject gets only that one.
func latestDue(occ []Occurrence, now time.Time) []Occurrence {
	best := map[string]int{}
	for i, o := range occ {
		if o.At.After(now) {
			continue
		}
		series := o.Rule + "|" + o.SubjectID + "|" + o.RecipientID
		if j, ok := best[series]; !ok || o.At.After(occ[j].At) {
			best[series] = i
		}
	}
	out := make([]Occurrence, 0, len(best))
	for _, i := range best {
		out = append(out, occ[i])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// unsent drops what the outbox holds already and escalations someone acknowledged.
func unsent(tx deliveryTx, occ []Occurrence) ([]Occurrence, error) {
	var keys, groups []string
	for _, o := range occ {
		keys = append(keys, o.Key)
		groups = append(groups, o.GroupKey)
	}
	have, err := tx.Notifications().ExistingKeys(keys)
	if err != nil {
		return nil, err
	}
	acked, err := tx.Notifications().AckedGroups(groups)
	if err != nil {
		return nil, err
	}
	var out []Occurrence
	for _, o := range occ {
		if have[o.Key] || (o.Kind == docket.KindEscalation && acked[o.GroupKey]) {
			continue
		}
		out = append(out, o)
	}
	return out, nil
}

// SweepResult says what one sweep did.
type SweepResult struct {
	Held     bool
	Due      int
	Inserted int
	// Statements counts the lapse statements issued.
	Statements int
	// Reopened counts the findings reopened because their risk acceptance ended.
	Reopened int
}

// HoldLease takes or renews the sweep lease for holder.
func (s *Delivery) HoldLease(ctx context.Context, holder string) (bool, error) {
	var held bool
	err := s.write(ctx, func(tx deliveryTx) error {
		var err error
		held, err = tx.Notifications().HoldLease(SweepLease, holder, s.Now(), s.notify.LeaseTTL)
		return err
	})
	return held, err
}

// LeaseHolder says which process holds the sweep lease now.
func (s *Delivery) LeaseHolder(ctx context.Context) (string, error) {
	var h string
	err := s.read(ctx, func(tx deliveryTx) error {
		var err error
		h, err = tx.Notifications().LeaseHolder(SweepLease, s.Now())
		return err
	})
	return h, err
}

// Forecast lists what the sweep will send, to whom and when, from now until
// the given instant, by the same rules as the sweep: what is due now and not
// yet sent, then every later occurrence. Leads and compliance officers see
// everything; other roles see what is addressed to them.
func (s *Delivery) Forecast(ctx context.Context, a docket.Actor, until time.Time) ([]Occurrence, error) {
	if !docket.CanForecast(a.Role) {
		return nil, docket.Forbidden()
	}
	now := s.Now()
	if !until.After(now) {
		return nil, docket.Unacceptable("until", "must be later than now")
	}
	if until.Sub(now) > 92*24*time.Hour {
		return nil, docket.Unacceptable("until", "must be at most 92 days ahead")
	}
	var out []Occurrence
	err := s.read(ctx, func(tx deliveryTx) error {
		p, err := s.newPlanner(tx, now, until)
		if err != nil {
			return err
		}
		if err := p.plan(); err != nil {
			return err
		}
		will, err := willSend(tx, p.out, now)
		if err != nil {
			return err
		}
		if err := p.firstMessages(will); err != nil {
			return err
		}
		digests, err := p.digests(will)
		if err != nil {
			return err
		}
		more, err := willSend(tx, digests, now)
		if err != nil {
			return err
		}
		all := append(will, more...)
		everything := docket.CanForecastAll(a.Role)
		for _, o := range all {
			if everything || o.RecipientID == a.UserID {
				if o.At.Before(now) {
					o.At = now
				}
				out = append(out, o)
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].Key < out[j].Key
	})
	return out, err
}

// willSend keeps of occ what the sweeps from now on will make: what is due
// now and not yet sent (the most urgent of each series), then every later
// occurrence that is not in the outbox yet.
func willSend(tx deliveryTx, occ []Occurrence, now time.Time) ([]Occurrence, error) {
	dueNow, err := unsent(tx, latestDue(occ, now))
	if err != nil {
		return nil, err
	}
	later := make([]Occurrence, 0, len(occ))
	for _, o := range occ {
		if o.At.After(now) {
			later = append(later, o)
		}
	}
	later, err = unsent(tx, later)
	if err != nil {
		return nil, err
	}
	return append(dueNow, later...), nil
}

// Inbox lists the actor's notifications, newest first.
func (s *Delivery) Inbox(ctx context.Context, a docket.Actor, p Page) ([]docket.Notification, string, error) {
	var out []docket.Notification
	var next string
	err := s.read(ctx, func(tx deliveryTx) error {
		var err error
		out, next, err = tx.Notifications().ListInbox(a.UserID, Page{Limit: clampLimit(p.Limit), Cursor: p.Cursor})
		return err
	})
	return out, next, err
}

// UnreadCount counts the actor's unread notifications.
func (s *Delivery) UnreadCount(ctx context.Context, a docket.Actor) (int, error) {
	var n int
	err := s.read(ctx, func(tx deliveryTx) error {
		var err error
		n, err = tx.Notifications().UnreadCount(a.UserID)
		return err
	})
	return n, err
}

// MarkRead marks one of the actor's inbox items read (404 for anyone else's).
func (s *Delivery) MarkRead(ctx context.Context, a docket.Actor, inboxID string) (*docket.Notification, error) {
	var n *docket.Notification
	err := s.write(ctx, func(tx deliveryTx) error {
		var err error
		if n, err = tx.Notifications().InboxItem(inboxID); err != nil || n.RecipientID != a.UserID {
			return docket.NotFound("inbox item")
		}
		if n.ReadAt != nil {
			return nil
		}
		now := s.Now()
		if err := tx.Notifications().MarkRead(inboxID, now); err != nil {
			return err
		}
		n.ReadAt = &now
		return s.audit(tx, a, "notification.read", "notification", n.ID, n.CaseID, nil)
	})
	return n, err
}

// Acknowledge stops an escalation's repeats for every recipient. Only a
// recipient may acknowledge (404 otherwise); reminders and digests need none (409).
func (s *Delivery) Acknowledge(ctx context.Context, a docket.Actor, id string) (*docket.Notification, error) {
	var n *docket.Notification
	err := s.write(ctx, func(tx deliveryTx) error {
		var err error
		if n, err = tx.Notifications().NotificationByID(id); err != nil || n.RecipientID != a.UserID {
			return docket.NotFound("notification")
		}
		if n.Kind != docket.KindEscalation {
			return docket.Errorf(docket.EConflict, "only escalations are acknowledged; this is a %s", n.Kind)
		}
		added, err := tx.Notifications().Ack(n.GroupKey, n.ID, a.UserID, s.Now())
		if err != nil || !added {
			return err
		}
		return s.audit(tx, a, "notification.acknowledged", "notification", n.ID, n.CaseID, docket.Changes{"rule": n.Rule, "threshold": n.Threshold})
	})
	return n, err
}
