package store

import (
	"context"
	"database/sql"
	"reflect"
	"strings"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// scanAll runs q and reads every row into a T, matching the result's columns
// to T's fields by GORM's column names (OrgID → org_id) as GORM's Scan does;
// columns without a field are skipped. It is what the hot paths use in place
// of GORM's Scan, which allocates and converts through reflection for every
// field of every row: here the plan is worked out once per type and column
// list, and database/sql writes straight into the fields.
func scanAll[T any](q *gorm.DB) ([]T, error) {
	if q.Error != nil {
		return nil, q.Error
	}
	rows, err := q.Rows()
	return scanRows[T](rows, err)
}

// scanRows reads rows (the result of a query that returned err) as scanAll does.
func scanRows[T any](rows *sql.Rows, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	plan := planFor(reflect.TypeFor[T](), cols)
	targets := make([]any, len(cols))
	var skip any
	var out []T
	for rows.Next() {
		out = append(out, *new(T))
		v := reflect.ValueOf(&out[len(out)-1]).Elem()
		for i, path := range plan {
			switch len(path) {
			case 0:
				targets[i] = &skip
			case 1:
				targets[i] = v.Field(path[0]).Addr().Interface()
			default:
				targets[i] = v.FieldByIndex(path).Addr().Interface()
			}
		}
		if err := rows.Scan(targets...); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

type planKey struct {
	t    reflect.Type
	cols string
}

var (
	plans  sync.Map // planKey → [][]int
	naming = schema.NamingStrategy{}
)

// planFor maps each column to the index path of T's field of that name (the
// fields of embedded structs included), or to nil.
func planFor(t reflect.Type, cols []string) [][]int {
	key := planKey{t, strings.Join(cols, ",")}
	if p, ok := plans.Load(key); ok {
		return p.([][]int)
	}
	byName := map[string][]int{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name := naming.ColumnName("", f.Name)
		if tag := f.Tag.Get("gorm"); tag != "" {
			for _, part := range strings.Split(tag, ";") {
				if k, v, ok := strings.Cut(part, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "column") {
					name = strings.TrimSpace(v)
				}
			}
		}
		if _, dup := byName[name]; !dup || len(f.Index) < len(byName[name]) {
			byName[name] = f.Index
		}
	}
	plan := make([][]int, len(cols))
	for i, c := range cols {
		plan[i] = byName[strings.ToLower(c)]
	}
	plans.Store(key, plan)
	return plan
}

// scanOne is scanAll for at most one row; ok is false when there is none.
func scanOne[T any](q *gorm.DB) (T, bool, error) {
	if q.Error != nil {
		var zero T
		return zero, false, q.Error
	}
	rows, err := q.Rows()
	return scanOneRows[T](rows, err)
}

// scanOneRows is scanRows for at most one row.
func scanOneRows[T any](rows *sql.Rows, err error) (T, bool, error) {
	all, err := scanRows[T](rows, err)
	if err != nil || len(all) == 0 {
		var zero T
		return zero, false, err
	}
	return all[0], true, nil
}

// query runs q with positional arguments, none of them a list. On SQLite it
// goes straight to the connection pool (pool.go), without GORM's statement
// building; on PostgreSQL through GORM, which numbers the placeholders.
func (t *tx) query(q string, args ...any) (*sql.Rows, error) {
	if !t.postgres {
		ctx := t.db.Statement.Context
		if ctx == nil {
			ctx = context.Background()
		}
		if l := statementLogOf(ctx); l != nil {
			l.statement(q, 0)
		}
		return t.db.Statement.ConnPool.QueryContext(ctx, q, args...)
	}
	return t.db.Raw(q, args...).Rows()
}

// placeholders is "?, ?, …" for n values (n ≥ 1).
func placeholders(n int) string { return "?" + strings.Repeat(", ?", n-1) }

// anys passes strings as query arguments.
func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
