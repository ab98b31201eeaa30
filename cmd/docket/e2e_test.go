package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/storetest"
)

// testEnv returns an environment with only the given variables.
func testEnv(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func runCmd(t *testing.T, vars map[string]string, stdin string, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: testEnv(vars)})
	return code, out.String() + errb.String()
}

type client struct {
	t     *testing.T
	base  string
	token string
}

func (c *client) call(method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m
}

func (c *client) must(code int, method, path string, body any) map[string]any {
	c.t.Helper()
	got, m := c.call(method, path, body)
	if got != code {
		c.t.Fatalf("%s %s: want %d, got %d: %v", method, path, code, got, m)
	}
	return m
}

func (c *client) signIn(email, password string) *client {
	c.t.Helper()
	code, m := c.call("POST", "/api/v1/auth/token", map[string]string{"email": email, "password": password})
	if code != 200 {
		c.t.Fatalf("sign in as %s at %s: want 200, got %d: %v", email, c.base, code, m)
	}
	return &client{t: c.t, base: c.base, token: m["access_token"].(string)}
}

// TestEndToEnd starts the real run on port 0 on a fresh file, creates the
// first admin and the first lead with the command (which applies at once,
// even a lead), has the admin create the other users (the reviewer waits for
// the lead's approval), and drives a case from draft to decision over HTTP as
// each role.
func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{
		"DOCKET_DB":     storetest.DSN(t),
		"DOCKET_ADDR":   "127.0.0.1:0",
		"DOCKET_SECRET": strings.Repeat("e", 40), "DOCKET_AUTH_MFA_REQUIRED_ROLES": "none",
		"DOCKET_CONFIG": filepath.Join("..", "..", "configs", "docket.yaml"),
	}
	const pw = "correct horse battery staple"
	if code, out := runCmd(t, vars, pw+"\n", "user", "create", "--email", "admin@agency.example.gov", "--name", "Ada Admin", "--role", "admin", "--org", "Office of AI Model Review"); code != 0 {
		t.Fatalf("user create: %d %s", code, out)
	}
	if code, out := runCmd(t, vars, pw+"\n", "user", "create", "--email", "review_lead@example.org", "--name", "review_lead", "--role", "review_lead", "--org", "Office of AI Model Review"); code != 0 || !strings.Contains(out, "created review_lead@example.org (review_lead)") {
		t.Fatalf("user create (the first lead): %d %s", code, out)
	}
	if code, out := runCmd(t, vars, "", "migrate"); code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate twice: %d %s", code, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var out bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve"}, env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: io.Discard, Getenv: testEnv(vars), Ready: ready})
	}()
	var addr string
	select {
	case addr = <-ready:
	case code := <-done:
		t.Fatalf("serve exited %d", code)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("serve exited %d", code)
			}
		}
	}
	defer stop()
	anon := &client{t: t, base: "http://" + addr}
	anon.must(200, "GET", "/readyz", nil)
	admin := anon.signIn("admin@agency.example.gov", pw)
	lab := admin.must(201, "POST", "/api/v1/orgs", map[string]any{"name": "Frontier Labs", "kind": "lab"})
	me := admin.must(200, "GET", "/api/v1/me", nil)
	agency := me["org"].(map[string]any)["id"].(string)
	users := map[string]string{"lab_member": lab["id"].(string), "reviewer": agency, "compliance_officer": agency}
	ids := map[string]string{}
	for role, org := range users {
		u := admin.must(201, "POST", "/api/v1/users", map[string]any{"email": role + "@example.org", "name": role, "role": role, "org_id": org, "password": pw})
		ids[role] = u["id"].(string)
	}
	// The reviewer waits for the lead: no sign-in until the lead approves.
	pending := admin.must(200, "GET", "/api/v1/approvals?status=pending", nil)["items"].([]any)
	if len(pending) != 1 || pending[0].(map[string]any)["id"] != ids["reviewer"] {
		t.Fatalf("pending: %v", pending)
	}
	if code, _ := anon.call("POST", "/api/v1/auth/token", map[string]string{"email": "reviewer@example.org", "password": pw}); code != 401 {
		t.Fatalf("a reviewer waiting for approval signs in: %d", code)
	}
	lead := anon.signIn("review_lead@example.org", pw)
	approved := lead.must(200, "POST", "/api/v1/approvals/"+ids["reviewer"]+"/approve", nil)
	ids["reviewer"] = approved["user_id"].(string)
	labC, rev, co := anon.signIn("lab_member@example.org", pw), anon.signIn("reviewer@example.org", pw), anon.signIn("compliance_officer@example.org", pw)

	c := labC.must(201, "POST", "/api/v1/cases", map[string]any{"model_name": "Atlas", "model_version": "2", "weights_digest": "sha256:" + strings.Repeat("0f", 32), "modality": "code", "deployment": "open_weights"})
	id := c["id"].(string)
	c = labC.must(200, "POST", "/api/v1/cases/"+id+"/submit", nil)
	if !strings.HasPrefix(c["number"].(string), "DKT-") {
		t.Fatalf("number %v", c["number"])
	}
	lead.must(200, "POST", "/api/v1/cases/"+id+"/assign", map[string]any{"reviewer_ids": []string{ids["reviewer"]}})
	rev.must(200, "POST", "/api/v1/cases/"+id+"/attest-no-conflict", nil)
	req := rev.must(201, "POST", "/api/v1/cases/"+id+"/info-requests", map[string]any{"question": "Share the eval harness."})
	if s := co.must(200, "GET", "/api/v1/cases/"+id, nil)["status"]; s != "awaiting_lab" {
		t.Fatalf("status %v", s)
	}
	labC.must(200, "POST", "/api/v1/info-requests/"+req["id"].(string)+"/answer", map[string]any{"answer": "Linked."})
	lead.must(200, "POST", "/api/v1/cases/"+id+"/attest-no-conflict", nil)
	d := lead.must(200, "POST", "/api/v1/cases/"+id+"/decision", map[string]any{"outcome": "no_concerns", "rationale": "Evaluated."})
	if d["status"] != "decided" || d["clock"].(map[string]any)["band"] != "closed" {
		t.Fatalf("decided: %v", d)
	}
	if n := len(co.must(200, "GET", "/api/v1/cases/"+id+"/audit", nil)["items"].([]any)); n < 7 {
		t.Fatalf("case trail has %d events", n)
	}
	stop()
	if code, out := runCmd(t, vars, "", "audit", "verify"); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify: %d %s", code, out)
	}
	if storetest.Postgres() {
		return // backups of PostgreSQL are pg_dump's
	}
	backup := filepath.Join(dir, "backup.db")
	if code, out := runCmd(t, vars, "", "backup", "--out", backup); code != 0 {
		t.Fatalf("backup: %d %s", code, out)
	}
	vars["DOCKET_DB"] = backup
	if code, out := runCmd(t, vars, "", "audit", "verify"); code != 0 {
		t.Fatalf("the backup's chain: %d %s", code, out)
	}
}
