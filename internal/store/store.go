package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// Store is the database: on SQLite one writer connection beside a pool of
// readers; on PostgreSQL one pool.
type Store struct {
	write    *gorm.DB
	read     *gorm.DB
	postgres bool
	path     string
	// pools keep SQLite's prepared statements (pool.go).
	pools []*stmtPool
	// gen counts the write transactions that ended; bands remembers band
	// counts (bands.go), memos other reads (memo.go), each under the
	// versions the database keeps of what it depends on; versions is what
	// SQLite's store last read of those at a generation.
	gen      atomic.Uint64
	bands    bandCache
	memos    *memos
	versions versionMemory
	// commits runs SQLite's write transactions (commit.go).
	commits *committer
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to the database named by dsn: a SQLite file path or a
// postgres:// URL. It does not migrate.
func Open(dsn string) (*Store, error) {
	cfg := &gorm.Config{
		SkipDefaultTransaction: true,
		// Not GORM's: inside a transaction it prepares every statement again
		// and closes it at commit (pool.go). On PostgreSQL pgx keeps each
		// statement prepared per connection by itself; SQLite has stmtPool.
		PrepareStmt: false,
		Logger:      logger.Discard,
		NowFunc:     func() time.Time { return time.Now().UTC() },
	}
	if IsPostgres(dsn) {
		db, err := gorm.Open(postgres.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("db: %w", err)
		}
		if err := logStatements(db); err != nil {
			return nil, err
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		sqlDB.SetMaxOpenConns(16)
		sqlDB.SetMaxIdleConns(16)
		return &Store{write: db, read: db, postgres: true, memos: newMemos()}, nil
	}
	if dsn == "" {
		return nil, errors.New("db: no database path given")
	}
	if dir := filepath.Dir(dsn); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("db: %w", err)
		}
	}
	// Pragmas ride in the DSN so that every pooled connection gets them.
	params := "_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on&_synchronous=FULL&cache=private"
	path := (&url.URL{Path: dsn}).EscapedPath()
	// Statements are kept prepared per connection by stmtPool, not by GORM.
	st := &Store{path: dsn, memos: newMemos(),
		commits: &committer{queue: make(chan *writeReq, 1024), closed: make(chan struct{})}}
	w, err := st.openSQLite("file:"+path+"?"+params+"&_txlock=immediate", cfg, 1)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("db: %w", err)
	}
	wdb, _ := w.DB()
	if err := wdb.Ping(); err != nil {
		st.Close()
		return nil, fmt.Errorf("db: %w", err)
	}
	// The file must exist and be private before readers open it.
	_ = os.Chmod(dsn, 0o600)
	// Readers: two per processor, four to eight, each with a page cache of
	// 1 MB (SQLite's default is 2 MB): what is read most is remembered above
	// them (memo.go), and every connection's cache is the process's memory.
	readers := min(8, max(4, 2*runtime.GOMAXPROCS(0)))
	r, err := st.openSQLite("file:"+path+"?"+params+"&_query_only=1&_cache_size=-1000", cfg, readers)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("db: %w", err)
	}
	st.write, st.read = w, r
	st.pools[1].lazy = true // the readers (pool.go)
	for _, p := range st.pools {
		p.ready.Store(true)
	}
	return st, nil
}

// openSQLite opens a pool of at most conns SQLite connections behind a
// stmtPool, and GORM over it.
func (s *Store) openSQLite(dsn string, cfg *gorm.Config, conns int) (*gorm.DB, error) {
	sqlDB, err := sql.Open(sqlite.DriverName, dsn)
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(conns)
	sqlDB.SetMaxIdleConns(conns)
	sqlDB.SetConnMaxLifetime(0)
	p := newStmtPool(sqlDB)
	s.pools = append(s.pools, p)
	db, err := gorm.Open(sqlite.New(sqlite.Config{Conn: p}), cfg)
	if err != nil {
		return nil, err
	}
	return db, logStatements(db)
}

// Close closes every connection.
func (s *Store) Close() error {
	var errs []error
	if !s.postgres {
		s.stopCommits()
		for _, p := range s.pools {
			errs = append(errs, p.Close())
		}
		return errors.Join(errs...)
	}
	for _, db := range []*gorm.DB{s.write, s.read} {
		if sqlDB, err := db.DB(); err == nil {
			errs = append(errs, sqlDB.Close())
		}
		if s.postgres {
			break
		}
	}
	return errors.Join(errs...)
}

// Postgres reports whether the store runs on PostgreSQL.
func (s *Store) Postgres() bool { return s.postgres }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.read.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Write runs fn in a write transaction; on PostgreSQL serialization failures
// and deadlocks are retried.
func (s *Store) Write(ctx context.Context, fn func(app.Tx) error) error {
	if !s.postgres {
		return s.writeGrouped(ctx, fn) // commit.go
	}
	// Whatever the outcome, remembered reads may be out of date now.
	defer s.gen.Add(1)
	for attempt := 0; ; attempt++ {
		noteTransaction(ctx)
		err := s.write.WithContext(ctx).Transaction(func(db *gorm.DB) error {
			return fn(&tx{db: db, postgres: s.postgres, store: s})
		})
		if s.postgres && retryable(err) && attempt < 10 {
			time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
			continue
		}
		return translate(err)
	}
}

// Read runs fn on a consistent read snapshot.
func (s *Store) Read(ctx context.Context, fn func(app.Tx) error) error {
	// The generation is read before the snapshot is taken, so that what is
	// remembered under it is never newer than the snapshot.
	gen := s.gen.Load()
	noteTransaction(ctx)
	var opts []*sql.TxOptions
	if s.postgres {
		// One snapshot for the whole read, as SQLite's deferred read
		// transactions give: under READ COMMITTED each statement would see
		// the writes committed before it began, and a page could count
		// cases its list does not hold.
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	}
	err := s.read.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		return fn(&tx{db: db, postgres: s.postgres, store: s, gen: gen, readOnly: true})
	}, opts...)
	return translate(err)
}

// ReadOne runs fn, which makes one statement, as Read does. On PostgreSQL it
// runs outside a transaction: one statement sees one snapshot by itself, and
// BEGIN and COMMIT would be two more round trips to the database. A second
// statement fails with errSecondStatement (a programming error: fn belongs
// in Read). On SQLite, where a read transaction costs no round trip and
// what is remembered is kept per transaction's generation, it is Read.
func (s *Store) ReadOne(ctx context.Context, fn func(app.Tx) error) error {
	if !s.postgres {
		return s.Read(ctx, fn)
	}
	ctx = context.WithValue(ctx, oneStatementKey{}, new(atomic.Int32))
	return translate(fn(&tx{db: s.read.WithContext(ctx), postgres: true, store: s, readOnly: true, noMemo: true}))
}

func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01")
}

// translate maps storage errors to domain errors at the edge.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if docket.AsError(err) != nil {
		return err
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return docket.NotFound("record")
	}
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrConstraint {
		if se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey {
			return docket.Errorf(docket.EConflict, "it exists already")
		}
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" {
		return docket.Errorf(docket.EConflict, "it exists already")
	}
	return err
}

// tx is one transaction; it implements app.Tx.
type tx struct {
	db       *gorm.DB
	postgres bool
	// store, gen and readOnly let a read transaction use what the store
	// remembers (memo.go): gen is the write generation it began at, ver the
	// versions of its snapshot once read; noMemo keeps a read outside a
	// transaction (ReadOne) from it.
	store    *Store
	gen      uint64
	ver      *memoVersions
	readOnly bool
	noMemo   bool
}

var _ app.Tx = (*tx)(nil)

func ms(t time.Time) int64 { return t.UnixMilli() }

func tm(v int64) time.Time { return time.UnixMilli(v).UTC() }

func msp(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := t.UnixMilli()
	return &v
}

func tmp(v *int64) *time.Time {
	if v == nil {
		return nil
	}
	t := tm(*v)
	return &t
}

// notFound turns "no rows" into a domain 404 naming what.
func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return docket.NotFound(what)
	}
	return err
}

// Backup writes a consistent copy of a SQLite database to path while it is in use.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.postgres {
		return errors.New("backup: use pg_dump for PostgreSQL")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s exists already", path)
	}
	if err := s.write.WithContext(ctx).Exec(`VACUUM INTO ?`, path).Error; err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return os.Chmod(path, 0o600)
}

// Exec runs one statement on the writer; for operators' tools and tests only.
func (s *Store) Exec(sql string) error {
	defer s.gen.Add(1)
	if err := s.write.Exec(sql).Error; err != nil {
		return err
	}
	return bumpMemoVersions(s.write)
}

// Pools returns the store's connection pools by name, for their statistics:
// on SQLite the one writer and the readers, on PostgreSQL the one pool.
func (s *Store) Pools() map[string]*sql.DB {
	out := map[string]*sql.DB{}
	if s.postgres {
		if db, err := s.write.DB(); err == nil {
			out["postgres"] = db
		}
		return out
	}
	if db, err := s.write.DB(); err == nil {
		out["sqlite_writer"] = db
	}
	if db, err := s.read.DB(); err == nil {
		out["sqlite_readers"] = db
	}
	return out
}

// Pragma reads a SQLite pragma on the writer and on several readers at once,
// so that tests can see every pooled connection got the DSN's settings.
func (s *Store) Pragma(name string) ([]string, error) {
	var out []string
	var v string
	if err := s.write.Raw("PRAGMA " + name).Scan(&v).Error; err != nil {
		return nil, err
	}
	out = append(out, v)
	rdb, err := s.read.DB()
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	var conns []interface{ Close() error }
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := 0; i < 4; i++ {
		conn, err := rdb.Conn(ctx)
		if err != nil {
			return nil, err
		}
		conns = append(conns, conn)
		if err := conn.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
