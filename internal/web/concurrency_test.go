package web_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"
)

// TestConcurrentFilingAndSubmitting: 64 goroutines file and submit through the
// handlers for a few seconds: no errors, gapless unique numbers, every
// acknowledged case present, the audit chain intact.
func TestConcurrentFilingAndSubmitting(t *testing.T) {
	if testing.Short() {
		t.Skip("concurrency run skipped in -short")
	}
	w := newWorld(t)
	for i := 0; i < 8; i++ {
		w.addUser(fmt.Sprintf("filer%d", i), "lab_member", fmt.Sprintf("Lab %d", i%2))
	}
	w.addUser("watcher", "review_lead", "Agency")
	const workers = 64
	deadline := time.Now().Add(3 * time.Second)
	var mu sync.Mutex
	var errs []string
	acked := map[string]string{} // case id → number
	reads := 0
	var wg sync.WaitGroup
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			user := w.users[fmt.Sprintf("filer%d", g%8)]
			for time.Now().Before(deadline) {
				if g%4 == 3 { // a quarter of the workers read the dashboard meanwhile
					r := w.do("GET", "/api/v1/dashboard", w.users["watcher"].Token, nil)
					mu.Lock()
					reads++
					if r.Code != 200 {
						errs = append(errs, fmt.Sprintf("dashboard %d %s", r.Code, r.Body))
					}
					mu.Unlock()
					continue
				}
				r := w.do("POST", "/api/v1/cases", user.Token, draftBody(fmt.Sprintf("Model g%d", g)))
				if r.Code != 201 {
					mu.Lock()
					errs = append(errs, fmt.Sprintf("create %d %s", r.Code, r.Body))
					mu.Unlock()
					continue
				}
				id := r.JSON()["id"].(string)
				r = w.do("POST", "/api/v1/cases/"+id+"/submit", user.Token, nil)
				mu.Lock()
				if r.Code != 200 {
					errs = append(errs, fmt.Sprintf("submit %d %s", r.Code, r.Body))
				} else {
					acked[id] = r.JSON()["number"].(string)
				}
				mu.Unlock()
			}
		}(g)
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d errors, first: %s", len(errs), errs[0])
	}
	var nums []string
	for id, n := range acked {
		nums = append(nums, n)
		if r := w.as("watcher", "GET", "/api/v1/cases/"+id, nil); r.Code != 200 || r.JSON()["number"] != n {
			t.Fatalf("acknowledged case %s missing or changed: %d", id, r.Code)
		}
	}
	sort.Strings(nums)
	for i, n := range nums {
		if want := fmt.Sprintf("DKT-2026-%04d", i+1); n != want {
			t.Fatalf("numbers not gapless and unique: position %d has %s, want %s", i, n, want)
		}
	}
	rep, err := w.svc.AuditTrail.VerifyAudit(context.Background())
	if err != nil || rep.Reason != "" {
		t.Fatalf("audit after the run: %v %+v", err, rep)
	}
	t.Logf("%d cases filed and submitted by %d writers in 3s (%.0f/s), %d dashboard reads, 0 errors, %d audit events",
		len(acked), workers*3/4, float64(len(acked))/3, reads, rep.Count)
}
