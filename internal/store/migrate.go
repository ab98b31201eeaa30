package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
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
// in SQL both engines understand, in migrations/sqlite; where PostgreSQL needs
// its own text (triggers, say), migrations/postgres holds a file with the same
// version number that replaces the SQLite one.
func (s *Store) Migrations() ([]Migration, error) {
	base, err := readMigrations("migrations/sqlite")
	if err != nil {
		return nil, err
	}
	if s.postgres {
		over, err := readMigrations("migrations/postgres")
		if err != nil {
			return nil, err
		}
		for v, m := range over {
			if _, ok := base[v]; !ok {
				return nil, fmt.Errorf("migration %s: no SQLite migration has version %d", m.Name, v)
			}
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
	var applied []string
	// On PostgreSQL, two processes migrating at once take turns: the whole run
	// holds a session advisory lock on one connection. On SQLite, each
	// migration's transaction is BEGIN IMMEDIATE, which serialises them.
	err = s.write.WithContext(ctx).Connection(func(db *gorm.DB) error {
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

// splitSQL splits a migration into statements at semicolons that end a line.
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
		if strings.HasSuffix(trimmed, ";") {
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
