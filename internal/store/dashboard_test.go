package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/benchdata"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// The dashboard's reads from indexes and from memory must give exactly what
// the plain queries give: these tests hold them against a reference.

func seededStore(t *testing.T, n int) (*Store, *benchdata.Seeded, time.Time) {
	t.Helper()
	st := engineStore(t)
	now := time.Date(2026, 6, 15, 13, 0, 0, 0, time.UTC)
	seeded, err := benchdata.Seed(context.Background(), st, benchdata.SeedOptions{Cases: n, Now: now, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	return st, seeded, now
}

// plain runs fn in a read transaction that remembers nothing.
func plain(t *testing.T, st *Store, fn func(*tx) error) {
	t.Helper()
	if err := st.read.Transaction(func(db *gorm.DB) error { return fn(&tx{db: db, postgres: st.postgres}) }); err != nil {
		t.Fatal(err)
	}
}

// referenceList is the dashboard's list as one ORDER BY over the urgency expression.
func referenceList(t *testing.T, st *Store, f app.CaseFilter, p app.Page) ([]string, string) {
	var ids []string
	next := ""
	plain(t, st, func(x *tx) error {
		now := ms(f.Now)
		c, hasCursor := decodeCursor(p.Cursor)
		if hasCursor && c.At != 0 {
			now = c.At
		}
		where, args := caseWhere(f, now)
		if hasCursor {
			where += " AND (" + urgency + " > @ck OR (" + urgency + " = @ck AND cases.id > @cid))"
			args["ck"], args["cid"] = c.K, c.ID
		}
		args["limit"] = p.Limit + 1
		var rows []struct {
			ID      string
			Urgency int64
		}
		err := x.db.Raw(`SELECT cases.id AS id, `+urgency+` AS urgency FROM cases JOIN orgs ON orgs.id = cases.org_id WHERE `+
			where+` ORDER BY urgency, cases.id LIMIT @limit`, args).Scan(&rows).Error
		if len(rows) > p.Limit {
			rows = rows[:p.Limit]
			last := rows[len(rows)-1]
			next = encodeCursor(cursor{K: last.Urgency, ID: last.ID, At: now})
		}
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		return err
	})
	return ids, next
}

// dashboardFilters are the filters the tests page through, for each kind of viewer.
func dashboardFilters(s *benchdata.Seeded, now time.Time) map[string]app.CaseFilter {
	th := clock.DefaultThresholds()
	base := app.CaseFilter{ByUrgency: true, Now: now, Thresholds: th}
	st := func(v docket.Status) *docket.Status { return &v }
	band := func(b clock.Band) *clock.Band { return &b }
	str := func(v string) *string { return &v }
	out := map[string]app.CaseFilter{}
	agency := base
	agency.ExcludeDrafts = true
	lab := base
	lab.VisibleOrg = s.LabMembers[3].OrgID
	reviewer := agency
	reviewer.VisibleReviewer = s.Reviewers[2].ID
	for name, v := range map[string]app.CaseFilter{"agency": agency, "lab": lab, "reviewer": reviewer} {
		open := v
		open.OpenOnly = true
		out[name+"/open"] = open
		for _, b := range []clock.Band{clock.OnTrack, clock.DueSoon, clock.Critical, clock.Overdue, clock.Paused} {
			f := open
			f.Band = band(b)
			out[name+"/"+string(b)] = f
		}
		closed := v
		closed.Band = band(clock.Closed)
		out[name+"/closed"] = closed
		for _, status := range []docket.Status{docket.StatusInReview, docket.StatusAwaitingLab, docket.StatusDecided, docket.StatusWithdrawn} {
			f := v
			f.Status = st(status)
			out[name+"/"+string(status)] = f
		}
		f := open
		f.RiskTier = str("high")
		out[name+"/high"] = f
		f = open
		f.Q = str("atlas")
		out[name+"/q"] = f
		f = open
		f.OrgID = str(s.LabMembers[3].OrgID)
		out[name+"/org"] = f
		out[name+"/any"] = v // closed cases after the open ones
	}
	return out
}

// TestUrgencyOrderMatchesTheExpression: page by page, the dashboard read
// from the index streams lists exactly the cases, the order and the cursors
// of the one ORDER BY it replaces, for every kind of viewer and filter, at
// the first page's instant even when later pages are read later.
func TestUrgencyOrderMatchesTheExpression(t *testing.T) {
	st, seeded, now := seededStore(t, 1500)
	for name, f := range dashboardFilters(seeded, now) {
		t.Run(name, func(t *testing.T) {
			p := app.Page{Limit: 23}
			var all []string
			for page := 0; page < 200; page++ {
				var got []*docket.Case
				var next string
				err := st.Read(context.Background(), func(x app.Tx) error {
					var err error
					got, next, err = x.Cases().ListCases(f, p)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				wantIDs, wantNext := referenceList(t, st, f, p)
				var ids []string
				for _, c := range got {
					ids = append(ids, c.ID)
				}
				if !slices.Equal(ids, wantIDs) || next != wantNext {
					t.Fatalf("page %d: got %d cases (next %q), want %d (next %q)\ngot  %v\nwant %v", page+1, len(ids), next, len(wantIDs), wantNext, ids, wantIDs)
				}
				all = append(all, ids...)
				if next == "" {
					break
				}
				p.Cursor = next
				f.Now = f.Now.Add(time.Hour) // later pages rank on the first page's instant
			}
			if name == "agency/open" && len(all) < 500 {
				t.Fatalf("only %d open cases listed", len(all))
			}
		})
	}
}

// TestBoardByUrgencyMatchesTheExpression: the board's pages and total read
// from the streams and the band counts are those of the ORDER BY with OFFSET
// and of COUNT(*).
func TestBoardByUrgencyMatchesTheExpression(t *testing.T) {
	st, seeded, now := seededStore(t, 1200)
	for name, f := range dashboardFilters(seeded, now) {
		f.OpenOnly = f.Status == nil && (f.Band == nil || *f.Band != clock.Closed)
		for _, offset := range []int{0, 50, 450} {
			var got []*docket.Case
			var total int
			err := st.Read(context.Background(), func(x app.Tx) error {
				var err error
				got, total, err = x.Board().BoardCases(f, "urgency", offset, 50)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			var wantTotal int64
			plain(t, st, func(x *tx) error {
				where, args := caseWhere(f, ms(f.Now))
				if err := x.named(`SELECT COUNT(*) FROM cases WHERE `+where, args).Scan(&wantTotal).Error; err != nil {
					return err
				}
				args["limit"], args["offset"] = 50, offset
				return x.named(`SELECT cases.id FROM cases JOIN orgs ON orgs.id = cases.org_id WHERE `+where+
					` ORDER BY `+boardOrders["urgency"]+` LIMIT @limit OFFSET @offset`, args).Scan(&want).Error
			})
			var ids []string
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			if !slices.Equal(ids, want) || total != int(wantTotal) {
				t.Fatalf("%s from %d: %d of %d, want %d of %d\ngot  %v\nwant %v", name, offset, len(ids), total, len(want), wantTotal, ids, want)
			}
		}
	}
}

// TestBandCountsRememberedOnlyWhileTrue: counts answered from memory equal
// a fresh count at every instant, as cases cross thresholds with time and
// after a write changes a case.
func TestBandCountsRememberedOnlyWhileTrue(t *testing.T) {
	st, seeded, now := seededStore(t, 800)
	f := dashboardFilters(seeded, now)["agency/any"]
	fresh := func(at time.Time) map[clock.Band]int {
		var out map[clock.Band]int
		g := f
		g.Now = at
		plain(t, st, func(x *tx) error {
			var err error
			out, err = x.Cases().CountBands(g)
			return err
		})
		return out
	}
	remembered := func(at time.Time) map[clock.Band]int {
		var out map[clock.Band]int
		g := f
		g.Now = at
		if err := st.Read(context.Background(), func(x app.Tx) error {
			var err error
			out, err = x.Cases().CountBands(g)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	rng := rand.New(rand.NewPCG(7, 7))
	at := now
	for i := 0; i < 400; i++ {
		// Mostly forward in small steps, sometimes back, sometimes a jump.
		switch rng.IntN(10) {
		case 0:
			at = at.Add(-time.Duration(rng.IntN(48)) * time.Hour)
		case 1:
			at = at.Add(time.Duration(rng.IntN(5)) * 24 * time.Hour)
		default:
			at = at.Add(time.Duration(rng.IntN(180)) * time.Minute)
		}
		if i%50 == 25 { // a write moves a case
			id := seeded.Visible[rng.IntN(len(seeded.Visible))]
			if err := st.Write(context.Background(), func(x app.Tx) error {
				c, err := x.Cases().CaseByID(id)
				if err != nil {
					return err
				}
				c.Status = docket.StatusWithdrawn
				c.ClosedAt = &at
				return x.Cases().UpdateCase(c)
			}); err != nil {
				t.Fatal(err)
			}
		}
		got, want := remembered(at), fresh(at)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("at %s (step %d): remembered %v, counted %v", at, i, got, want)
		}
	}
}

// TestMemoriesForgetWhatWasWritten: a case, a token, an attestation and a
// case's open findings read from memory show every write made since, on
// both engines.
func TestMemoriesForgetWhatWasWritten(t *testing.T) {
	st, seeded, now := seededStore(t, 300)
	ctx := context.Background()
	lead := seeded.Leads[0]
	caseID := seeded.Recordable[lead.ID][0]
	read := func(fn func(app.Tx) error) {
		t.Helper()
		if err := st.Read(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	write := func(fn func(app.Tx) error) {
		t.Helper()
		if err := st.Write(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	// Renewing the sweep lease, every few seconds, forgets nothing.
	gen, vers := st.gen.Load(), versionsOf(t, st)
	write(func(x app.Tx) error {
		_, err := x.Notifications().HoldLease(app.SweepLease, "test", now, time.Minute)
		return err
	})
	if (!st.postgres && st.gen.Load() != gen) || versionsOf(t, st) != vers {
		t.Fatal("renewing the sweep lease made the store forget its reads")
	}
	// A token, read twice (the second time from memory), then revoked.
	tok := &app.Token{ID: "tok-1", UserID: lead.ID, Kind: "session", Hash: "h", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	write(func(x app.Tx) error { return x.Users().CreateToken(tok) })
	for range 2 {
		read(func(x app.Tx) error {
			k, u, err := x.Users().TokenUser("tok-1")
			if err != nil || k.RevokedAt != nil || u.ID != lead.ID || u.Org.Name == "" {
				t.Fatalf("%+v %+v %v", k, u, err)
			}
			return nil
		})
	}
	vers = versionsOf(t, st)
	write(func(x app.Tx) error { return x.Users().RevokeToken("tok-1", now) })
	if versionsOf(t, st).Accounts == vers.Accounts {
		t.Fatal("revoking a token left the store's memory of tokens as it was")
	}
	read(func(x app.Tx) error {
		if k, _, err := x.Users().TokenUser("tok-1"); err != nil || k.RevokedAt == nil {
			t.Fatalf("a revoked token read as live: %+v %v", k, err)
		}
		return nil
	})
	// A case and an attestation, then a change to each.
	for range 2 {
		read(func(x app.Tx) error {
			c, attested, err := x.Cases().CaseWithAttestation(caseID, lead.ID)
			if err != nil || !attested || c.ModelName == "Renamed" {
				t.Fatalf("%+v %v %v", c, attested, err)
			}
			c.ReviewerIDs = append(c.ReviewerIDs, "scribbled") // a caller's change stays its own
			return nil
		})
	}
	write(func(x app.Tx) error {
		c, err := x.Cases().CaseByID(caseID)
		if err != nil {
			return err
		}
		c.ModelName = "Renamed"
		if err := x.Cases().UpdateCase(c); err != nil {
			return err
		}
		return x.Cases().SetReviewers(caseID, []string{seeded.Reviewers[5].ID})
	})
	read(func(x app.Tx) error {
		c, _, err := x.Cases().CaseWithAttestation(caseID, seeded.Reviewers[5].ID)
		if err != nil || c.ModelName != "Renamed" || !slices.Equal(c.ReviewerIDs, []string{seeded.Reviewers[5].ID}) {
			t.Fatalf("stale case: %+v %v", c, err)
		}
		return nil
	})
	write(func(x app.Tx) error { return x.Cases().Attest(caseID, seeded.Reviewers[5].ID, now) })
	read(func(x app.Tx) error {
		if _, attested, err := x.Cases().CaseWithAttestation(caseID, seeded.Reviewers[5].ID); err != nil || !attested {
			t.Fatalf("stale attestation: %v %v", attested, err)
		}
		return nil
	})
	// A case's open findings, counted twice, then one more recorded.
	count := func() app.FindingCounts {
		var c map[string]app.FindingCounts
		read(func(x app.Tx) error {
			var err error
			c, err = x.Content().CountFindings(app.FindingCountFilter{CaseIDs: []string{caseID}, Now: now})
			return err
		})
		return c[caseID]
	}
	before := count()
	if again := count(); fmt.Sprint(again) != fmt.Sprint(before) {
		t.Fatalf("%v then %v", before, again)
	}
	write(func(x app.Tx) error {
		due := now.Add(-time.Hour)
		return x.Content().CreateFinding(&docket.Finding{ID: "f-new", CaseID: caseID, Status: docket.FindingShared, Title: "t",
			Description: "d", Category: "other", Severity: "critical", TLP: "TLP:CLEAR", AuthorID: lead.ID,
			SharedBy: lead.ID, SharedAt: &due, ResponseDueAt: &due, CreatedAt: now, UpdatedAt: now})
	})
	after := count()
	if after.Open["critical"] != before.Open["critical"]+1 || after.Overdue != before.Overdue+1 {
		t.Fatalf("stale finding counts: %v then %v", before, after)
	}
	// The same counts as the query that does not remember.
	var want map[string]app.FindingCounts
	plain(t, st, func(x *tx) error {
		var err error
		want, err = x.Content().CountFindings(app.FindingCountFilter{CaseIDs: seeded.Visible[:100], Now: now})
		return err
	})
	var got map[string]app.FindingCounts
	read(func(x app.Tx) error {
		var err error
		got, err = x.Content().CountFindings(app.FindingCountFilter{CaseIDs: seeded.Visible[:100], Now: now})
		return err
	})
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("finding counts from memory differ:\n%v\n%v", got, want)
	}
}

// referenceBands counts f's cases per band at now as one pass over every
// case, grouped by the band expression: what countBands must give.
func referenceBands(t *testing.T, st *Store, f app.CaseFilter) map[clock.Band]int {
	t.Helper()
	f.Band, f.OpenOnly = nil, false
	now := ms(f.Now)
	out := map[clock.Band]int{}
	plain(t, st, func(x *tx) error {
		where, args := caseWhere(f, now)
		args["crit"], args["soon"] = now+f.Thresholds.Critical.Milliseconds(), now+f.Thresholds.DueSoon.Milliseconds()
		var rows []struct {
			Band string
			N    int
		}
		err := x.db.Raw(`SELECT CASE WHEN cases.status IN ('decided', 'withdrawn') THEN 'closed'
WHEN cases.open_stop_at IS NOT NULL THEN 'paused'
WHEN cases.deadline_key < @now THEN 'overdue'
WHEN cases.deadline_key <= @crit THEN 'critical'
WHEN cases.deadline_key <= @soon THEN 'due_soon'
ELSE 'on_track' END AS band, COUNT(*) AS n FROM cases WHERE cases.status <> 'draft' AND `+where+` GROUP BY 1`, args).Scan(&rows).Error
		for _, r := range rows {
			out[clock.Band(r.Band)] = r.N
		}
		return err
	})
	return out
}

// TestBandCountsMatchTheReference: the counts read from the open cases'
// indexes and the closed cases' kept counts equal one pass over every case,
// for every kind of viewer and filter, at instants across the thresholds,
// and still after writes that close, reopen, move and delete cases.
func TestBandCountsMatchTheReference(t *testing.T) {
	st, seeded, now := seededStore(t, 1200)
	check := func(when string) {
		t.Helper()
		for name, f := range dashboardFilters(seeded, now) {
			for _, d := range []time.Duration{0, 26 * time.Hour, 9 * 24 * time.Hour, 40 * 24 * time.Hour} {
				g := f
				g.Now = now.Add(d)
				var got map[clock.Band]int
				plain(t, st, func(x *tx) error {
					var err error
					got, err = x.Cases().CountBands(g)
					return err
				})
				if want := referenceBands(t, st, g); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s, %s at +%s: counted %v, want %v", when, name, d, got, want)
				}
			}
		}
	}
	check("as seeded")
	// Close some open cases, reopen some closed ones, move one to another
	// organisation and delete one: the kept counts follow.
	rng := rand.New(rand.NewPCG(3, 3))
	ctx := context.Background()
	for i := 0; i < 40; i++ {
		id := seeded.Visible[rng.IntN(len(seeded.Visible))]
		if err := st.Write(ctx, func(x app.Tx) error {
			c, err := x.Cases().CaseByID(id)
			if err != nil {
				return err
			}
			switch {
			case c.Status == docket.StatusDecided || c.Status == docket.StatusWithdrawn:
				c.Status, c.ClosedAt = docket.StatusInReview, nil
			case i%2 == 0:
				c.Status, c.ClosedAt = docket.StatusDecided, &now
			default:
				c.Status, c.ClosedAt = docket.StatusWithdrawn, &now
			}
			return x.Cases().UpdateCase(c)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.write.Exec(`UPDATE cases SET org_id = ? WHERE id = ?`, seeded.LabMembers[3].OrgID, seeded.Visible[0]).Error; err != nil {
		t.Fatal(err)
	}
	if err := st.write.Exec(`DELETE FROM cases WHERE id = ? AND NOT EXISTS (SELECT 1 FROM findings WHERE case_id = cases.id)`, seeded.Visible[1]).Error; err != nil {
		t.Logf("a case with rows of its own is not deleted here: %v", err)
	}
	st.gen.Add(1)
	check("after writes")
}
