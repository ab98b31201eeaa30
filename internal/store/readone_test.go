package store

import (
	"context"
	"errors"
	"testing"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// A one-statement read answers like Read; on PostgreSQL, where it runs
// outside a transaction, a second statement fails instead of reading from
// another snapshot, and no transaction is begun.
func TestReadOneRunsOneStatement(t *testing.T) {
	st := engineStore(t)
	ctx, log := WithStatementLog(context.Background())
	err := st.ReadOne(ctx, func(tx app.Tx) error {
		_, err := tx.Cases().CaseByID("missing")
		return err
	})
	if docket.ErrorCode(err) != docket.ENotFound {
		t.Fatalf("one statement: %v, want not found", err)
	}
	if st.postgres && (len(log.Statements()) != 1 || log.Transactions() != 0) {
		t.Fatalf("PostgreSQL ran %d statements in %d transactions for a one-statement read, want 1 in none",
			len(log.Statements()), log.Transactions())
	}
	second := 0
	err = st.ReadOne(ctx, func(tx app.Tx) error {
		if _, err := tx.Users().OrgByName("nobody"); docket.ErrorCode(err) != docket.ENotFound {
			return err
		}
		second++
		_, err := tx.Users().OrgByName("nobody")
		if docket.ErrorCode(err) == docket.ENotFound {
			err = nil
		}
		if err == nil {
			second++
		}
		return err
	})
	if st.postgres {
		if !errors.Is(err, errSecondStatement) || second != 1 {
			t.Fatalf("second statement: err %v after %d statements, want errSecondStatement after 1", err, second)
		}
	} else if err != nil || second != 2 {
		t.Fatalf("SQLite, where ReadOne is Read: err %v, %d statements", err, second)
	}
}
