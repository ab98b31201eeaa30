package benchdata

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// On PostgreSQL a batch goes in by COPY rather than by GORM's INSERTs,
// several times faster at a million cases. The rows stay the store's: each
// slice goes through Store.BulkInsert as on SQLite, but into a recorder that
// keeps the INSERT statements' columns and values (as the store converted
// them) instead of sending them; the recorded rows are then copied, parents
// first, in one transaction on a connection of their own together with the
// audit head and the counters. The foreign keys are not checked row by row
// when the database user may turn that off (session_replication_role).

// recorder is a GORM connection that keeps the rows of the INSERTs run on
// it, by table; it runs nothing else.
type recorder struct {
	tables []*recorded
}

type recorded struct {
	name string
	cols []string
	rows [][]any
}

var errNotInsert = errors.New("benchdata: only INSERTs without RETURNING can be copied")

func (r *recorder) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	table, cols, err := parseInsert(query)
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 || len(args)%len(cols) != 0 {
		return nil, fmt.Errorf("benchdata: %d values for %d columns of %s", len(args), len(cols), table)
	}
	var t *recorded
	if n := len(r.tables); n > 0 && r.tables[n-1].name == table && slicesEqual(r.tables[n-1].cols, cols) {
		t = r.tables[n-1]
	} else {
		t = &recorded{name: table, cols: cols}
		r.tables = append(r.tables, t)
	}
	for i := 0; i < len(args); i += len(cols) {
		t.rows = append(t.rows, args[i:i+len(cols):i+len(cols)])
	}
	return driverResult(len(args) / len(cols)), nil
}

func (r *recorder) PrepareContext(context.Context, string) (*sql.Stmt, error) {
	return nil, errNotInsert
}

func (r *recorder) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, errNotInsert
}

func (r *recorder) QueryRowContext(context.Context, string, ...any) *sql.Row {
	panic(errNotInsert) // GORM's Create never asks for one row
}

type driverResult int64

func (n driverResult) LastInsertId() (int64, error) { return 0, errors.New("no insert id") }
func (n driverResult) RowsAffected() (int64, error) { return int64(n), nil }

// parseInsert reads the table and columns of GORM's
// INSERT INTO "t" ("a","b") VALUES (...).
func parseInsert(q string) (string, []string, error) {
	rest, ok := strings.CutPrefix(q, "INSERT INTO ")
	if !ok || strings.Contains(q, " RETURNING ") {
		return "", nil, fmt.Errorf("%w: %.80s", errNotInsert, q)
	}
	table, rest, ok := strings.Cut(rest, " (")
	if !ok {
		return "", nil, fmt.Errorf("%w: %.80s", errNotInsert, q)
	}
	list, _, ok := strings.Cut(rest, ") VALUES ")
	if !ok {
		return "", nil, fmt.Errorf("%w: %.80s", errNotInsert, q)
	}
	var cols []string
	for _, c := range strings.Split(list, ",") {
		cols = append(cols, strings.Trim(strings.TrimSpace(c), `"`))
	}
	return strings.Trim(table, `"`), cols, nil
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// record runs BulkInsert of each slice into a recorder, on a session of
// BulkWrite's db (for its dialect and schemas; nothing reaches its connection).
func (g *seeder) record(ctx context.Context, db *gorm.DB, slices ...any) (*recorder, error) {
	rec := &recorder{}
	// A Context makes the session's statement its own, so the connection can be swapped.
	rdb := db.Session(&gorm.Session{NewDB: true, SkipDefaultTransaction: true, Context: ctx})
	rdb.Statement.ConnPool = rec
	for _, rows := range slices {
		if err := g.st.BulkInsert(rdb, rows); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// copyFlush writes the batch by COPY on a connection of its own (taken from
// db's pool), with the audit head and the counters, in one transaction.
func (g *seeder) copyFlush(ctx context.Context, db *gorm.DB) error {
	rec, err := g.record(ctx, db, g.batch()...)
	if err != nil {
		return err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("benchdata: COPY needs pgx's connection, not %T", dc)
		}
		return pgx.BeginFunc(ctx, sc.Conn(), func(tx pgx.Tx) error {
			// The rows are consistent by construction; as a superuser (a
			// benchmark's own database) the foreign keys' per-row checks,
			// most of COPY's time, are skipped for this transaction.
			var super bool
			if err := tx.QueryRow(ctx, `SELECT current_setting('is_superuser') = 'on'`).Scan(&super); err != nil {
				return err
			}
			if super {
				if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
					return err
				}
			}
			var caseIDs []string
			for _, t := range rec.tables {
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
					return fmt.Errorf("copy %s: %w", t.name, err)
				}
				if t.name == "cases" {
					caseIDs = append(caseIDs, column(t, "id")...)
				}
			}
			// The triggers that keep the closed cases' counts (closed_counts)
			// did not fire with the per-row checks off: the batch's are added here.
			if super && len(caseIDs) > 0 {
				if _, err := tx.Exec(ctx, `INSERT INTO closed_counts (org_id, n)
SELECT org_id, COUNT(*) FROM cases WHERE id = ANY($1) AND status IN ('decided', 'withdrawn') GROUP BY org_id
ON CONFLICT (org_id) DO UPDATE SET n = closed_counts.n + EXCLUDED.n`, caseIDs); err != nil {
					return fmt.Errorf("closed counts: %w", err)
				}
				// Nor those that give each case its place in the sweep's plan
				// (sweep_due): due at once, as a case written by the store is.
				if _, err := tx.Exec(ctx, `INSERT INTO sweep_due (case_id) SELECT unnest($1::text[])`, caseIDs); err != nil {
					return fmt.Errorf("sweep plan: %w", err)
				}
			}
			return g.moveHeads(func(q string, args ...any) error {
				_, err := tx.Exec(ctx, dollars(q), args...)
				return err
			})
		})
	})
}

// dollars numbers the "?" placeholders of q as PostgreSQL's $1, $2, ...
func dollars(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// column returns the values of t's column col as text.
func column(t *recorded, col string) []string {
	i := slices.Index(t.cols, col)
	if i < 0 {
		return nil
	}
	out := make([]string, 0, len(t.rows))
	for _, r := range t.rows {
		out = append(out, fmt.Sprint(r[i]))
	}
	return out
}
