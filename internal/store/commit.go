package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"

	"github.com/docket/docket/internal/app"
)

// Group commit: SQLite's write transactions, one at a time as ever, but
// committed together. What must stay true of it is in doc.go.
//
// SQLite has one writer, and with synchronous=FULL each commit waits for the
// disk, so that concurrent writers queue behind one fsync each. Here the write
// transactions that wait while one commits are run, in the order they came,
// inside one database transaction, each in a savepoint of its own, and
// committed at once: one fsync for the lot. Each use case still sees the
// writes of those before it, a use case that fails rolls back to its
// savepoint alone, and nobody hears of success before the commit that holds
// its writes is on disk. When the transaction as a whole fails (the disk is
// full, say), nothing in it was acknowledged, and every use case that had not
// failed on its own is run again by itself, exactly as it would have been run
// without the others (use cases are written to be retried: PostgreSQL retries
// them on serialization failures).

// maxBatch bounds the use cases committed together.
const maxBatch = 64

// writeReq is one use case waiting to be written.
type writeReq struct {
	ctx      context.Context
	fn       func(app.Tx) error
	err      error
	panicked bool
	panicVal any
	done     chan struct{}
}

// committer runs the write transactions of a SQLite store.
type committer struct {
	queue  chan *writeReq
	closed chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
	// mu orders hand-overs before the close: none comes after it.
	mu       sync.RWMutex
	isClosed bool
	// shared counts the batches of several use cases, aborted those that
	// failed as a whole (for tests).
	shared, aborted atomic.Int64
}

var errStoreClosed = errors.New("db: the store is closed")

// writeGrouped hands fn to the committer and waits for its outcome. Once
// handed over, the caller waits whatever its context says: the write may
// commit, and the caller must learn whether it did.
func (s *Store) writeGrouped(ctx context.Context, fn func(app.Tx) error) error {
	noteTransaction(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	c := s.commits
	c.once.Do(func() {
		c.wg.Add(1)
		go s.commitLoop()
	})
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	c.mu.RLock()
	if c.isClosed {
		c.mu.RUnlock()
		return errStoreClosed
	}
	c.queue <- r
	c.mu.RUnlock()
	<-r.done
	if r.panicked {
		panic(r.panicVal)
	}
	return r.err
}

// stopCommits lets the running batch finish and refuses later writes.
func (s *Store) stopCommits() {
	c := s.commits
	c.mu.Lock()
	if !c.isClosed {
		c.isClosed = true
		close(c.closed)
	}
	c.mu.Unlock()
	c.wg.Wait()
}

func (s *Store) commitLoop() {
	c := s.commits
	defer c.wg.Done()
	for {
		var first *writeReq
		select {
		case first = <-c.queue:
		case <-c.closed:
			// Whoever is still queued hears that the store closed.
			for {
				select {
				case r := <-c.queue:
					r.err = errStoreClosed
					close(r.done)
				default:
					return
				}
			}
		}
		batch := []*writeReq{first}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-c.queue:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		// Remembered reads are out of date before anyone hears of the write
		// (unless the batch only renewed the sweep lease).
		if s.commitBatch(batch) {
			s.gen.Add(1)
		}
		for _, r := range batch {
			close(r.done)
		}
	}
}

// call runs fn, turning a panic into a value to raise again in the caller.
func call(fn func(app.Tx) error, t *tx) (panicked bool, val any, err error) {
	defer func() {
		if v := recover(); v != nil {
			panicked, val = true, v
		}
	}()
	return false, nil, fn(t)
}

// changed reports whether the transaction of db ran a statement that may
// change rows other than the sweep lease's (pool.go).
func changed(db *gorm.DB) bool {
	st, ok := db.Statement.ConnPool.(*stmtTx)
	return !ok || st.changed
}

// commitBatch writes the batch: one use case alone in a transaction of its
// own, several in savepoints of one transaction. It reports whether it may
// have changed anything but the sweep lease.
func (s *Store) commitBatch(batch []*writeReq) (wrote bool) {
	if len(batch) == 1 {
		return s.commitOne(batch[0])
	}
	s.commits.shared.Add(1)
	err := s.write.Transaction(func(db *gorm.DB) error {
		defer func() { wrote = wrote || changed(db) }()
		for _, r := range batch {
			if err := r.ctx.Err(); err != nil {
				r.err = err
				continue
			}
			if err := db.Exec(`SAVEPOINT usecase`).Error; err != nil {
				return err
			}
			panicked, val, ferr := call(r.fn, &tx{db: db.WithContext(r.ctx), store: s})
			if ferr != nil || panicked {
				// A failure that ended the transaction itself ends the batch.
				if err := db.Exec(`ROLLBACK TO usecase`).Error; err != nil {
					return err
				}
				r.err, r.panicked, r.panicVal = translate(ferr), panicked, val
			}
			if err := db.Exec(`RELEASE usecase`).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		return wrote
	}
	// Nothing of the batch was written: each use case runs again, alone, as
	// if the others had not been there.
	s.commits.aborted.Add(1)
	for _, r := range batch {
		r.err, r.panicked, r.panicVal = nil, false, nil
		if s.commitOne(r) {
			wrote = true
		}
	}
	return wrote
}

// commitOne writes one use case in a transaction of its own; it reports
// whether it may have changed anything but the sweep lease.
func (s *Store) commitOne(r *writeReq) (wrote bool) {
	if err := r.ctx.Err(); err != nil {
		r.err = err
		return false
	}
	var panicked bool
	var val any
	err := s.write.WithContext(r.ctx).Transaction(func(db *gorm.DB) error {
		defer func() { wrote = changed(db) }()
		var ferr error
		panicked, val, ferr = call(r.fn, &tx{db: db, store: s})
		if panicked {
			return errPanicked
		}
		return ferr
	})
	if panicked {
		r.err, r.panicked, r.panicVal = nil, true, val
		return true
	}
	r.err = translate(err)
	return wrote || err != nil
}

// errPanicked rolls back the transaction of a use case that panicked.
var errPanicked = errors.New("the use case panicked")
