package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// startLimited starts `docket serve` with its files limited to limitKB
// kilobytes (ulimit -f): writes past that fail as on a full disk.
func startLimited(t *testing.T, bin string, vars map[string]string, limitKB int64) *replica {
	t.Helper()
	cmd := exec.Command("bash", "-c", fmt.Sprintf("ulimit -f %d; exec %q serve", limitKB, bin))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(out)
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
		t.Fatal("docket did not start under the file size limit")
	}
	return nil
}

// TestWritesFailingForLackOfSpace: with the database unable to grow (the
// process under ulimit -f), writes fail with a clear error and nothing
// half-written; reads go on; after a restart without the limit every
// acknowledged write is there, the database is intact and the chain verifies.
func TestWritesFailingForLackOfSpace(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test skipped in -short")
	}
	bin := filepath.Join(t.TempDir(), "docket")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "docket.db")
	vars := map[string]string{
		"DOCKET_DB": db, "DOCKET_ADDR": "127.0.0.1:0", "DOCKET_SECRET": strings.Repeat("o", 40), "DOCKET_AUTH_MFA_REQUIRED_ROLES": "none",
		"DOCKET_CONFIG": filepath.Join("..", "..", "configs", "docket.yaml"), "DOCKET_LOG_LEVEL": "error",
		"DOCKET_DATA_DIR": filepath.Join(dir, "data"),
	}
	const pw = "correct horse battery staple"
	if code, out := runCmd(t, vars, pw+"\n", "user", "create", "--email", "lab@frontier.example", "--name", "Lab", "--role", "lab_member", "--org", "Frontier Labs"); code != 0 {
		t.Fatalf("user create: %s", out)
	}
	info, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	// Room for the start-up writes and a few cases, then the disk is "full".
	r := startLimited(t, bin, vars, info.Size()/1024+96)
	lab := (&client{t: t, base: r.base}).signIn("lab@frontier.example", pw)
	var acked []string
	failed := 0
	for i := 0; i < 400 && failed < 5; i++ {
		code, c := post(lab, "/api/v1/cases", map[string]any{"model_name": "Full", "model_version": fmt.Sprint(i),
			"summary": strings.Repeat("x", 4000)})
		switch {
		case code == 201:
			acked = append(acked, c["id"].(string))
		case code == 500:
			failed++
			e, _ := c["error"].(map[string]any)
			if e == nil || e["code"] != "internal" || e["request_id"] == nil || strings.Contains(fmt.Sprint(c), "sqlite") {
				t.Fatalf("the failure is not a clean 500: %v", c)
			}
		default:
			t.Fatalf("write %d: %d %v", i, code, c)
		}
	}
	if failed == 0 {
		t.Fatalf("the limit never bit after %d writes", len(acked))
	}
	// Reads go on while writes fail.
	if code, _ := lab.call("GET", "/api/v1/cases?limit=5", nil); code != 200 {
		t.Fatalf("reads stopped: %d", code)
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	_ = r.cmd.Wait()

	// The space is back.
	r = startReplica(t, bin, vars)
	lab = (&client{t: t, base: r.base}).signIn("lab@frontier.example", pw)
	for _, id := range acked {
		if code, _ := lab.call("GET", "/api/v1/cases/"+id, nil); code != 200 {
			t.Fatalf("acknowledged case %s lost: %d", id, code)
		}
	}
	if code, _ := post(lab, "/api/v1/cases", map[string]any{"model_name": "After", "model_version": "1"}); code != 201 {
		t.Fatalf("writes did not recover: %d", code)
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	_ = r.cmd.Wait()
	check, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	var ok string
	if err := check.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	if code, out := runCmd(t, vars, "", "audit", "verify"); code != 0 {
		t.Fatalf("audit verify: %s", out)
	}
	t.Logf("%d writes acknowledged before the disk filled, %d refused cleanly; all present after recovery, integrity ok, chain intact", len(acked), failed)
}
