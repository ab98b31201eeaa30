package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/store"
	"github.com/docket/docket/internal/storetest"
)

// replica is one real docket serve process.
type replica struct {
	cmd  *exec.Cmd
	base string
}

func startReplica(t *testing.T, bin string, vars map[string]string) *replica {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(out)
	addr := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if l := lines.Text(); strings.HasPrefix(l, "Docket is listening on ") {
				addr <- strings.TrimPrefix(l, "Docket is listening on ")
			}
		}
	}()
	select {
	case a := <-addr:
		return &replica{cmd: cmd, base: a}
	case <-time.After(60 * time.Second):
		t.Fatal("a replica did not start")
	}
	return nil
}

// TestTwoReplicasOnOnePostgreSQL runs two real docket processes on one
// PostgreSQL database under a load of submissions and transitions through
// both: numbers stay unique and gapless, the audit chain stays one line, every
// notification key is written once, and when the lease holder is killed the
// other process takes over within the lease time. (Each notification key is
// written once by the outbox's unique index; internal/app's tests race two
// sweepers on one database to prove it.)
func TestTwoReplicasOnOnePostgreSQL(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("set TEST_POSTGRES_URL to run the replica test")
	}
	bin := filepath.Join(t.TempDir(), "docket")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dsn := storetest.DSN(t)
	vars := map[string]string{
		"DOCKET_DB": dsn, "DOCKET_ADDR": "127.0.0.1:0", "DOCKET_SECRET": strings.Repeat("r", 40), "DOCKET_AUTH_MFA_REQUIRED_ROLES": "none",
		"DOCKET_CONFIG":           filepath.Join("..", "..", "configs", "docket.yaml"),
		"DOCKET_NOTIFY_LEASE_TTL": "3s", "DOCKET_NOTIFY_SCHEDULE": "@every 1s", "DOCKET_LOG_LEVEL": "warn",
	}
	const pw = "correct horse battery staple"
	if code, out := runCmd(t, vars, pw+"\n", "user", "create", "--email", "admin@agency.example.gov", "--name", "Admin", "--role", "admin", "--org", "Agency"); code != 0 {
		t.Fatalf("user create: %s", out)
	}
	// The lead comes from the command line: an admin's lead would wait for a lead's approval.
	if code, out := runCmd(t, vars, pw+"\n", "user", "create", "--email", "lead@example.org", "--name", "Lead", "--role", "review_lead", "--org", "Agency"); code != 0 {
		t.Fatalf("user create: %s", out)
	}
	r1, r2 := startReplica(t, bin, vars), startReplica(t, bin, vars)
	c1 := (&client{t: t, base: r1.base}).signIn("admin@agency.example.gov", pw)
	lab := c1.must(201, "POST", "/api/v1/orgs", map[string]any{"name": "Frontier Labs", "kind": "lab"})
	for i := 0; i < 4; i++ {
		c1.must(201, "POST", "/api/v1/users", map[string]any{"email": fmt.Sprintf("lab%d@example.org", i), "name": "Lab", "role": "lab_member", "org_id": lab["id"], "password": pw})
	}
	lead2 := (&client{t: t, base: r2.base}).signIn("lead@example.org", pw)

	var mu sync.Mutex
	var numbers, errs []string
	start := time.Now()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			base := []*replica{r1, r2}[g%2].base
			other := []*replica{r2, r1}[g%2].base
			me := (&client{t: t, base: base}).signIn(fmt.Sprintf("lab%d@example.org", g%4), pw)
			lead := &client{t: t, base: other, token: lead2.token}
			for time.Since(start) < 4*time.Second {
				code, c := me.call("POST", "/api/v1/cases", map[string]any{"model_name": "M", "model_version": "1",
					"weights_digest": "sha256:" + strings.Repeat("cd", 32), "modality": "text", "deployment": "api"})
				if code != 201 {
					mu.Lock()
					errs = append(errs, fmt.Sprintf("create %d %v", code, c))
					mu.Unlock()
					continue
				}
				id := c["id"].(string)
				code, c = me.call("POST", "/api/v1/cases/"+id+"/submit", nil)
				if code == 200 {
					mu.Lock()
					numbers = append(numbers, c["number"].(string))
					mu.Unlock()
					// A transition through the other replica.
					if code, c := lead.call("POST", "/api/v1/cases/"+id+"/assign", map[string]any{"reviewer_ids": []string{}}); code != 200 {
						mu.Lock()
						errs = append(errs, fmt.Sprintf("assign %d %v", code, c))
						mu.Unlock()
					}
				} else {
					mu.Lock()
					errs = append(errs, fmt.Sprintf("submit %d %v", code, c))
					mu.Unlock()
				}
			}
		}(g)
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d errors, first: %s", len(errs), errs[0])
	}
	sort.Strings(numbers)
	year := numbers[0][4:8]
	for i, n := range numbers {
		if want := fmt.Sprintf("DKT-%s-%04d", year, i+1); n != want {
			t.Fatalf("numbers not gapless: %d is %s", i, n)
		}
	}
	t.Logf("%d submissions in 4s across two replicas (%.0f/s), 0 errors", len(numbers), float64(len(numbers))/4)

	// Forty wrong passwords at once, half through each replica: the attempts
	// are reserved one by one in the database, so no more than max_failures
	// (10 in the shipped configuration) reach the password check.
	answers := map[int]int{}
	gate := make(chan struct{})
	var guessers sync.WaitGroup
	for i := range 40 {
		guessers.Add(1)
		go func() {
			defer guessers.Done()
			c := &client{t: t, base: []*replica{r1, r2}[i%2].base}
			<-gate
			code, _ := c.call("POST", "/api/v1/auth/token", map[string]any{"email": "lab3@example.org", "password": fmt.Sprintf("guess %d", i)})
			mu.Lock()
			answers[code]++
			mu.Unlock()
		}()
	}
	close(gate)
	guessers.Wait()
	st, err := store.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// What each guess met, from the audit trail: the password check
	// (failed), the lock of the address after max_failures (locked, the same
	// 401 after a dummy hash) or the slow-down (throttled, 429).
	met := map[string]int{}
	err = st.Read(context.Background(), func(tx app.Tx) error {
		return tx.Audit().WalkAudit(func(ev docket.AuditEvent) error {
			var ch struct{ Result, Email string }
			if ev.Action == "auth.sign_in" && json.Unmarshal([]byte(ev.Changes), &ch) == nil && ch.Email == "lab3@example.org" {
				met[ch.Result]++
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := met["failed"] + met["failed_and_locked"]
	if checked > 10 || checked+met["locked"]+met["throttled"] != 40 || met["throttled"] != answers[429] {
		t.Fatalf("40 simultaneous guesses across two replicas: audited %v, answered %v; at most 10 may reach the password check", met, answers)
	}
	t.Logf("40 simultaneous guesses across two replicas: %d reached the password check, %d met the lock, %d throttled",
		checked, met["locked"], met["throttled"])
	holder := func() string {
		var h string
		err := st.Read(context.Background(), func(tx app.Tx) error {
			var err error
			h, err = tx.Notifications().LeaseHolder(app.SweepLease, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	var first string
	for deadline := time.Now().Add(10 * time.Second); first == "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		first = holder()
	}
	if first == "" {
		t.Fatal("nobody holds the sweep lease")
	}
	victim, survivor := r1, r2
	if !strings.Contains(first, fmt.Sprintf("/%d/", r1.cmd.Process.Pid)) {
		victim, survivor = r2, r1
	}
	_ = victim.cmd.Process.Signal(syscall.SIGKILL)
	killed := time.Now()
	var next string
	for time.Since(killed) < 15*time.Second {
		if h := holder(); h != "" && h != first {
			next = h
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(next, fmt.Sprintf("/%d/", survivor.cmd.Process.Pid)) {
		t.Fatalf("the lease did not pass to the survivor: %q (was %q)", next, first)
	}
	t.Logf("the lease passed to the survivor %s after the holder was killed", time.Since(killed).Round(100*time.Millisecond))

	if code, out := runCmd(t, vars, "", "audit", "verify"); code != 0 {
		t.Fatalf("audit verify: %s", out)
	}
}
