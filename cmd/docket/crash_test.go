package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestKillDashNineLosesNothingAcknowledged runs the real binary under
// concurrent writes, kills it with SIGKILL at a random moment, restarts it,
// and checks that every write that got a 2xx is there (by id) and that the
// audit chain verifies; several rounds on one database.
func TestKillDashNineLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("crash rounds skipped in -short")
	}
	bin := filepath.Join(t.TempDir(), "docket")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	vars := map[string]string{
		"DOCKET_DB": filepath.Join(dir, "docket.db"), "DOCKET_ADDR": "127.0.0.1:0", "DOCKET_SECRET": strings.Repeat("k", 40), "DOCKET_AUTH_MFA_REQUIRED_ROLES": "none",
		"DOCKET_CONFIG": filepath.Join("..", "..", "configs", "docket.yaml"), "DOCKET_LOG_LEVEL": "error",
		"DOCKET_DATA_DIR": filepath.Join(dir, "data"),
	}
	const pw = "correct horse battery staple"
	if code, out := runCmd(t, vars, pw+"\n", "user", "create", "--email", "lab@frontier.example", "--name", "Lab", "--role", "lab_member", "--org", "Frontier Labs"); code != 0 {
		t.Fatalf("user create: %s", out)
	}
	acked := map[string]string{} // case id → status it was acknowledged in
	rounds, writes := 4, 0
	for round := 0; round < rounds; round++ {
		r := startReplica(t, bin, vars)
		lab := (&client{t: t, base: r.base}).signIn("lab@frontier.example", pw)
		// Everything acknowledged before is still there after the restart.
		checkAcked(t, lab, acked, fmt.Sprintf("round %d", round))
		var mu sync.Mutex
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					code, c := post(lab, "/api/v1/cases", map[string]any{"model_name": "Crash", "model_version": fmt.Sprint(round),
						"weights_digest": "sha256:" + strings.Repeat("ef", 32), "modality": "text", "deployment": "api"})
					if code != 201 {
						return // the server died mid-request: unacknowledged, nothing to check
					}
					id := c["id"].(string)
					mu.Lock()
					acked[id] = "draft"
					mu.Unlock()
					if code, _ := post(lab, "/api/v1/cases/"+id+"/submit", nil); code == 200 {
						mu.Lock()
						acked[id] = "submitted"
						mu.Unlock()
					} else {
						return
					}
				}
			}()
		}
		time.Sleep(time.Duration(300+rand.IntN(900)) * time.Millisecond)
		_ = r.cmd.Process.Signal(syscall.SIGKILL)
		_ = r.cmd.Wait()
		close(stop)
		wg.Wait()
		writes = len(acked)
	}
	if code, out := runCmd(t, vars, "", "audit", "verify"); code != 0 {
		t.Fatalf("audit verify after %d crashes: %s", rounds, out)
	}
	r := startReplica(t, bin, vars)
	lab := (&client{t: t, base: r.base}).signIn("lab@frontier.example", pw)
	checkAcked(t, lab, acked, "after the last crash")
	t.Logf("%d crash rounds, %d acknowledged cases checked after each restart, audit chain intact", rounds, writes)
}

// checkAcked: every acknowledged case exists, in the state it was acknowledged
// in or a later one (a submit may commit just before the kill, unanswered).
func checkAcked(t *testing.T, lab *client, acked map[string]string, when string) {
	t.Helper()
	for id, status := range acked {
		code, c := lab.call("GET", "/api/v1/cases/"+id, nil)
		if code != 200 || !(c["status"] == status || status == "draft" && c["status"] == "submitted") {
			t.Fatalf("%s: acknowledged case %s is %d %v, acknowledged as %s", when, id, code, c["status"], status)
		}
	}
}

// post sends a request that may fail because the server is being killed: no
// answer is (0, nil), never a test failure.
func post(c *client, path string, body any) (int, map[string]any) {
	var buf []byte
	if body != nil {
		buf, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest("POST", c.base+path, bytes.NewReader(buf))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}
