package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/store"
	"github.com/docket/docket/internal/storetest"
	"github.com/docket/docket/internal/web"
	"github.com/docket/docket/internal/webtest"
)

// benchCases is the size of the board the benchmark renders.
const benchCases = 10000

// BenchmarkDashboardPage renders the compliance officer's countdown board as
// HTML over 10,000 open cases of 20 labs, in every band, a tenth of them with
// clock stops: run with go test -bench DashboardPage -run '^$' ./internal/web/
func BenchmarkDashboardPage(b *testing.B) {
	h, cookie := seedBoard(b, benchCases)
	for _, bc := range []struct{ name, path string }{
		{"most-urgent", "/dashboard"},
		{"sorted-by-lab", "/dashboard?sort=lab&page=7"},
		{"one-band", "/dashboard?band=critical"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, bc.path, nil)
				req.AddCookie(cookie)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body.String())
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "html-bytes")
		})
	}
}

// benchService opens a migrated store in the test's own place, with a
// service standing at a fixed instant, for the benchmarks.
func benchService(tb testing.TB) (*store.Store, *app.Services, config.Config, time.Time) {
	tb.Helper()
	cfg := config.Default()
	cfg.Auth.MFARequiredRoles = config.NoMFARoles
	cfg.Auth.TLPRedRequiresPhishingResistant = false // the pages draw TLP:RED findings whole, as a passkey session sees them
	cfg.DB = storetest.DSN(tb)
	cfg.Secret = strings.Repeat("s", 32)
	st, err := store.Open(cfg.DB)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	now := time.Date(2026, 6, 15, 14, 0, 0, 0, time.UTC)
	clk := func() time.Time { return now }
	signer, err := auth.NewSigner([]byte(cfg.Secret), cfg.Auth.Issuer, clk)
	if err != nil {
		tb.Fatal(err)
	}
	return st, app.New(st, app.Options{Config: cfg, Now: clk, Hasher: testHasher, Signer: signer}), cfg, now
}

// seedBoard builds a server whose database holds n open cases, written
// straight through the store in a few large transactions, and returns its
// handler with a compliance officer's page session.
func seedBoard(tb testing.TB, n int) (http.Handler, *http.Cookie) {
	tb.Helper()
	ctx := context.Background()
	st, svc, cfg, now := benchService(tb)
	co, err := svc.Accounts.CreateUserCLI(ctx, "co@agency.example", "Compliance", "compliance_officer", "Agency", "agency", testPassword)
	if err != nil {
		tb.Fatal(err)
	}
	var labs []*docket.User
	for i := range 20 {
		u, err := svc.Accounts.CreateUserCLI(ctx, fmt.Sprintf("lab%d@lab.example", i), "Lab", "lab_member",
			fmt.Sprintf("Lab %02d", i), "lab", testPassword)
		if err != nil {
			tb.Fatal(err)
		}
		labs = append(labs, u)
	}
	loc := cfg.Location()
	tiers := docket.RiskTiers
	const batch = 2500
	for start := 0; start < n; start += batch {
		err := st.Write(ctx, func(tx app.Tx) error {
			var stops []*docket.ClockStop
			for i := start; i < min(start+batch, n); i++ {
				lab := labs[i%len(labs)]
				received := now.Add(-time.Duration(i%42)*24*time.Hour - time.Duration(i%23)*time.Hour)
				base := clock.BaseDue(received, 30, loc)
				c := &docket.Case{ID: uuid.NewString(), OrgID: lab.OrgID, Number: fmt.Sprintf("DKT-2026-%05d", i+1),
					Status: docket.StatusInReview, ModelName: fmt.Sprintf("Model %d", i), ModelVersion: "1.0",
					Summary: "Benchmark case.", WeightsDigest: "sha256:" + strings.Repeat("ab", 32), Modality: "text",
					Deployment: "api", RiskTier: tiers[i%len(tiers)], CreatedBy: lab.ID, CreatedAt: received, UpdatedAt: received}
				k := &c.Clock
				k.Seq, k.ReceivedAt, k.StartedAt, k.WindowDays, k.Timezone = 1, &received, &received, 30, cfg.Review.Timezone
				k.PauseOnInfoRequest, k.BaseDueAt = true, &base
				if i%10 == 0 { // a tenth had their clock stopped: some still are
					stopAt := received.Add(24 * time.Hour)
					stop := &docket.ClockStop{ID: uuid.NewString(), CaseID: c.ID, ClockSeq: 1, StartedAt: stopAt,
						Reason: "information request", InfoRequestID: uuid.NewString()}
					if i%20 == 0 && stopAt.Before(now) {
						c.Status, k.OpenStopAt = docket.StatusAwaitingLab, &stopAt
					} else {
						end := stopAt.Add(36 * time.Hour)
						stop.EndedAt, k.ClosedStopped = &end, 36*time.Hour
					}
					stops = append(stops, stop)
				}
				if err := tx.Cases().CreateCase(c); err != nil {
					return err
				}
			}
			for _, stop := range stops {
				if err := tx.Cases().CreateStop(stop); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	srv := webtest.New(tb, svc, web.Options{Config: cfg, Health: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Approvals: app.NewApprovals(st, app.ApprovalOptions{Now: svc.Cases.Now})})
	sess, err := svc.Accounts.SignInPage(ctx, co.Email, testPassword, docket.Actor{ClientIP: "127.0.0.1"})
	if err != nil {
		tb.Fatal(err)
	}
	return srv.Handler(), &http.Cookie{Name: "docket_session", Value: sess.Token}
}

// TestBoardOfManyCases checks what the benchmark measures: every case counted,
// one page of the list shown, the stops drawn.
func TestBoardOfManyCases(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 2,000 cases")
	}
	h, cookie := seedBoard(t, 2000)
	req := httptest.NewRequest(http.MethodGet, "/dashboard", nil)
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "Showing 1–50 of 2000 cases") {
		t.Fatalf("%d %.500s", rec.Code, body)
	}
	if strings.Count(body, `class="countdown"`) != 50 || !strings.Contains(body, "Page 1 of 40") {
		t.Fatal("not one page of 50")
	}
	req = httptest.NewRequest(http.MethodGet, "/dashboard?band=paused&sort=lab&page=2", nil)
	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if body := rec.Body.String(); rec.Code != 200 || !strings.Contains(body, `class="tl-stop"`) || !strings.Contains(body, "Page 2 of") {
		t.Fatalf("no stop drawn on the paused cases: %d", rec.Code)
	}
}
