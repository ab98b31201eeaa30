package app

import "context"

// Each service sees a transaction through its own view: the stores of the
// areas its use cases touch, and no others. Tx satisfies every view; the
// read and write helpers below hand a service's use cases the transaction
// as that view only. The shared helpers of core take the smallest views.

// caseReader reads cases (core.caseAccess, core.visibleCase).
type caseReader interface{ Cases() CaseStore }

// contentReader reads findings, comments and attachments (core.findingView).
type contentReader interface{ Content() ContentStore }

// findingReader reads a finding and its case (core.findingAccess).
type findingReader interface {
	caseReader
	contentReader
}

// riskTx recomputes a case's risk tier (core.recomputeRisk).
type riskTx interface{ Benchmarks() BenchmarkStore }

// eventTx records an event for the outbox (core.emit).
type eventTx interface{ Delivery() DeliveryStore }

// statementTx keeps the signing keys and issues statements (statementSigner).
type statementTx interface {
	auditing
	caseReader
	Users() UserStore
	Statements() StatementStore
	// Evaluations lists the evaluations a decision considered.
	Evaluations() EvaluationStore
}

// casesTx is the cases service's view.
type casesTx interface {
	auditing
	caseReader
	contentReader
	eventTx
	Users() UserStore
	Notifications() NotifyStore
	Amendments() AmendmentStore
	Board() BoardStore
	Statements() StatementStore
	Evaluations() EvaluationStore
}

// findingsTx is the findings service's view.
type findingsTx interface {
	auditing
	findingReader
	riskTx
	eventTx
	Users() UserStore
}

// accountsTx is the accounts service's view.
type accountsTx interface {
	auditing
	caseReader
	Users() UserStore
	Approvals() ApprovalStore
	Delivery() DeliveryStore
	Notifications() NotifyStore
	Factors() FactorStore
}

// evidenceTx is the evidence service's view.
type evidenceTx interface {
	statementTx
	riskTx
}

// clearinghouseTx is the Clearinghouse's view.
type clearinghouseTx interface {
	auditing
	findingReader
	Clearinghouse() ClearinghouseStore
}

// deliveryTx is the delivery service's view (the sweep also reopens findings
// whose risk acceptance ended, and recomputes their cases' tiers).
type deliveryTx interface {
	statementTx
	eventTx
	contentReader
	riskTx
	Notifications() NotifyStore
	Sweep() SweepStore
}

// auditTx is the audit trail's view.
type auditTx interface {
	auditing
	caseReader
}

func (s *Cases) read(ctx context.Context, fn func(casesTx) error) error {
	return s.store.Read(ctx, func(tx Tx) error { return fn(tx) })
}

// readOne is read for an fn that makes one statement (Store.ReadOne).
func (s *Cases) readOne(ctx context.Context, fn func(casesTx) error) error {
	return s.store.ReadOne(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *Cases) write(ctx context.Context, fn func(casesTx) error) error {
	return s.store.Write(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *Findings) read(ctx context.Context, fn func(findingsTx) error) error {
	return s.store.Read(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *Findings) write(ctx context.Context, fn func(findingsTx) error) error {
	return s.store.Write(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *Accounts) read(ctx context.Context, fn func(accountsTx) error) error {
	return s.store.Read(ctx, func(tx Tx) error { return fn(tx) })
}

// readOne is read for an fn that makes one statement (Store.ReadOne).
func (s *Accounts) readOne(ctx context.Context, fn func(accountsTx) error) error {
	return s.store.ReadOne(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *Accounts) write(ctx context.Context, fn func(accountsTx) error) error {
	return s.store.Write(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *Evidence) read(ctx context.Context, fn func(evidenceTx) error) error {
	return s.store.Read(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *Evidence) write(ctx context.Context, fn func(evidenceTx) error) error {
	return s.store.Write(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *Clearinghouse) read(ctx context.Context, fn func(clearinghouseTx) error) error {
	return s.store.Read(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *Clearinghouse) write(ctx context.Context, fn func(clearinghouseTx) error) error {
	return s.store.Write(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *Delivery) read(ctx context.Context, fn func(deliveryTx) error) error {
	return s.store.Read(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *Delivery) write(ctx context.Context, fn func(deliveryTx) error) error {
	return s.store.Write(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *AuditTrail) read(ctx context.Context, fn func(auditTx) error) error {
	return s.store.Read(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *AuditTrail) write(ctx context.Context, fn func(auditTx) error) error {
	return s.store.Write(ctx, func(tx Tx) error { return fn(tx) })
}
