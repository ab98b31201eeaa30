package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// TestApprovalsStore: changes are stored with every field (zero values
// included), read with their people's and organisation's names, listed
// newest first by every filter and page by page, and decided once: a second
// decision is 409 and the password hash is gone after the first.
func TestApprovalsStore(t *testing.T) {
	st, _ := open(t)
	svc := service(t, st)
	ctx := context.Background()
	admin, err := svc.Accounts.CreateUserCLI(ctx, "admin@example.org", "Ada Admin", "admin", "Agency", "agency", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	lead, err := svc.Accounts.CreateUserCLI(ctx, "lead@example.org", "Lee Lead", "review_lead", "Agency", "agency", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var ids []string
	err = st.Write(ctx, func(tx app.Tx) error {
		for i := 0; i < 5; i++ {
			p := &docket.Approval{ID: fmt.Sprintf("00000000-0000-0000-0000-%012d", i), Kind: docket.ApprovalUserPassword,
				UserID: lead.ID, RequestedBy: admin.ID, RequestedAt: at.Add(time.Duration(i/2) * time.Minute),
				Status: docket.ApprovalPending, Email: "lead@example.org", Name: "Lee Lead", OrgID: lead.OrgID,
				SetsPassword: true, PasswordHash: "$argon2id$hash", UserVersion: i}
			if i == 4 {
				p.Kind, p.UserID, p.Email, p.Role, p.SetsPassword, p.UserVersion = docket.ApprovalUserCreate, "new-user", "new@example.org",
					docket.RoleReviewer, false, 0
			}
			if err := tx.Approvals().CreateApproval(p); err != nil {
				return err
			}
			ids = append(ids, p.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	read := func(id string) *docket.Approval {
		t.Helper()
		var p *docket.Approval
		if err := st.Read(ctx, func(tx app.Tx) error {
			var err error
			p, err = tx.Approvals().ApprovalByID(id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := read(ids[4])
	if p.Kind != docket.ApprovalUserCreate || p.Role != docket.RoleReviewer || p.FromRole != "" || p.SetsPassword ||
		p.UserVersion != 0 || p.DecidedBy != "" || p.DecidedAt != nil || !p.RequestedAt.Equal(at.Add(2*time.Minute)) ||
		p.RequesterName != "Ada Admin" || p.OrgName != "Agency" || p.DeciderName != "" {
		t.Fatalf("read: %+v", p)
	}
	if err := st.Read(ctx, func(tx app.Tx) error {
		_, err := tx.Approvals().ApprovalByID("missing")
		return err
	}); docket.ErrorCode(err) != docket.ENotFound {
		t.Fatalf("missing: %v", err)
	}

	list := func(f app.ApprovalFilter, limit int) []string {
		t.Helper()
		var out []string
		cursor := ""
		for {
			var page []docket.Approval
			var next string
			if err := st.Read(ctx, func(tx app.Tx) error {
				var err error
				page, next, err = tx.Approvals().ListApprovals(f, app.Page{Limit: limit, Cursor: cursor})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			for _, p := range page {
				out = append(out, p.ID)
			}
			if next == "" {
				return out
			}
			cursor = next
		}
	}
	// Newest first; within one instant, the higher id first.
	want := fmt.Sprint([]string{ids[4], ids[3], ids[2], ids[1], ids[0]})
	for _, limit := range []int{1, 2, 50} {
		if got := fmt.Sprint(list(app.ApprovalFilter{}, limit)); got != want {
			t.Errorf("limit %d: %s, want %s", limit, got, want)
		}
	}

	// Deciding: once, and the hash goes.
	now := at.Add(time.Hour)
	decide := func(id string) error {
		return st.Write(ctx, func(tx app.Tx) error {
			return tx.Approvals().DecideApproval(&docket.Approval{ID: id, Status: docket.ApprovalRejected, DecidedBy: lead.ID, DecidedAt: &now})
		})
	}
	if err := decide(ids[1]); err != nil {
		t.Fatal(err)
	}
	if err := decide(ids[1]); docket.ErrorCode(err) != docket.EConflict {
		t.Fatalf("second decision: %v", err)
	}
	p = read(ids[1])
	if p.Status != docket.ApprovalRejected || p.DecidedBy != lead.ID || p.DeciderName != "Lee Lead" || p.DecidedAt == nil ||
		!p.DecidedAt.Equal(now) || p.PasswordHash != "" || !p.SetsPassword || p.UserVersion != 1 {
		t.Fatalf("decided: %+v", p)
	}

	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		f    app.ApprovalFilter
		want []string
	}{
		{app.ApprovalFilter{Status: s(docket.ApprovalPending)}, []string{ids[4], ids[3], ids[2], ids[0]}},
		{app.ApprovalFilter{Status: s(docket.ApprovalRejected)}, []string{ids[1]}},
		{app.ApprovalFilter{UserID: s(lead.ID), Status: s(docket.ApprovalPending)}, []string{ids[3], ids[2], ids[0]}},
		{app.ApprovalFilter{Email: s("new@example.org")}, []string{ids[4]}},
		{app.ApprovalFilter{RequestedBy: s(lead.ID)}, nil},
		{app.ApprovalFilter{RequestedBy: s(admin.ID), Status: s(docket.ApprovalRejected)}, []string{ids[1]}},
	} {
		if got, want := fmt.Sprint(list(tc.f, 2)), fmt.Sprint(tc.want); got != want {
			t.Errorf("%+v: %s, want %s", tc.f, got, want)
		}
	}
	if err := st.Read(ctx, func(tx app.Tx) error {
		_, _, err := tx.Approvals().ListApprovals(app.ApprovalFilter{}, app.Page{Limit: 5, Cursor: "not-a-cursor"})
		return err
	}); docket.ErrorCode(err) != docket.EUnprocessable {
		t.Fatalf("bad cursor: %v", err)
	}
	// The table refuses what is no kind or state.
	if err := st.Write(ctx, func(tx app.Tx) error {
		return tx.Approvals().CreateApproval(&docket.Approval{ID: "x", Kind: "user.delete", UserID: lead.ID, RequestedBy: admin.ID,
			RequestedAt: at, Status: docket.ApprovalPending})
	}); err == nil {
		t.Fatal("stored a change of no known kind")
	}
}
