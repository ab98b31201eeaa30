package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"gorm.io/gorm"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// The benchmark seeder's way in. The seeder (internal/benchdata) writes
// synthetic deployments of up to 100,000 cases straight through the store,
// thousands of rows per transaction; nothing in the product uses BulkWrite or
// BulkInsert.

// BulkWrite runs fn in one transaction on the writer, giving it the
// transaction both as the use cases see it (t) and as GORM's (db: for
// BulkInsert and plain SQL). It exists for the benchmark seeder alone, and
// bypasses what every other write goes through: no use case checks anything,
// the group committer (commit.go) is passed by (the writer's one connection
// puts the two in turn), PostgreSQL's conflicts are not retried, and nothing
// is appended to the audit chain by its normal writer (AppendAudit). So the
// caller keeps the database's invariants itself:
//
//   - The audit chain: the events it writes carry the sequence numbers after
//     audit_head's (read it with t.AuditHead), each with PrevHash the hash of
//     the one before and Hash its ComputeHash; audit_head is left at the last
//     event written (seq and hash) in the same transaction.
//   - The counters: case_counters and clearinghouse_counters are left at the
//     highest case and Clearinghouse number of each year written; and
//     closed_counts holds each organisation's closed cases (its triggers
//     keep it, unless the caller turns triggers off, as a COPY with
//     session_replication_role = replica does).
//   - The rows: everything a use case would have written with them (a
//     case's clock record and stops, a stop's information request, the
//     attestations of a case's lead and reviewers), parents before children,
//     each consistent with the others as the use cases would leave it.
//
// Whatever the outcome, the store forgets what it remembered of earlier
// reads when BulkWrite returns (the write generation moves on; doc.go).
func (s *Store) BulkWrite(ctx context.Context, fn func(t app.Tx, db *gorm.DB) error) error {
	defer s.gen.Add(1)
	return s.write.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		if err := fn(&tx{db: db, postgres: s.postgres, store: s}, db); err != nil {
			return err
		}
		// The triggers that move them may have been off (bulkInsert on PostgreSQL).
		return bumpMemoVersions(db)
	})
}

// BulkInsert writes rows, a slice, in BulkWrite's transaction db: on SQLite
// with one multi-row statement prepared once and executed again and again
// (GORM's CreateInBatches would build, prepare and reflect over every batch).
// A slice of *docket.Case, *docket.Finding (its ClearinghouseID included,
// not its recipients), docket.ClockRecord, docket.ClockStop,
// docket.InfoRequest, docket.Decision, docket.ClearinghouseEntry or
// docket.AuditEvent (stored as given: Seq, PrevHash and Hash are the
// caller's) is written as the store writes one; any other slice must be of
// structs naming their table (a TableName method) whose exported fields are
// its columns, for the link tables (case_reviewers, attestations,
// finding_recipients).
func (s *Store) BulkInsert(db *gorm.DB, rows any) error {
	switch v := rows.(type) {
	case []*docket.Case:
		return bulkInsert(db, convert(v, caseRowOf))
	case []*docket.Finding:
		return bulkInsert(db, convert(v, func(f *docket.Finding) findingRow {
			r := findingRowOf(f)
			r.ClearinghouseID = toNullable(f.ClearinghouseID)
			return r
		}))
	case []docket.ClockRecord:
		return bulkInsert(db, convert(v, func(r docket.ClockRecord) clockRow {
			return clockRow{CaseID: r.CaseID, Seq: r.Seq, StartedAt: ms(r.StartedAt), WindowDays: r.WindowDays,
				Timezone: r.Timezone, BaseDueAt: ms(r.BaseDueAt), EndedAt: msp(r.EndedAt), EndReason: r.EndReason}
		}))
	case []docket.ClockStop:
		return bulkInsert(db, convert(v, func(s docket.ClockStop) stopRow {
			return stopRow{ID: s.ID, CaseID: s.CaseID, ClockSeq: s.ClockSeq, StartedAt: ms(s.StartedAt),
				EndedAt: msp(s.EndedAt), Reason: s.Reason, InfoRequestID: s.InfoRequestID}
		}))
	case []docket.InfoRequest:
		return bulkInsert(db, convert(v, func(r docket.InfoRequest) infoRequestRow {
			return infoRequestRow{ID: r.ID, CaseID: r.CaseID, Question: r.Question, Answer: r.Answer, Status: r.Status,
				OpenedBy: r.OpenedBy, OpenedAt: ms(r.OpenedAt), ClosedBy: toNullable(r.ClosedBy), ClosedAt: msp(r.ClosedAt)}
		}))
	case []docket.Decision:
		return bulkInsert(db, convert(v, func(d docket.Decision) decisionRow {
			return decisionRow{CaseID: d.CaseID, Outcome: d.Outcome, Rationale: d.Rationale, Conditions: d.Conditions,
				WeightsDigest: d.WeightsDigest, DecidedBy: d.DecidedBy, DecidedAt: ms(d.DecidedAt)}
		}))
	case []docket.ClearinghouseEntry:
		return bulkInsert(db, convert(v, func(e docket.ClearinghouseEntry) clearinghouseRow {
			return clearinghouseRow{ID: e.ID, FindingID: e.FindingID, CaseID: e.CaseID, Subject: e.Subject,
				VendorProject: e.VendorProject, Product: e.Product, CveID: e.CVEID, VulnerabilityName: e.VulnerabilityName,
				ShortDescription: e.ShortDescription, RequiredAction: e.RequiredAction, DueDate: e.DueDate.String(),
				Notes: e.Notes, RedactLab: e.RedactLab, Category: e.Category, Severity: e.Severity,
				AtlasTechnique: e.AtlasTechnique, Tlp: e.TLP, DateAdded: e.DateAdded.String(),
				PublishedBy: e.PublishedBy, PublishedAt: ms(e.PublishedAt)}
		}))
	case []docket.AuditEvent:
		return bulkInsert(db, convert(v, func(ev docket.AuditEvent) auditRow {
			return auditRow{Seq: ev.Seq, ID: ev.ID, At: ms(ev.At), ActorID: ev.ActorID, ActorRole: ev.ActorRole,
				OrgID: ev.OrgID, Action: ev.Action, SubjectType: ev.SubjectType, SubjectID: ev.SubjectID,
				CaseID: ev.CaseID, RequestID: ev.RequestID, ClientIP: ev.ClientIP, Changes: ev.Changes,
				PrevHash: ev.PrevHash, Hash: ev.Hash}
		}))
	}
	return bulkInsert(db, rows)
}

// caseReviewerRow is a row of case_reviewers (loadReviewers reads them).
type caseReviewerRow struct {
	CaseID string
	UserID string
}

func (caseReviewerRow) TableName() string { return "case_reviewers" }

func convert[T, R any](in []T, fn func(T) R) []R {
	out := make([]R, len(in))
	for i, v := range in {
		out[i] = fn(v)
	}
	return out
}

// bulkInsert writes rows, a slice of structs naming their table, with one
// statement of bulkRows rows prepared once. Read-only fields (gorm:"->") are
// left out. Off the statement pool (PostgreSQL), GORM writes them in batches.
func bulkInsert(db *gorm.DB, rows any) error {
	v := reflect.ValueOf(rows)
	if v.Kind() != reflect.Slice {
		return fmt.Errorf("bulk insert: %T is not a slice", rows)
	}
	if v.Len() == 0 {
		return nil
	}
	named, ok := v.Index(0).Interface().(interface{ TableName() string })
	if !ok {
		return fmt.Errorf("bulk insert: %s names no table", v.Type().Elem())
	}
	st, ok := db.Statement.ConnPool.(*stmtTx)
	if !ok {
		return db.Omit("OrgName", "Urgency").CreateInBatches(rows, 100).Error
	}
	sqlTx, err := st.sqlTx()
	if err != nil {
		return err
	}
	t := v.Type().Elem()
	if t.Kind() != reflect.Struct {
		return errors.New("bulk insert: rows must be structs")
	}
	var cols []string
	var fields []int
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || strings.Contains(f.Tag.Get("gorm"), "->") {
			continue
		}
		cols = append(cols, naming.ColumnName("", f.Name))
		fields = append(fields, i)
	}
	const bulkRows = 50
	one := "(?" + strings.Repeat(", ?", len(cols)-1) + ")"
	stmt := func(n int) (*sql.Stmt, error) {
		return sqlTx.Prepare("INSERT INTO " + named.TableName() + " (" + strings.Join(cols, ", ") + ") VALUES " +
			one + strings.Repeat(", "+one, n-1))
	}
	args := make([]any, 0, bulkRows*len(cols))
	exec := func(p *sql.Stmt, from, to int) error {
		args = args[:0]
		for i := from; i < to; i++ {
			row := v.Index(i)
			for _, f := range fields {
				args = append(args, row.Field(f).Interface())
			}
		}
		_, err := p.Exec(args...)
		return err
	}
	n := v.Len()
	full := n / bulkRows * bulkRows
	if full > 0 {
		p, err := stmt(bulkRows)
		if err != nil {
			return err
		}
		defer p.Close()
		for i := 0; i < full; i += bulkRows {
			if err := exec(p, i, i+bulkRows); err != nil {
				return err
			}
		}
	}
	if full < n {
		p, err := stmt(n - full)
		if err != nil {
			return err
		}
		defer p.Close()
		return exec(p, full, n)
	}
	return nil
}
