package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one versioned schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the engine's migrations in order. Migrations are written
// in SQL both engines understand, in migrations/sqlite. Where PostgreSQL needs
// its own text (triggers, say), migrations/postgres holds a file with the same
// version number that lists only the statements that differ (see
// applyDifferences); PostgreSQL runs the SQLite file with those differences
// applied, so that a shared statement is written once.
func (s *Store) Migrations() ([]Migration, error) { return migrationsFor(s.postgres) }

// migrationsFor returns the migrations of one engine in order.
func migrationsFor(postgres bool) ([]Migration, error) {
	base, err := readMigrations("migrations/sqlite")
	if err != nil {
		return nil, err
	}
	if postgres {
		diffs, err := readMigrations("migrations/postgres")
		if err != nil {
			return nil, err
		}
		for v, d := range diffs {
			m, ok := base[v]
			if !ok {
				return nil, fmt.Errorf("migration %s: no SQLite migration has version %d", d.Name, v)
			}
			if d.Name != m.Name {
				return nil, fmt.Errorf("migration %s: the SQLite migration of version %d is %s", d.Name, v, m.Name)
			}
			sql, err := applyDifferences(m.SQL, d.SQL)
			if err != nil {
				return nil, fmt.Errorf("migration %s (postgres): %w", d.Name, err)
			}
			m.SQL = sql
			base[v] = m
		}
	}
	out := make([]Migration, 0, len(base))
	for _, m := range base {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// A PostgreSQL difference file is a list of sections, each opened by one
// directive line naming statements of the SQLite file of the same version by
// what they create ("table orgs", "index users_org", "trigger audit_x",
// "view v"):
//
//	-- instead of: trigger a, trigger b
//	  the section's statements stand where trigger a's did; trigger b's is
//	  dropped (a section with no statement drops them all)
//	-- after: table t
//	  the section's statements come right after table t's
//
// Every other statement of the SQLite file runs as written, in its order.
// A directive that names a statement the SQLite file does not have (or has
// twice), a statement named by two directives, and a statement before the
// first directive are errors. Other comment lines are comments.
var differenceDirective = regexp.MustCompile(`^--\s*(instead of|after):\s*(.*)$`)

// applyDifferences returns the SQLite migration base with the PostgreSQL
// differences diff applied (the rule above), one statement after another.
func applyDifferences(base, diff string) (string, error) {
	stmts := splitSQL(base)
	at := map[string]int{}
	for i, st := range stmts {
		if name := createdObject(st); name != "" {
			if _, dup := at[name]; dup {
				at[name] = -1 // ambiguous: a directive may not name it
			} else {
				at[name] = i
			}
		}
	}
	type section struct {
		kind  string
		names []string
		body  strings.Builder
	}
	var sections []*section
	for _, line := range strings.Split(diff, "\n") {
		if m := differenceDirective.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			sec := &section{kind: m[1]}
			for _, n := range strings.Split(m[2], ",") {
				if n = strings.ToLower(strings.Join(strings.Fields(n), " ")); n != "" {
					sec.names = append(sec.names, n)
				}
			}
			if len(sec.names) == 0 || (sec.kind == "after" && len(sec.names) != 1) {
				return "", fmt.Errorf("%q: name one statement after \"after:\", one or more after \"instead of:\"", line)
			}
			sections = append(sections, sec)
			continue
		}
		if len(sections) == 0 {
			if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "--") {
				return "", fmt.Errorf("a statement before the first \"-- instead of:\" or \"-- after:\" line")
			}
			continue
		}
		sec := sections[len(sections)-1]
		sec.body.WriteString(line)
		sec.body.WriteString("\n")
	}
	replaced := map[int]bool{}   // statements dropped or replaced
	before := map[int][]string{} // statements that take the place of statement i
	after := map[int][]string{}  // statements that follow statement i
	claimed := map[string]bool{}
	for _, sec := range sections {
		body := splitSQL(sec.body.String())
		for k, name := range sec.names {
			i, ok := at[name]
			switch {
			case !ok:
				return "", fmt.Errorf("%s %s: the SQLite file creates no %s", sec.kind, name, name)
			case i < 0:
				return "", fmt.Errorf("%s %s: the SQLite file creates %s twice", sec.kind, name, name)
			case claimed[name]:
				return "", fmt.Errorf("%s %s: named by two directives", sec.kind, name)
			}
			claimed[name] = true
			switch {
			case sec.kind == "after":
				after[i] = body
			case k == 0:
				replaced[i], before[i] = true, body
			default:
				replaced[i] = true
			}
		}
	}
	var out []string
	for i, st := range stmts {
		out = append(out, before[i]...)
		if !replaced[i] {
			out = append(out, st)
		}
		out = append(out, after[i]...)
	}
	for i, st := range out {
		if !strings.HasSuffix(st, ";") {
			out[i] = st + ";"
		}
	}
	return strings.Join(out, "\n\n") + "\n", nil
}

// createdObject names what a statement creates ("table orgs", "index
// users_org", "trigger t", "view v"), or "" when it creates none of those.
func createdObject(stmt string) string {
	f := strings.Fields(strings.ToLower(stmt))
	if len(f) < 3 || f[0] != "create" {
		return ""
	}
	f = f[1:]
	for len(f) > 0 && (f[0] == "unique" || f[0] == "temp" || f[0] == "temporary" || f[0] == "or" || f[0] == "replace") {
		f = f[1:]
	}
	if len(f) < 2 {
		return ""
	}
	kind := f[0]
	switch kind {
	case "table", "index", "trigger", "view":
	default:
		return ""
	}
	f = f[1:]
	if len(f) >= 3 && f[0] == "if" && f[1] == "not" && f[2] == "exists" {
		f = f[3:]
	}
	if len(f) == 0 {
		return ""
	}
	name := f[0]
	if i := strings.IndexAny(name, "(;"); i >= 0 {
		name = name[:i]
	}
	return kind + " " + strings.Trim(name, `"`)
}

func readMigrations(dir string) (map[int]Migration, error) {
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	out := map[int]Migration{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: no version number", name)
		}
		if _, dup := out[v]; dup {
			return nil, fmt.Errorf("migration %s: version %d twice", name, v)
		}
		b, err := migrationFS.ReadFile(dir + "/" + name)
		if err != nil {
			return nil, err
		}
		out[v] = Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(b)}
	}
	return out, nil
}

// Migrate applies the pending migrations, each in its own transaction, and
// records them. It refuses a database whose schema is newer than this build
// knows. It returns the names of the migrations it applied.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	ms, err := s.Migrations()
	if err != nil {
		return nil, err
	}
	return s.migrate(ctx, ms)
}

// migrate applies the migrations ms not yet recorded, as Migrate promises.
func (s *Store) migrate(ctx context.Context, ms []Migration) ([]string, error) {
	var applied []string
	// On PostgreSQL, two processes migrating at once take turns: the whole run
	// holds a session advisory lock on one connection. On SQLite, each
	// migration's transaction is BEGIN IMMEDIATE, which serialises them.
	err := s.write.WithContext(ctx).Connection(func(db *gorm.DB) error {
		if s.postgres {
			if err := db.Exec(`SELECT pg_advisory_lock(7263001)`).Error; err != nil {
				return err
			}
			defer db.Exec(`SELECT pg_advisory_unlock(7263001)`)
		}
		if err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`).Error; err != nil {
			return err
		}
		for _, m := range ms {
			done := false
			err := db.Transaction(func(tx *gorm.DB) error {
				var n int64
				if err := tx.Raw(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n).Error; err != nil {
					return err
				}
				if n > 0 {
					done = true
					return nil
				}
				for _, stmt := range splitSQL(m.SQL) {
					if err := tx.Exec(stmt).Error; err != nil {
						return fmt.Errorf("%s: %w", m.Name, err)
					}
				}
				return tx.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
					m.Version, m.Name, time.Now().UnixMilli()).Error
			})
			if err != nil {
				return err
			}
			if !done {
				applied = append(applied, m.Name)
			}
		}
		return nil
	})
	if err != nil {
		return applied, fmt.Errorf("migrate: %w", err)
	}
	if err := s.CheckSchema(ctx); err != nil {
		return applied, err
	}
	return applied, nil
}

// CheckSchema fails when the database holds a migration this build does not know
// (it was migrated by a newer Docket).
func (s *Store) CheckSchema(ctx context.Context) error {
	ms, err := s.Migrations()
	if err != nil {
		return err
	}
	var newest int
	if err := s.read.WithContext(ctx).Raw(`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&newest).Error; err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	if known := ms[len(ms)-1].Version; newest > known {
		return fmt.Errorf("schema: the database is at version %d, newer than this Docket knows (%d): upgrade Docket", newest, known)
	}
	return nil
}

// PendingMigrations counts migrations not yet applied.
func (s *Store) PendingMigrations(ctx context.Context) (int, error) {
	ms, err := s.Migrations()
	if err != nil {
		return 0, err
	}
	var applied int64
	err = s.read.WithContext(ctx).Raw(`SELECT COUNT(*) FROM schema_migrations`).Scan(&applied).Error
	if err != nil {
		return len(ms), nil
	}
	return len(ms) - int(applied), nil
}

// splitSQL splits a migration into statements at semicolons that end a line
// outside a dollar-quoted body.
func splitSQL(src string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") && cur.Len() == 0 {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		// A line ending in ";" ends the statement, unless it is inside a
		// dollar-quoted body ($$ … $$, a PostgreSQL function's).
		if strings.HasSuffix(trimmed, ";") && strings.Count(cur.String(), "$$")%2 == 0 {
			if stmt := strings.TrimSpace(cur.String()); stmt != ";" {
				out = append(out, stmt)
			}
			cur.Reset()
		}
	}
	if stmt := strings.TrimSpace(cur.String()); stmt != "" {
		out = append(out, stmt)
	}
	return out
}
