package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// StatementLog records what one context's transactions ran: each
// transaction begun, and each SQL statement, in order. It exists to find
// where a request's time goes (round trips per request, on each engine);
// the product never records one, and a context without a log costs one
// context lookup per statement.
type StatementLog struct {
	mu           sync.Mutex
	statements   []string
	took         []time.Duration
	transactions int
}

type statementLogKey struct{}

// WithStatementLog returns a context under which every transaction and
// statement the store runs is recorded in the returned log.
func WithStatementLog(ctx context.Context) (context.Context, *StatementLog) {
	l := &StatementLog{}
	return context.WithValue(ctx, statementLogKey{}, l), l
}

func statementLogOf(ctx context.Context) *StatementLog {
	if ctx == nil {
		return nil
	}
	l, _ := ctx.Value(statementLogKey{}).(*StatementLog)
	return l
}

func (l *StatementLog) statement(sql string, took time.Duration) {
	l.mu.Lock()
	l.statements = append(l.statements, sql)
	l.took = append(l.took, took)
	l.mu.Unlock()
}

// Took returns how long each recorded statement took to run (as GORM
// timed it; 0 for those SQLite's pool runs unseen, whose rows are read after).
func (l *StatementLog) Took() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Duration(nil), l.took...)
}

func (l *StatementLog) transaction() {
	l.mu.Lock()
	l.transactions++
	l.mu.Unlock()
}

// Statements returns the statements recorded so far, in order.
func (l *StatementLog) Statements() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.statements...)
}

// Transactions returns how many transactions were begun.
func (l *StatementLog) Transactions() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.transactions
}

// Reset forgets what was recorded.
func (l *StatementLog) Reset() {
	l.mu.Lock()
	l.statements, l.took, l.transactions = nil, nil, 0
	l.mu.Unlock()
}

// noteTransaction records a transaction begun under ctx, when ctx has a log.
func noteTransaction(ctx context.Context) {
	if l := statementLogOf(ctx); l != nil {
		l.transaction()
	}
}

// oneStatementKey marks a context under which only one statement may run
// (Store.ReadOne); its value counts them.
type oneStatementKey struct{}

// errSecondStatement is a second statement under Store.ReadOne.
var errSecondStatement = errors.New("store: a second statement in a one-statement read (use Read)")

// logStatements registers, on db, callbacks around each kind of statement
// GORM runs: before it, the one-statement guard of Store.ReadOne; around
// it, when the context has a StatementLog, a record of its text with
// placeholders (never the values bound to them, which may be a token's id
// or a password hash) and how long it took.
func logStatements(db *gorm.DB) error {
	cb := db.Callback()
	regs := []struct {
		name          string
		before, after func(string) error
	}{
		{"gorm:create", func(n string) error { return cb.Create().Before("gorm:create").Register(n, logStart) },
			func(n string) error { return cb.Create().After("gorm:create").Register(n, logEnd) }},
		{"gorm:query", func(n string) error { return cb.Query().Before("gorm:query").Register(n, logStart) },
			func(n string) error { return cb.Query().After("gorm:query").Register(n, logEnd) }},
		{"gorm:update", func(n string) error { return cb.Update().Before("gorm:update").Register(n, logStart) },
			func(n string) error { return cb.Update().After("gorm:update").Register(n, logEnd) }},
		{"gorm:delete", func(n string) error { return cb.Delete().Before("gorm:delete").Register(n, logStart) },
			func(n string) error { return cb.Delete().After("gorm:delete").Register(n, logEnd) }},
		{"gorm:row", func(n string) error { return cb.Row().Before("gorm:row").Register(n, logStart) },
			func(n string) error { return cb.Row().After("gorm:row").Register(n, logEnd) }},
		{"gorm:raw", func(n string) error { return cb.Raw().Before("gorm:raw").Register(n, logStart) },
			func(n string) error { return cb.Raw().After("gorm:raw").Register(n, logEnd) }},
	}
	for _, r := range regs {
		if err := r.before("docket:log_start"); err != nil {
			return err
		}
		if err := r.after("docket:log"); err != nil {
			return err
		}
	}
	return nil
}

const logStartKey = "docket:log_start"

func logStart(db *gorm.DB) {
	ctx := db.Statement.Context
	if ctx == nil {
		return
	}
	if n, ok := ctx.Value(oneStatementKey{}).(*atomic.Int32); ok && n.Add(1) > 1 {
		_ = db.AddError(errSecondStatement)
		return
	}
	if statementLogOf(ctx) != nil {
		db.InstanceSet(logStartKey, time.Now())
	}
}

func logEnd(db *gorm.DB) {
	l := statementLogOf(db.Statement.Context)
	if l == nil {
		return
	}
	var took time.Duration
	if v, ok := db.InstanceGet(logStartKey); ok {
		if begin, ok := v.(time.Time); ok {
			took = time.Since(begin)
		}
	}
	l.statement(db.Statement.SQL.String(), took)
}
