package store

import (
	"context"
	"database/sql"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/docket/docket/internal/storetest"
)

// wholeFoundation is PostgreSQL's version 1 as it was before the migrations
// kept only their differences: the SQLite file repeated whole, with
// PostgreSQL's triggers. Databases migrated before hold what it made.
const wholeFoundation = "testdata/postgres_0001_foundation_whole.sql"

// TestPostgresDifferencesRunTheWholeFilesStatements: PostgreSQL's version 1,
// made of the SQLite file and its differences, runs the very statements of
// the whole file it replaced (comments aside), in the same order, under the
// same name.
func TestPostgresDifferencesRunTheWholeFilesStatements(t *testing.T) {
	whole, err := os.ReadFile(wholeFoundation)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrationsFor(true)
	if err != nil {
		t.Fatal(err)
	}
	if ms[0].Version != 1 || ms[0].Name != "0001_foundation" {
		t.Fatalf("version 1 is %d %s", ms[0].Version, ms[0].Name)
	}
	got, want := uncommented(splitSQL(ms[0].SQL)), uncommented(splitSQL(string(whole)))
	if !slices.Equal(got, want) {
		t.Fatalf("the statements differ:\n%s\n---- want ----\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// SQLite's own migrations are untouched.
	lite, err := migrationsFor(false)
	if err != nil {
		t.Fatal(err)
	}
	base, err := readMigrations("migrations/sqlite")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range lite {
		if m.SQL != base[m.Version].SQL {
			t.Errorf("SQLite's %s changed", m.Name)
		}
	}
	if len(lite) != len(ms) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL ones", len(lite), len(ms))
	}
}

// uncommented returns statements without their comment lines.
func uncommented(stmts []string) []string {
	out := make([]string, len(stmts))
	for i, st := range stmts {
		var lines []string
		for _, l := range strings.Split(st, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "--") {
				lines = append(lines, l)
			}
		}
		out[i] = strings.TrimSpace(strings.Join(lines, "\n"))
	}
	return out
}

func TestMigrationDifferences(t *testing.T) {
	base := `-- a comment
CREATE TABLE a (id TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS a_id ON a(id);
CREATE TABLE "b" (id TEXT);
CREATE TRIGGER t1 BEFORE UPDATE ON a
BEGIN SELECT RAISE(ABORT, 'no'); END;
CREATE TRIGGER t2 BEFORE DELETE ON a
BEGIN SELECT RAISE(ABORT, 'no'); END;
INSERT INTO a (id) VALUES ('x');
`
	for _, c := range []struct {
		name, diff string
		want       []string // statements, by their first words
		err        string
	}{
		{"nothing", "-- only a comment\n", []string{"CREATE TABLE a", "CREATE UNIQUE INDEX", `CREATE TABLE "b"`, "CREATE TRIGGER t1", "CREATE TRIGGER t2", "INSERT"}, ""},
		{"two replaced by three", "-- instead of: trigger t1, Trigger  T2\nCREATE FUNCTION f();\nCREATE TRIGGER u1;\n-- between\nCREATE TRIGGER u2;\n",
			[]string{"CREATE TABLE a", "CREATE UNIQUE INDEX", `CREATE TABLE "b"`, "CREATE FUNCTION f()", "CREATE TRIGGER u1", "CREATE TRIGGER u2", "INSERT"}, ""},
		{"dropped", "-- instead of: index a_id\n", []string{"CREATE TABLE a", `CREATE TABLE "b"`, "CREATE TRIGGER t1", "CREATE TRIGGER t2", "INSERT"}, ""},
		{"after, and a quoted name", "-- after: table b\nCREATE INDEX b_id ON b(id)\n-- instead of: table a\nCREATE TABLE a (id VARCHAR);\n",
			[]string{"CREATE TABLE a (id VARCHAR)", "CREATE UNIQUE INDEX", `CREATE TABLE "b"`, "CREATE INDEX b_id", "CREATE TRIGGER t1", "CREATE TRIGGER t2", "INSERT"}, ""},
		{"an unknown name", "-- instead of: trigger t3\nSELECT 1;\n", nil, "creates no trigger t3"},
		{"a name twice", "-- instead of: trigger t1\nSELECT 1;\n-- after: trigger t1\nSELECT 2;\n", nil, "named by two directives"},
		{"a statement first", "SELECT 1;\n-- instead of: trigger t1\n", nil, "before the first"},
		{"after two", "-- after: table a, table b\nSELECT 1;\n", nil, "name one statement"},
		{"no name", "-- instead of:\nSELECT 1;\n", nil, "name one statement"},
	} {
		got, err := applyDifferences(base, c.diff)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: got %v, want an error saying %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		stmts := splitSQL(got)
		if len(stmts) != len(c.want) {
			t.Errorf("%s: %d statements, want %d:\n%s", c.name, len(stmts), len(c.want), got)
			continue
		}
		for i, w := range c.want {
			if !strings.HasPrefix(stmts[i], w) || !strings.HasSuffix(stmts[i], ";") {
				t.Errorf("%s: statement %d is %q, want %q…;", c.name, i, stmts[i], w)
			}
		}
	}
	if _, err := applyDifferences(base+"CREATE TABLE a (x TEXT);\n", "-- instead of: table a\n"); err == nil ||
		!strings.Contains(err.Error(), "twice") {
		t.Errorf("an ambiguous name was accepted: %v", err)
	}
}

// TestPostgresSchemaIsTheOneTheWholeFileMade: on PostgreSQL, a database
// migrated with the differences has the schema of one migrated with the
// whole file (tables, columns and their types, defaults and nullability,
// constraints, indexes, triggers, functions, views, sequences, the rows the
// migrations insert and the versions recorded).
func TestPostgresSchemaIsTheOneTheWholeFileMade(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only: set " + storetest.EnvPostgres)
	}
	ctx := context.Background()
	whole, err := os.ReadFile(wholeFoundation)
	if err != nil {
		t.Fatal(err)
	}
	schema := func(replaceFoundation bool) string {
		dsn := storetest.DSN(t)
		st, err := Open(dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		ms, err := st.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		if replaceFoundation {
			ms[0].SQL = string(whole)
		}
		if _, err := st.migrate(ctx, ms); err != nil {
			t.Fatal(err)
		}
		// A database migrated before is left as it is: its versions are recorded.
		if applied, err := st.Migrate(ctx); err != nil || len(applied) != 0 {
			t.Fatalf("migrating again applied %v (%v)", applied, err)
		}
		return pgSchema(t, dsn)
	}
	before, now := schema(true), schema(false)
	if before != now {
		b, n := strings.Split(before, "\n"), strings.Split(now, "\n")
		for _, l := range n {
			if !slices.Contains(b, l) {
				t.Errorf("only now: %s", l)
			}
		}
		for _, l := range b {
			if !slices.Contains(n, l) {
				t.Errorf("only before: %s", l)
			}
		}
		t.Fatal("the schemas differ")
	}
	for _, want := range []string{"trigger audit_events audit_events_no_change", "trigger audit_events audit_events_no_truncate",
		"function audit_events_append_only", "column users.disabled boolean", "index tokens tokens_user", "rows audit_head 1"} {
		if !strings.Contains(now, want) {
			t.Errorf("the schema dump lacks %q:\n%s", want, now)
		}
	}
}

// pgSchema describes the schema the DSN's search path names, in a text that
// two schemas made alike share: the schema's own name is left out.
func pgSchema(t *testing.T, dsn string) string {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ns string
	if err := db.QueryRow(`SELECT current_schema()`).Scan(&ns); err != nil {
		t.Fatal(err)
	}
	var out []string
	add := func(prefix, q string, args ...any) {
		t.Helper()
		rows, err := db.Query(q, args...)
		if err != nil {
			t.Fatalf("%s: %v", prefix, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			line := prefix
			for _, v := range vals {
				line += " " + v.String
			}
			out = append(out, strings.ReplaceAll(line, ns+".", "<schema>."))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	nsOID := `(SELECT oid FROM pg_namespace WHERE nspname = $1)`
	add("column", `SELECT table_name || '.' || column_name, data_type, is_nullable, COALESCE(column_default, '-'),
COALESCE(character_maximum_length::text, '-'), COALESCE(numeric_precision::text, '-'), ordinal_position::text
FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`, ns)
	add("constraint", `SELECT c.relname, k.conname, k.contype::text, pg_get_constraintdef(k.oid)
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE k.connamespace = `+nsOID+` ORDER BY 2, 3`, ns)
	add("index", `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 2`, ns)
	add("trigger", `SELECT c.relname, g.tgname, pg_get_triggerdef(g.oid) FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
WHERE NOT g.tgisinternal AND c.relnamespace = `+nsOID+` ORDER BY 1, 2`, ns)
	add("function", `SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.pronamespace = `+nsOID+` ORDER BY 1`, ns)
	add("view", `SELECT viewname, definition FROM pg_views WHERE schemaname = $1 ORDER BY 1`, ns)
	add("sequence", `SELECT sequence_name, data_type FROM information_schema.sequences WHERE sequence_schema = $1 ORDER BY 1`, ns)
	add("migration", `SELECT version::text, name FROM schema_migrations ORDER BY version`)
	var tables []string
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'schema_migrations' ORDER BY 1`, ns)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	for _, name := range tables {
		add("rows "+name, `SELECT COUNT(*)::text FROM `+name)
	}
	return strings.Join(out, "\n")
}
