package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docket/docket/internal/storetest"
)

// TestCopyRefusesNamesOfAnotherShape: the copy builds its statements from
// the source file's table and column names, so a file whose names are not
// of the shape Docket's schema uses is refused before anything is written.
func TestCopyRefusesNamesOfAnotherShape(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("the copy's target is PostgreSQL")
	}
	ctx := context.Background()
	for name, ddl := range map[string]string{
		"table":  `CREATE TABLE "x; DROP TABLE cases; --" (a INTEGER)`,
		"column": `ALTER TABLE orgs ADD COLUMN "a"") VALUES (1); DROP TABLE cases; --" INTEGER`,
	} {
		t.Run(name, func(t *testing.T) {
			src, err := Open(filepath.Join(t.TempDir(), "docket.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			dst := engineStore(t)
			if _, err := src.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := src.Exec(ddl); err != nil {
				t.Fatal(err)
			}
			_, err = Copy(ctx, src, dst)
			if err == nil || !strings.Contains(err.Error(), "which no Docket schema has") {
				t.Fatalf("copy: %v", err)
			}
			var n int
			if err := dst.read.Raw(`SELECT COUNT(*) FROM cases`).Scan(&n).Error; err != nil {
				t.Fatalf("the target lost its cases table: %v", err)
			}
		})
	}
}
