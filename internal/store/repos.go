package store

import "github.com/docket/docket/internal/app"

// The transaction is seen by the use cases through one store per area
// (app.Tx): each is the same transaction, the same connection and the same
// group commit, under the methods of that area only.

// userRepo is the transaction as app.UserStore.
type userRepo struct{ *tx }

// auditRepo is the transaction as app.AuditStore.
type auditRepo struct{ *tx }

// caseRepo is the transaction as app.CaseStore.
type caseRepo struct{ *tx }

// notifyRepo is the transaction as app.NotifyStore.
type notifyRepo struct{ *tx }

// contentRepo is the transaction as app.ContentStore.
type contentRepo struct{ *tx }

// deliveryRepo is the transaction as app.DeliveryStore.
type deliveryRepo struct{ *tx }

// boardRepo is the transaction as app.BoardStore.
type boardRepo struct{ *tx }

// amendmentRepo is the transaction as app.AmendmentStore.
type amendmentRepo struct{ *tx }

// benchmarkRepo is the transaction as app.BenchmarkStore.
type benchmarkRepo struct{ *tx }

// clearinghouseRepo is the transaction as app.ClearinghouseStore.
type clearinghouseRepo struct{ *tx }

// statementRepo is the transaction as app.StatementStore.
type statementRepo struct{ *tx }

// csafKeyRepo is the transaction as app.CSAFKeyStore.
type csafKeyRepo struct{ *tx }

// approvalRepo is the transaction as app.ApprovalStore.
type approvalRepo struct{ *tx }

// evaluationRepo is the transaction as app.EvaluationStore.
type evaluationRepo struct{ *tx }

// sweepRepo is the transaction as app.SweepStore.
type sweepRepo struct{ *tx }

func (t *tx) Users() app.UserStore                  { return userRepo{t} }
func (t *tx) Audit() app.AuditStore                 { return auditRepo{t} }
func (t *tx) Cases() app.CaseStore                  { return caseRepo{t} }
func (t *tx) Notifications() app.NotifyStore        { return notifyRepo{t} }
func (t *tx) Content() app.ContentStore             { return contentRepo{t} }
func (t *tx) Delivery() app.DeliveryStore           { return deliveryRepo{t} }
func (t *tx) Board() app.BoardStore                 { return boardRepo{t} }
func (t *tx) Amendments() app.AmendmentStore        { return amendmentRepo{t} }
func (t *tx) Benchmarks() app.BenchmarkStore        { return benchmarkRepo{t} }
func (t *tx) Clearinghouse() app.ClearinghouseStore { return clearinghouseRepo{t} }
func (t *tx) Statements() app.StatementStore        { return statementRepo{t} }
func (t *tx) Approvals() app.ApprovalStore          { return approvalRepo{t} }
func (t *tx) Sweep() app.SweepStore                 { return sweepRepo{t} }
func (t *tx) CSAFKeys() app.CSAFKeyStore            { return csafKeyRepo{t} }
func (t *tx) Evaluations() app.EvaluationStore      { return evaluationRepo{t} }
