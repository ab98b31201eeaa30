// Package app holds Docket's use cases, one service per area of the review:
// Cases (a case's life and clock), Findings (findings, comments,
// attachments), Accounts (people, sign-in, sessions, tokens, calendar
// links), Approvals (account changes that wait for a review lead), Evidence
// (benchmarks, the risk tier, signed statements), Clearinghouse, Delivery
// (the sweep, the inbox, the outbox, webhooks) and AuditTrail. They share a
// small core: the store, the clock, the agency's zone and the audit writer.
// Each use case authorizes through the domain's policy, validates, runs one
// transaction that also writes its audit event, and only then lets anything
// leave the process. Each service sees a transaction through its own view
// (views.go): the stores of the areas it touches, which the store package
// implements. Attachments' bytes are kept by the Files adapter (package
// files); secrets at rest are sealed by package seal.
package app

import (
	"context"
	"log/slog"
	"strings"
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
// failures) and roll back when fn returns an error. ReadOne is Read for an
// fn that runs exactly one statement, which sees one snapshot by itself: it
// may run without a transaction (on PostgreSQL, two round trips fewer), and
// a second statement fails.
type Store interface {
	Write(ctx context.Context, fn func(Tx) error) error
	Read(ctx context.Context, fn func(Tx) error) error
	ReadOne(ctx context.Context, fn func(Tx) error) error
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
	Sweep() SweepStore
	Factors() FactorStore
	Ceremonies() CeremonyStore
	CSAFKeys() CSAFKeyStore
	Evaluations() EvaluationStore
}

// Page asks for one page of a list: at most Limit items after Cursor.
type Page struct {
	Limit  int
	Cursor string
}

// core is what every service shares: the store, the clock, the agency's
// zone, the log and the audit writer (audit). Each service embeds it and
// adds the settings and adapters of its own area only.
type core struct {
	store Store
	now   func() time.Time
	loc   *time.Location
	log   *slog.Logger
	// auditKey hashes the audit trail's confidential values (AuditKey).
	auditKey []byte
	// th are the deadline bands' thresholds, which every list of cases is drawn with.
	th clock.Thresholds
	// files keeps attachments' bytes: findings write and read them, a deleted case's go with it.
	files Files
	// obs hears what the metrics count (Observe); nil: nobody.
	obs Observer
}

// Now returns the service's current instant, UTC to the millisecond.
func (c *core) Now() time.Time { return clock.Ms(c.now()) }

// auditing is the part of a transaction the audit writer needs.
type auditing interface{ Audit() AuditStore }

// audit appends an event for the actor inside tx.
func (c *core) audit(tx auditing, a docket.Actor, action, subjectType, subjectID, caseID string, ch docket.Changes) error {
	return appendAudit(tx.Audit(), c.auditKey, c.Now(), a, action, subjectType, subjectID, caseID, ch)
}

// Services are the application's use cases, one service per area of the
// review. Each holds the shared core and the settings of its area; main and
// the tests build them together with New and hand each handler the services
// it calls.
type Services struct {
	// Cases: a case's lifecycle, its clock, information requests and amendments.
	Cases *Cases
	// Findings: findings, comments and attachments.
	Findings *Findings
	// Accounts: organisations, users, sign-in, sessions, tokens and calendar links.
	Accounts *Accounts
	// Evidence: benchmark results, the risk tier and the signed review statements.
	Evidence *Evidence
	// Clearinghouse: the published vulnerabilities.
	Clearinghouse *Clearinghouse
	// Provider: the CSAF trusted provider (the entries as CSAF documents, and their keys).
	Provider *Provider
	// Delivery: the sweep, the inbox, the outbox and its channels, webhooks.
	Delivery *Delivery
	// AuditTrail: reading and verifying the audit chain.
	AuditTrail *AuditTrail
	// Approvals: the account changes that wait for a review lead.
	Approvals *Approvals
	// Factors: a user's own second factors (TOTP, recovery codes).
	Factors *Factors
	// Evaluations: the Inspect logs imported on cases and the results they made.
	Evaluations *Evaluations
	// Passkeys: adding a passkey, and signing in with one.
	Passkeys *Passkeys
}

// Cases is the use cases of a case's life: filing, submission, assignment,
// attestation, information requests, decisions, withdrawals, amendments,
// and the lists, dashboard and board built from the clocks.
type Cases struct {
	*core
	review config.Review
	// statements signs the statement a decision issues.
	statements *statementSigner
}

// Findings is the use cases of the review's content: findings, comments and
// attachments (their bytes kept by Files).
type Findings struct {
	*core
	// responseDays is the lab's time to respond to a shared finding.
	responseDays map[string]int
	// maxUpload bounds an attachment's size in bytes.
	maxUpload int64
	// maxAcceptanceDays bounds how far ahead a risk acceptance may run.
	maxAcceptanceDays int
}

// Accounts is the use cases of people and their access: organisations,
// users (changes that need a review lead go to Approvals), sign-in and its
// throttle, sessions, API tokens and calendar links.
type Accounts struct {
	*core
	auth config.Auth
	// reminder is when calendar alarms ring (the notifications' reminder days and time).
	reminderDays []int
	reminderTime string
	// acceptanceWarningDays is when the calendar warns before a risk acceptance ends.
	acceptanceWarningDays int
	hasher                *auth.Hasher
	signer                *auth.Signer
	// throttle keeps the sign-in records; passwords runs the password checks (throttle.go).
	throttle  throttle
	passwords *passwordChecker
	approvals *Approvals
	// factors checks second factors at sign-in (factors.go).
	factors *secondFactors
}

// Evidence is the use cases of what a review rests on: the agency's
// benchmarks and their results, and the signed review statements.
type Evidence struct {
	*statementSigner
	benchmarks []docket.Benchmark
}

// statementSigner keeps the statement signing keys and signs review
// statements inside the callers' transactions: a decision's (Cases), a
// lapse's (Delivery's sweep), and the keys' own use cases (Evidence).
type statementSigner struct {
	*core
	// secret seals the signing keys (package seal); issuer names Docket in
	// the statements (base_url, where its keys are published); agency is
	// agency.name; baseURL makes the cases' links.
	secret         []byte
	issuer, agency string
	baseURL        string
}

// Clearinghouse is the use cases of the published vulnerabilities and of
// the feeds other people's tools read them through.
type Clearinghouse struct {
	*core
	// public lets anyone read the TLP:CLEAR entries (clearinghouse.public).
	public bool
}

// Delivery is the use cases of telling people: the sweep that finds what is
// due, the inbox, the outbox and the channels that carry it, and webhooks.
type Delivery struct {
	*core
	notify config.Notify
	// secret seals webhook secrets (package seal).
	secret []byte
	// statements signs the statement a lapsed review issues.
	statements *statementSigner
	// secretOverlap is how long a rotated webhook secret still signs (webhooks.secret_overlap).
	secretOverlap time.Duration
	// wake asks the scheduler for a delivery run now (Wakes): a ping goes at once.
	wake chan struct{}
	// findings are the response days a reopened finding takes and the
	// warning before a risk acceptance ends.
	findings config.Findings
}

// AuditTrail reads and verifies the audit chain.
type AuditTrail struct{ *core }

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

// New builds the services over one store and clock, each with the settings
// of its area.
func New(store Store, o Options) *Services {
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
	c := &core{store: store, now: o.Now, loc: o.Config.Location(), log: o.Logger, auditKey: auditKey, files: o.Files,
		th: clock.Thresholds{
			DueSoon:  time.Duration(o.Config.Review.DueSoonDays) * 24 * time.Hour,
			Critical: time.Duration(o.Config.Review.CriticalDays) * 24 * time.Hour,
		}}
	cfg := o.Config
	codeKey, _ := seal.RecoveryCodeKey(o.Secret)
	sf := &secondFactors{secret: o.Secret, codeKey: codeKey, now: o.Now}
	acc := &Accounts{core: c, auth: cfg.Auth, reminderDays: cfg.Notify.ReminderDays, reminderTime: cfg.Notify.ReminderTime,
		acceptanceWarningDays: cfg.Findings.AcceptanceWarningDays,
		hasher:                o.Hasher, signer: o.Signer, passwords: newPasswordChecker(o.Hasher), approvals: o.Approvals, factors: sf}
	acc.throttle = throttle{policy: throttlePolicy{cfg.Auth}, now: c.Now}
	issuer := strings.TrimRight(cfg.BaseURL, "/")
	if issuer == "" {
		issuer = cfg.Auth.Issuer
	}
	statements := &statementSigner{core: c, secret: o.Secret, issuer: issuer, agency: cfg.Agency.Name,
		baseURL: strings.TrimRight(cfg.BaseURL, "/")}
	clearinghouse := &Clearinghouse{core: c, public: cfg.Clearinghouse.Public}
	delivery := &Delivery{core: c, notify: cfg.Notify, secret: o.Secret, statements: statements,
		secretOverlap: cfg.Webhooks.SecretOverlap, wake: make(chan struct{}, 1), findings: cfg.Findings}
	return &Services{
		Cases: &Cases{core: c, review: cfg.Review, statements: statements},
		Findings: &Findings{core: c, responseDays: cfg.Findings.ResponseDays, maxUpload: cfg.Uploads.MaxBytes,
			maxAcceptanceDays: cfg.Findings.MaxRiskAcceptanceDays},
		Accounts:      acc,
		Evidence:      &Evidence{statementSigner: statements, benchmarks: o.Benchmarks},
		Clearinghouse: clearinghouse,
		Provider:      newProvider(c, clearinghouse, o.Secret, cfg.Agency.Name, cfg.Mail.From),
		Delivery:      delivery,
		AuditTrail:    &AuditTrail{core: c},
		Approvals:     o.Approvals,
		Factors:       &Factors{core: c, auth: cfg.Auth, factors: sf, issuer: "Docket", throttle: acc.throttle},
		Evaluations:   &Evaluations{core: c, benchmarks: o.Benchmarks, maxUpload: cfg.Uploads.MaxBytes},
		Passkeys:      newPasskeys(c, acc, cfg.BaseURL),
	}
}

// Thresholds returns the band thresholds in force.
func (s *Cases) Thresholds() clock.Thresholds { return s.th }

func newID() string { return uuid.NewString() }

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
