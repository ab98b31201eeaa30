package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Copy moves every row of a SQLite deployment into an empty PostgreSQL
// database migrated to the same version, in one transaction on the target,
// parents before children. The audit chain is copied event by event, so it
// verifies on the target as it did on the source. It returns the rows copied
// per table.
// keptByTriggers are the tables the database keeps itself from other
// tables' rows: the target's triggers fill them as those rows arrive.
var keptByTriggers = map[string]bool{"closed_counts": true}

// ownRows are the tables whose rows the target's migrations made and its
// triggers keep: the memory's versions (memo.go) and the sweep's plan
// (sweep.go), which starts again from every case on the target.
var ownRows = map[string]bool{"memo_versions": true, "sweep_due": true, "sweep_settings": true}

func Copy(ctx context.Context, src, dst *Store) (map[string]int, error) {
	if src.postgres || !dst.postgres {
		return nil, fmt.Errorf("copy: from SQLite to PostgreSQL only")
	}
	if err := sameVersion(ctx, src, dst); err != nil {
		return nil, err
	}
	sdb, err := src.read.DB()
	if err != nil {
		return nil, err
	}
	tables, err := copyOrder(ctx, sdb)
	if err != nil {
		return nil, err
	}
	ddb, err := dst.write.DB()
	if err != nil {
		return nil, err
	}
	tx, err := ddb.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var n int64
	for _, t := range tables {
		if t == "audit_head" || t == "schema_migrations" || keptByTriggers[t] || ownRows[t] {
			continue
		}
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("copy: target table %s: %w", t, err)
		}
		if n > 0 {
			return nil, fmt.Errorf("copy: the target is not empty: %s has %d rows", t, n)
		}
	}
	counts := map[string]int{}
	for _, t := range tables {
		if t == "schema_migrations" || keptByTriggers[t] || ownRows[t] {
			continue
		}
		c, err := copyTable(ctx, sdb, tx, t)
		if err != nil {
			return nil, fmt.Errorf("copy: %s: %w", t, err)
		}
		counts[t] = c
	}
	// What the target's triggers kept must be what the source holds.
	for t := range keptByTriggers {
		a, err := tableText(ctx, sdb.QueryContext, t)
		if err != nil {
			return nil, fmt.Errorf("copy: %s: %w", t, err)
		}
		b, err := tableText(ctx, tx.QueryContext, t)
		if err != nil {
			return nil, fmt.Errorf("copy: target %s: %w", t, err)
		}
		if a != b {
			return nil, fmt.Errorf("copy: %s on the target (%s) differs from the source's (%s)", t, b, a)
		}
	}
	return counts, tx.Commit()
}

// tableText is a kept table's rows as text (first column, then the second),
// for comparing the two databases' (the tables keptByTriggers are of two
// columns, a key and a count).
func tableText(ctx context.Context, query func(context.Context, string, ...any) (*sql.Rows, error), table string) (string, error) {
	rows, err := query(ctx, `SELECT * FROM `+table+` WHERE n <> 0 ORDER BY 1`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s=%d;", k, n)
	}
	return b.String(), rows.Err()
}

func sameVersion(ctx context.Context, src, dst *Store) error {
	var a, b int
	if err := src.read.WithContext(ctx).Raw(`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&a).Error; err != nil {
		return err
	}
	if err := dst.read.WithContext(ctx).Raw(`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&b).Error; err != nil {
		return err
	}
	if a != b {
		return fmt.Errorf("copy: the source is at schema version %d, the target at %d: migrate both first", a, b)
	}
	return nil
}

// copyOrder lists the source's tables so that every table comes after the
// tables its foreign keys point at.
func copyOrder(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		if !plainName.MatchString(n) {
			rows.Close()
			return nil, fmt.Errorf("copy: the source has a table named %q, which no Docket schema has", n)
		}
		names = append(names, n)
	}
	rows.Close()
	deps := map[string][]string{}
	for _, n := range names {
		fk, err := db.QueryContext(ctx, `SELECT "table" FROM pragma_foreign_key_list(?)`, n)
		if err != nil {
			return nil, err
		}
		for fk.Next() {
			var parent string
			if err := fk.Scan(&parent); err != nil {
				fk.Close()
				return nil, err
			}
			if parent != n {
				deps[n] = append(deps[n], parent)
			}
		}
		fk.Close()
	}
	var order []string
	done := map[string]bool{}
	var visit func(n string, path map[string]bool) error
	visit = func(n string, path map[string]bool) error {
		if done[n] {
			return nil
		}
		if path[n] {
			return fmt.Errorf("copy: foreign keys form a cycle at %s", n)
		}
		path[n] = true
		sort.Strings(deps[n])
		for _, p := range deps[n] {
			if err := visit(p, path); err != nil {
				return err
			}
		}
		done[n] = true
		order = append(order, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n, map[string]bool{}); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// plainName is the shape of every table and column name Docket's schema
// has; the copy builds its statements from the source's names, so a file
// whose names are of another shape is refused rather than quoted.
var plainName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

func copyTable(ctx context.Context, src *sql.DB, dst *sql.Tx, table string) (int, error) {
	// Table and column names come from the source's own schema (sqlite_master), never from input.
	rows, err := src.QueryContext(ctx, "SELECT * FROM "+table) // #nosec G202
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	quoted := make([]string, len(cols))
	marks := make([]string, len(cols))
	for i, c := range cols {
		if !plainName.MatchString(c) {
			return 0, fmt.Errorf("the source has a column named %q, which no Docket schema has", c)
		}
		quoted[i], marks[i] = `"`+c+`"`, fmt.Sprintf("$%d", i+1)
	}
	insert := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, strings.Join(quoted, ", "), strings.Join(marks, ", ")) // #nosec G201
	if table == "audit_head" {
		insert = `UPDATE audit_head SET seq = $2, hash = $3 WHERE id = $1`
	}
	stmt, err := dst.PrepareContext(ctx, insert)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	n := 0
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}
