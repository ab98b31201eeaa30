package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/benchdata"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/storetest"
	"github.com/docket/docket/internal/web"
	"github.com/docket/docket/internal/webtest"
)

// apiBench is a server over the benchmark's dataset (benchdata.Seed: every state,
// findings, stops and audit history) with a lead's and a compliance
// officer's API sessions.
type apiBench struct {
	h          http.Handler
	seeded     *benchdata.Seeded
	lead, co   string
	labMember  string
	recordable []string
}

func newAPIBench(tb testing.TB, n int) *apiBench {
	tb.Helper()
	storetest.SkipOnPostgres(tb, "the seed writes SQLite")
	ctx := context.Background()
	st, svc, cfg, now := benchService(tb)
	hash, err := testHasher.Hash(testPassword)
	if err != nil {
		tb.Fatal(err)
	}
	seeded, err := benchdata.Seed(ctx, st, benchdata.SeedOptions{Cases: n, Now: now, PasswordHash: hash})
	if err != nil {
		tb.Fatal(err)
	}
	srv := webtest.New(tb, svc, web.Options{Config: cfg, Health: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Approvals: app.NewApprovals(st, app.ApprovalOptions{Now: svc.Cases.Now})})
	b := &apiBench{h: srv.Handler(), seeded: seeded, recordable: seeded.Recordable[seeded.Leads[0].ID]}
	for _, s := range []struct {
		u   *docket.User
		tok *string
	}{{seeded.Leads[0], &b.lead}, {seeded.Compliance, &b.co}, {seeded.LabMembers[0], &b.labMember}} {
		sess, err := svc.Accounts.SignIn(ctx, s.u.Email, testPassword, docket.Actor{ClientIP: "127.0.0.1"})
		if err != nil {
			tb.Fatal(err)
		}
		*s.tok = sess.Token
	}
	return b
}

func (b *apiBench) do(tb testing.TB, method, path, token, body string, want int) []byte {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	if rec.Code != want {
		tb.Fatalf("%s %s: %d %.300s", method, path, rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes()
}

// BenchmarkAPI measures the hot API routes in process over 10,000 cases:
// go test -run '^$' -bench API -benchmem ./internal/web/
func BenchmarkAPI(b *testing.B) {
	ab := newAPIBench(b, 10000)
	b.Run("case", func(b *testing.B) {
		ids := ab.seeded.Visible
		i := 0
		for b.Loop() {
			ab.do(b, http.MethodGet, "/api/v1/cases/"+ids[i%len(ids)], ab.lead, "", http.StatusOK)
			i++
		}
	})
	b.Run("dashboard", func(b *testing.B) {
		for b.Loop() {
			ab.do(b, http.MethodGet, "/api/v1/dashboard?limit=50", ab.co, "", http.StatusOK)
		}
	})
	b.Run("dashboard-deep", func(b *testing.B) {
		path := "/api/v1/dashboard?limit=50"
		for range 100 { // a hundred pages down
			var page struct {
				NextCursor *string `json:"next_cursor"`
			}
			if err := json.Unmarshal(ab.do(b, http.MethodGet, path, ab.co, "", http.StatusOK), &page); err != nil || page.NextCursor == nil {
				b.Fatalf("no next page: %v", err)
			}
			path = "/api/v1/dashboard?limit=50&cursor=" + url.QueryEscape(*page.NextCursor)
		}
		for b.Loop() {
			ab.do(b, http.MethodGet, path, ab.co, "", http.StatusOK)
		}
	})
	b.Run("create-case", func(b *testing.B) {
		body := `{"model_name":"Bench","model_version":"1.0","modality":"text","deployment":"api"}`
		for b.Loop() {
			ab.do(b, http.MethodPost, "/api/v1/cases", ab.labMember, body, http.StatusCreated)
		}
	})
	b.Run("create-finding", func(b *testing.B) {
		body := `{"title":"t","description":"d","category":"other","severity":"low","tlp":"TLP:CLEAR"}`
		i := 0
		for b.Loop() {
			ab.do(b, http.MethodPost, "/api/v1/cases/"+ab.recordable[i%len(ab.recordable)]+"/findings", ab.lead, body, http.StatusCreated)
			i++
		}
	})
}

// TestAPIOverSeededCases checks what BenchmarkAPI measures: the dashboard
// counts every band and pages by cursor, a lead reads any visible case and
// records findings, a lab member files.
func TestAPIOverSeededCases(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 1,000 cases")
	}
	ab := newAPIBench(t, 1000)
	var d struct {
		Counts     map[string]int    `json:"counts"`
		Items      []json.RawMessage `json:"items"`
		NextCursor *string           `json:"next_cursor"`
	}
	if err := json.Unmarshal(ab.do(t, http.MethodGet, "/api/v1/dashboard?limit=50", ab.co, "", http.StatusOK), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 50 || d.NextCursor == nil {
		t.Fatalf("%d items, next %v", len(d.Items), d.NextCursor)
	}
	for _, band := range []string{"on_track", "due_soon", "critical", "overdue", "paused", "closed"} {
		if d.Counts[band] == 0 {
			t.Errorf("no %s case: %v", band, d.Counts)
		}
	}
	ab.do(t, http.MethodGet, "/api/v1/cases/"+ab.seeded.Visible[len(ab.seeded.Visible)/2], ab.lead, "", http.StatusOK)
	ab.do(t, http.MethodPost, "/api/v1/cases/"+ab.recordable[0]+"/findings", ab.lead,
		`{"title":"t","description":"d","category":"other","severity":"low","tlp":"TLP:CLEAR"}`, http.StatusCreated)
	ab.do(t, http.MethodPost, "/api/v1/cases", ab.labMember,
		`{"model_name":"Bench","model_version":"1.0","modality":"text","deployment":"api"}`, http.StatusCreated)
}
