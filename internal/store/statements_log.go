package store

import (
	"context"
	"sync"
	"time"

	"gorm.io/gorm/logger"
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

// statementLogger is GORM's logger: it writes nothing, and records each
// statement GORM runs under a context that carries a StatementLog.
type statementLogger struct{}

func (statementLogger) LogMode(logger.LogLevel) logger.Interface      { return statementLogger{} }
func (statementLogger) Info(context.Context, string, ...interface{})  {}
func (statementLogger) Warn(context.Context, string, ...interface{})  {}
func (statementLogger) Error(context.Context, string, ...interface{}) {}

func (statementLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), _ error) {
	if l := statementLogOf(ctx); l != nil {
		sql, _ := fc()
		l.statement(sql, time.Since(begin))
	}
}
