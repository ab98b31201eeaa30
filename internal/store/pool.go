package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// stmtPool is the connection pool GORM runs on for SQLite: database/sql with
// each statement prepared once per connection and reused by every
// transaction after it.
//
// GORM's own PrepareStmt does not do that inside a transaction, where every
// use case runs: it prepares the statement on the transaction, database/sql
// closes it at commit, and the next transaction prepares it again, so every
// query paid for its parsing and planning each time. Here a statement is
// prepared on the database (database/sql then prepares it lazily once on
// each connection and keeps it), and a transaction borrows it with
// Tx.StmtContext. A statement seen for the first time inside a transaction
// runs unprepared, and is prepared in the background when a connection is
// free: preparing in place could wait for the connection the transaction
// itself holds. What must stay true of it is in doc.go.
type stmtPool struct {
	db *sql.DB
	// lazy pools begin a transaction's database transaction at its first statement.
	lazy bool
	// ready is set once the store is open: preparing in the background
	// before could open connections while others open, which on a fresh
	// database can find the journal mode being changed and fail.
	ready atomic.Bool

	mu      sync.RWMutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool
	queue   chan string
	done    chan struct{}
	wg      sync.WaitGroup
}

// Statements kept prepared, at most; statements with long IN lists (many
// parameters) are never kept, since each length is a statement of its own.
const (
	maxStmts      = 400
	maxStmtParams = 64
)

func newStmtPool(db *sql.DB) *stmtPool {
	p := &stmtPool{db: db, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{},
		queue: make(chan string, 64), done: make(chan struct{})}
	p.wg.Add(1)
	go p.prepareLoop()
	return p
}

// prepareLoop prepares queued statements one at a time, each on whichever
// connection is free first.
func (p *stmtPool) prepareLoop() {
	defer p.wg.Done()
	for {
		select {
		case <-p.done:
			return
		case q := <-p.queue:
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			st, err := p.db.PrepareContext(ctx, q)
			cancel()
			p.mu.Lock()
			delete(p.pending, q)
			if err == nil {
				select {
				case <-p.done:
					st.Close()
				default:
					p.stmts[q] = st
				}
			}
			p.mu.Unlock()
		}
	}
}

// cached returns the prepared statement for q, or nil after asking for it
// to be prepared when it may be kept.
func (p *stmtPool) cached(q string) *sql.Stmt {
	p.mu.RLock()
	st := p.stmts[q]
	p.mu.RUnlock()
	if st != nil {
		return st
	}
	if !p.ready.Load() || !keepable(q) {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if st := p.stmts[q]; st != nil {
		return st
	}
	if p.pending[q] || len(p.stmts)+len(p.pending) >= maxStmts {
		return nil
	}
	select {
	case p.queue <- q:
		p.pending[q] = true
	default: // the preparer is busy; a later use asks again
	}
	return nil
}

// keepable reports whether q is a statement worth keeping prepared: a query
// or a change of rows (not a schema change, a pragma or a savepoint) with no
// long list of parameters.
func keepable(q string) bool {
	q = strings.TrimSpace(q)
	verb := q
	if i := strings.IndexAny(q, " \t\n("); i >= 0 {
		verb = q[:i]
	}
	switch strings.ToUpper(verb) {
	case "SELECT", "INSERT", "UPDATE", "DELETE", "WITH":
		return strings.Count(q, "?") <= maxStmtParams
	}
	return false
}

// Close stops the preparer and closes the statements, then the database.
func (p *stmtPool) Close() error {
	close(p.done)
	p.wg.Wait()
	p.mu.Lock()
	for q, st := range p.stmts {
		st.Close()
		delete(p.stmts, q)
	}
	p.mu.Unlock()
	return p.db.Close()
}

// GetDBConn gives GORM the database (gorm.DB.DB).
func (p *stmtPool) GetDBConn() (*sql.DB, error) { return p.db, nil }

func (p *stmtPool) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return p.db.PrepareContext(ctx, q)
}

// quiet returns ctx without its cancellation, or ctx's error when it is
// done already. go-sqlite3 runs every statement and fetches every row on a
// goroutine of its own when the context can be cancelled, so that it can
// interrupt SQLite: a goroutine, a channel and two switches per row, and an
// interrupt inside a transaction rolls the transaction back. Docket's
// statements are short; a request that is gone by the time one starts
// still gets its error and starts nothing.
func quiet(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

func (p *stmtPool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx, err := quiet(ctx)
	if err != nil {
		return nil, err
	}
	if st := p.cached(q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.db.ExecContext(ctx, q, args...)
}

func (p *stmtPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx, err := quiet(ctx)
	if err != nil {
		return nil, err
	}
	if st := p.cached(q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.db.QueryContext(ctx, q, args...)
}

func (p *stmtPool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if qc, err := quiet(ctx); err == nil {
		ctx = qc
	}
	if st := p.cached(q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.db.QueryRowContext(ctx, q, args...)
}

// BeginTx starts a transaction whose statements come from the pool (GORM's
// ConnPoolBeginner). On a lazy pool (the readers) the database transaction
// begins with the transaction's first statement, so that a read answered
// wholly from what the store remembers (memo.go) touches no connection. For
// SQLite that changes nothing a reader can see: a deferred transaction takes
// its snapshot at its first read, not at BEGIN.
func (p *stmtPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	ctx, err := quiet(ctx)
	if err != nil {
		return nil, err
	}
	t := &stmtTx{pool: p, ctx: ctx, opts: opts}
	if !p.lazy {
		if _, err := t.sqlTx(); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// stmtTx is one transaction; it borrows the pool's prepared statements.
type stmtTx struct {
	pool *stmtPool
	tx   *sql.Tx // nil until begun
	ctx  context.Context
	opts *sql.TxOptions
	// changed is set by a statement that may change rows other than the
	// sweep lease's, which a process renews every few seconds and nothing
	// it remembers depends on (memo.go).
	changed bool
}

// note records what q may change.
func (t *stmtTx) note(q string) {
	if t.changed {
		return
	}
	q = strings.TrimSpace(q)
	verb := q
	if i := strings.IndexAny(q, " \t\n("); i >= 0 {
		verb = q[:i]
	}
	switch strings.ToUpper(verb) {
	case "SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "PRAGMA":
		return
	}
	for _, lease := range []string{"UPDATE leases ", "INSERT INTO leases ", "DELETE FROM leases "} {
		if strings.HasPrefix(q, lease) {
			return
		}
	}
	t.changed = true
}

// sqlTx begins the database transaction if it has not begun.
func (t *stmtTx) sqlTx() (*sql.Tx, error) {
	if t.tx == nil {
		tx, err := t.pool.db.BeginTx(t.ctx, t.opts)
		if err != nil {
			return nil, err
		}
		t.tx = tx
	}
	return t.tx, nil
}

// GetDBConn gives GORM the database (gorm.DB.DB inside a transaction).
func (t *stmtTx) GetDBConn() (*sql.DB, error) { return t.pool.db, nil }

// Commit commits; a transaction that never began has nothing to commit.
func (t *stmtTx) Commit() error {
	if t.tx == nil {
		return nil
	}
	return t.tx.Commit()
}

// Rollback rolls back; a transaction that never began has nothing to undo.
func (t *stmtTx) Rollback() error {
	if t.tx == nil {
		return nil
	}
	return t.tx.Rollback()
}

func (t *stmtTx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	t.changed = true // what runs it is not seen
	tx, err := t.sqlTx()
	if err != nil {
		return nil, err
	}
	return tx.PrepareContext(ctx, q)
}

// StmtContext is sql.Tx's (gorm.Tx).
func (t *stmtTx) StmtContext(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	t.changed = true // what runs it is not seen
	tx, err := t.sqlTx()
	if err != nil {
		return st
	}
	return tx.StmtContext(ctx, st)
}

func (t *stmtTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	t.note(q)
	ctx, err := quiet(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := t.sqlTx()
	if err != nil {
		return nil, err
	}
	if st := t.pool.cached(q); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

func (t *stmtTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	t.note(q) // an INSERT … RETURNING comes as a query
	ctx, err := quiet(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := t.sqlTx()
	if err != nil {
		return nil, err
	}
	if st := t.pool.cached(q); st != nil {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, q, args...)
}

func (t *stmtTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	t.note(q)
	if qc, err := quiet(ctx); err == nil {
		ctx = qc
	}
	tx, err := t.sqlTx()
	if err != nil {
		// A row that carries the failure: a query on a done context.
		done, cancel := context.WithCancel(ctx)
		cancel()
		return t.pool.db.QueryRowContext(done, q, args...)
	}
	if st := t.pool.cached(q); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, q, args...)
}
