// Package app holds Docket's use cases. Each one authorizes through the domain's
// policy, validates, runs one transaction that also writes its audit event, and
// only then lets anything leave the process. It declares the storage it needs as
// interfaces; the store package implements them, and package files the
// [Files] that keep attachments' bytes. Secrets at rest are sealed by package
// seal.
package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/seal"
)

// Store runs transactions. Write transactions are serialised with each other
// (SQLite: one writer, BEGIN IMMEDIATE; PostgreSQL: retried on serialization
// failures) and roll back when fn returns an error.
type Store interface {
	Write(ctx context.Context, fn func(Tx) error) error
	Read(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction, seen through the stores of its areas: a use case
// reaches each table through the store that owns it (tx.Cases().CaseByID, …),
// and each service declares the few stores it uses as its own narrow view of
// a transaction (casesTx, findingsTx, …), which Tx satisfies.
type Tx interface {
	Users() UserStore
	Audit() AuditStore
	Cases() CaseStore
	Notifications() NotifyStore
	Content() ContentStore
	Delivery() DeliveryStore
	Board() BoardStore
	Amendments() AmendmentStore
	Benchmarks() BenchmarkStore
	Clearinghouse() ClearinghouseStore
	Statements() StatementStore
	Approvals() ApprovalStore
}

// Page asks for one page of a list: at most Limit items after Cursor.
type Page struct {
	Limit  int
	Cursor string
}

// Service is the application: every use case hangs off it.
type Service struct {
	store  Store
	cfg    config.Config
	now    func() time.Time
	hasher *auth.Hasher
	signer *auth.Signer
	log    *slog.Logger
	loc    *time.Location
	th     clock.Thresholds
	// secret is the signing secret; webhook secrets and statement keys are sealed under keys derived from it (package seal).
	secret []byte
	// auditKey hashes the audit trail's confidential values (AuditKey).
	auditKey []byte
	// throttle keeps the sign-in records; passwords runs the password checks (throttle.go).
	throttle  throttle
	passwords *passwordChecker
	obs       Observer
	// benchmarks are the agency's cyber-capability benchmarks.
	benchmarks []docket.Benchmark
	// approvals keeps the administrators' changes that wait for a review lead.
	approvals *Approvals
	// files keeps attachments' bytes (nil: none can be kept).
	files Files
}

// Options are what New needs besides the store.
type Options struct {
	Config config.Config
	Now    func() time.Time
	Hasher *auth.Hasher
	Signer *auth.Signer
	Logger *slog.Logger
	// Secret is the signing secret (default: the configuration's); the key
	// that seals webhook secrets is derived from it.
	Secret []byte
	// Benchmarks are the agency's benchmarks (nil: the example set built into Docket).
	Benchmarks []docket.Benchmark
	// Approvals takes the administrators' changes that need a review lead's
	// approval (NewApprovals over the same store and clock). Without it such
	// changes are refused, never applied.
	Approvals *Approvals
	// Files keeps attachments' bytes (package files: a directory, main's in
	// data_dir). Without it uploads and downloads fail, an internal error,
	// nothing kept.
	Files Files
}

// New builds the service.
func New(store Store, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if len(o.Secret) == 0 {
		o.Secret = []byte(o.Config.Secret)
	}
	if o.Benchmarks == nil {
		o.Benchmarks = config.ExampleBenchmarks()
	}
	// Without a secret nothing confidential can be audited: such a write fails.
	auditKey, _ := seal.AuditKey(o.Secret)
	if o.Approvals != nil {
		o.Approvals.auditKey = auditKey // its events hash under the same key
	}
	s := &Service{
		store: store, cfg: o.Config, now: o.Now, hasher: o.Hasher, signer: o.Signer, log: o.Logger, secret: o.Secret,
		auditKey: auditKey, approvals: o.Approvals, files: o.Files,
		passwords: newPasswordChecker(o.Hasher),
		loc:       o.Config.Location(), benchmarks: o.Benchmarks,
		th: clock.Thresholds{
			DueSoon:  time.Duration(o.Config.Review.DueSoonDays) * 24 * time.Hour,
			Critical: time.Duration(o.Config.Review.CriticalDays) * 24 * time.Hour,
		},
	}
	s.throttle = throttle{policy: throttlePolicy{o.Config.Auth}, now: s.Now}
	return s
}

// Now returns the service's current instant, UTC to the millisecond.
func (s *Service) Now() time.Time { return clock.Ms(s.now()) }

// Thresholds returns the band thresholds in force.
func (s *Service) Thresholds() clock.Thresholds { return s.th }

// Config returns the settings the service runs with.
func (s *Service) Config() config.Config { return s.cfg }

func newID() string { return uuid.NewString() }

// audit appends an event for the actor inside tx.
func (s *Service) audit(tx Tx, a docket.Actor, action, subjectType, subjectID, caseID string, ch docket.Changes) error {
	return appendAudit(tx.Audit(), s.auditKey, s.Now(), a, action, subjectType, subjectID, caseID, ch)
}

// auditAppender is the part of a transaction that writes the audit chain.
type auditAppender interface {
	AppendAudit(ev *docket.AuditEvent) error
}

// appendAudit appends an event for the actor at the instant at inside tx,
// confidential values hashed under key (AuditKey): the one audit writer the
// package's services share.
func appendAudit(tx auditAppender, key []byte, at time.Time, a docket.Actor, action, subjectType, subjectID, caseID string, ch docket.Changes) error {
	changes, err := ch.JSON(key, docket.AuditSubject(subjectType, subjectID))
	if err != nil {
		return err
	}
	ev := &docket.AuditEvent{
		ID:          newID(),
		At:          at,
		ActorID:     a.UserID,
		ActorRole:   string(a.Role),
		OrgID:       a.OrgID,
		Action:      action,
		SubjectType: subjectType,
		SubjectID:   subjectID,
		CaseID:      caseID,
		RequestID:   a.RequestID,
		ClientIP:    a.ClientIP,
		Changes:     changes,
	}
	return tx.AppendAudit(ev)
}

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 200:
		return 200
	}
	return n
}
