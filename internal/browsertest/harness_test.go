package browsertest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/files"
	"github.com/docket/docket/internal/store"
	"github.com/docket/docket/internal/web"
	"github.com/docket/docket/internal/webtest"
)

const password = "correct horse battery staple"

// serverOffset is how far the server's clock is from the machine's: months
// back, so that a countdown that trusted the browser's own clock would be
// visibly wrong.
const serverOffset = -150 * 24 * time.Hour

// skewClock is the server's clock: the machine's time plus an offset that the
// seeding moves to back-date the demo cases.
type skewClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *skewClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset).UTC()
}

// at makes the clock read t now (and tick on from there).
func (c *skewClock) at(t time.Time) {
	c.mu.Lock()
	c.offset = time.Until(t)
	c.mu.Unlock()
}

// env is a real server on 127.0.0.1 with users of every role, and a browser.
type env struct {
	t         *testing.T
	url       string
	svc       *app.Services
	clock     *skewClock
	users     map[string]*docket.User
	artifacts string
	axe       string // the axe-core script, "" when it could not be had
	root      context.Context
	shots     int
	// loc is the agency's zone, in which dates are days.
	loc *time.Location
}

// chromium finds the browser, or skips (fails in CI) without one.
func chromium(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("DOCKET_CHROMIUM"), "/usr/bin/chromium"}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			candidates = append(candidates, p)
		}
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no browser: CI needs /usr/bin/chromium (apt-get install -y chromium), or DOCKET_CHROMIUM")
	}
	t.Skip("no browser: install chromium (apt-get install -y chromium) or set DOCKET_CHROMIUM")
	return ""
}

// axeScript reads axe-core from its npm prefix, installing it there when
// missing. Without it, the accessibility checks are skipped (failed in CI).
func axeScript(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("DOCKET_AXE_DIR")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		dir = filepath.Join(home, ".cache", "docket", "axe")
	}
	file := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if _, err := os.Stat(file); err != nil {
		if npm, err := exec.LookPath("npm"); err == nil {
			out, err := exec.Command(npm, "install", "--no-audit", "--no-fund", "--prefix", dir, "axe-core@4").CombinedOutput()
			if err != nil {
				t.Logf("npm install axe-core: %v\n%s", err, out)
			}
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core is missing (%v): npm install --prefix %s axe-core@4", err, dir)
		}
		t.Logf("axe-core is missing, accessibility checks are skipped: %v", err)
		return ""
	}
	return string(b)
}

// artifactsDir is where the screenshots go.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("DOCKET_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else {
		dir = filepath.Join(dir, "browser", t.Name())
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

var roleUsers = []struct {
	key, name, role, org, kind string
}{
	{"lab", "Emily Carter", "lab_member", "Frontier Labs", "lab"},
	{"lab2", "Hana Sato", "lab_member", "Meridian AI", "lab"},
	{"lead", "Margaret Chen", "review_lead", "Office of AI Model Review", "agency"},
	{"lead2", "Samuel Ortiz", "review_lead", "Office of AI Model Review", "agency"},
	{"rev", "Aisha Patel", "reviewer", "Office of AI Model Review", "agency"},
	{"rev2", "Jonas Weber", "reviewer", "Office of AI Model Review", "agency"},
	{"co", "Robert Kim", "compliance_officer", "Office of AI Model Review", "agency"},
	{"admin", "Daniel Okafor", "admin", "Office of AI Model Review", "agency"},
}

// newEnv starts the server and the browser, and seeds users and a few cases
// of another lab in every band.
func newEnv(t *testing.T) *env { return newEnvAt(t, "") }

// newEnvAt is newEnv with Docket's base_url at host (on 127.0.0.1, on a
// port of its own); "" leaves base_url unset and the pages at 127.0.0.1.
// Passkeys need a host name: browsers refuse an IP address as their site.
func newEnvAt(t *testing.T, host string) *env {
	t.Helper()
	exe := chromium(t)
	e := &env{t: t, clock: &skewClock{offset: serverOffset}, users: map[string]*docket.User{}, artifacts: artifactsDir(t)}
	e.axe = axeScript(t)

	cfg := config.Default()
	cfg.Auth.MFARequiredRoles = config.NoMFARoles
	cfg.DB = filepath.Join(t.TempDir(), "docket.db")
	cfg.Secret = strings.Repeat("b", 32)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		cfg.BaseURL = fmt.Sprintf("http://%s:%d", host, ln.Addr().(*net.TCPAddr).Port)
	}
	e.loc = cfg.Location()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(cfg.DB)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	signer, err := auth.NewSigner([]byte(cfg.Secret), cfg.Auth.Issuer, e.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	approvals := app.NewApprovals(st, app.ApprovalOptions{Now: e.clock.Now})
	e.svc = app.New(st, app.Options{Config: cfg, Now: e.clock.Now, Signer: signer,
		Hasher: auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1}), Approvals: approvals, Files: files.New(cfg.AttachmentsDir())})
	srv := webtest.New(t, e.svc, web.Options{Config: cfg, Health: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Approvals: approvals})
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(ts.Close)
	e.url = ts.URL
	if !strings.HasPrefix(e.url, "http://127.0.0.1:") {
		t.Fatalf("the server is not on 127.0.0.1: %s", e.url)
	}
	if cfg.BaseURL != "" {
		e.url = cfg.BaseURL
	}
	for _, u := range roleUsers {
		email := strings.ToLower(strings.ReplaceAll(u.name, " ", ".")) + "@" + strings.ToLower(strings.ReplaceAll(u.org, " ", "")) + ".example"
		created, err := e.svc.Accounts.CreateUserCLI(context.Background(), email, u.name, u.role, u.org, u.kind, password)
		if err != nil {
			t.Fatal(err)
		}
		e.users[u.key] = created
	}
	e.seedBands()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelRoot(); cancelAlloc() })
	if err := chromedp.Do(root); err != nil { // starts the browser, bound to root
		t.Fatalf("start the browser: %v", err)
	}
	e.root = root
	return e
}

// actor is a seeded user as the service knows it.
func (e *env) actor(key string) docket.Actor {
	u := e.users[key]
	return docket.Actor{UserID: u.ID, Role: u.Role, OrgID: u.OrgID, OrgKind: u.Org.Kind, ClientIP: "127.0.0.1"}
}

// seedBands files Meridian AI's cases, back-dated through the clock, so that
// the countdown shows every band: overdue, critical, due soon, on track, and
// one paused on an open information request.
func (e *env) seedBands() {
	t := e.t
	ctx := context.Background()
	now := e.clock.Now()
	lab, lead := e.actor("lab2"), e.actor("lead2")
	for i, c := range []struct {
		model string
		ago   time.Duration
		ask   bool
	}{
		{"Meridian Sage 2.0", 33 * 24 * time.Hour, false},
		{"Meridian Coder 2.0", 29 * 24 * time.Hour, false},
		{"Meridian Vista 1.5", 25 * 24 * time.Hour, false},
		{"Meridian Echo 1.0", 4 * 24 * time.Hour, false},
		{"Meridian Agent 0.9", 12 * 24 * time.Hour, true},
	} {
		e.clock.at(now.Add(-c.ago))
		s := func(v string) *string { return &v }
		in := docket.CaseInput{ModelName: s(c.model), ModelVersion: s("1.0"), Modality: s("text"), Deployment: s("api"),
			WeightsDigest: s(fmt.Sprintf("sha256:%064x", i+1)), Summary: s("Seeded for the countdown.")}
		if i == 1 {
			// Tomorrow in the agency's zone, on or before the deadline's local
			// date whatever the hour (in UTC it is a day later each evening).
			in.PlannedReleaseDate = s(now.In(e.loc).AddDate(0, 0, 1).Format("2006-01-02"))
		}
		v, err := e.svc.Cases.CreateCase(ctx, lab, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Cases.SubmitCase(ctx, lab, v.Case.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.at(now.Add(-c.ago + time.Hour))
		if _, err := e.svc.Cases.Assign(ctx, lead, v.Case.ID, []string{e.users["rev2"].ID}, ""); err != nil {
			t.Fatal(err)
		}
		if c.ask {
			if _, err := e.svc.Cases.Attest(ctx, lead, v.Case.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Cases.RequestInfo(ctx, lead, v.Case.ID, "Send the eval logs."); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.clock.at(now)
}

// tab is one user's browser: its own browser context, so its own cookies.
type tab struct {
	e    *env
	key  string
	ctx  context.Context
	name string
}

func (e *env) tab(key string) *tab {
	ctx, cancel := chromedp.NewContext(e.root, chromedp.WithNewBrowserContext())
	e.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		e.t.Fatalf("open a tab: %v", err)
	}
	return &tab{e: e, key: key, ctx: ctx, name: e.users[key].Name}
}

// timeout is the bound of one step.
const timeout = 30 * time.Second

func (b *tab) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, timeout)
}

// do runs actions; a failure fails the test with a screenshot.
func (b *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.e.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot("failed-" + what)
		b.e.t.Fatalf("%s: %s: %v", b.name, what, err)
	}
}

// open navigates and checks the status.
func (b *tab) open(path string, status int) {
	b.e.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.e.url+path))
	if err != nil {
		b.e.t.Fatalf("%s: open %s: %v", b.name, path, err)
	}
	if int(resp.Status) != status {
		b.shot("failed-open")
		b.e.t.Fatalf("%s: open %s: %d, want %d", b.name, path, resp.Status, status)
	}
}

// submit clicks something that loads a page and checks the page's status.
func (b *tab) submit(what string, sel chromedp.CSS, status int) {
	b.e.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel))
	if err != nil {
		b.shot("failed-" + what)
		b.e.t.Fatalf("%s: %s: %v", b.name, what, err)
	}
	if int(resp.Status) != status {
		b.shot("failed-" + what)
		b.e.t.Fatalf("%s: %s: %d, want %d: %s", b.name, what, resp.Status, status, b.text())
	}
}

// text is what a person reads in the main part of the page.
func (b *tab) text() string {
	ctx, cancel := b.step()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		b.e.t.Fatalf("%s: read the page: %v", b.name, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// sees fails unless the page says every one of want.
func (b *tab) sees(want ...string) {
	b.e.t.Helper()
	txt := b.text()
	for _, w := range want {
		if !strings.Contains(txt, w) {
			b.shot("failed-sees")
			b.e.t.Fatalf("%s does not see %q on %s: %.1500s", b.name, w, b.location(), txt)
		}
	}
}

func (b *tab) location() string {
	ctx, cancel := b.step()
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

func eval[T any](b *tab, js string) T {
	b.e.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.e.t.Fatalf("%s: evaluate %.80s: %v", b.name, js, err)
	}
	return v
}

var unsafeName = regexp.MustCompile(`[^a-z0-9-]+`)

// shot saves a full-page screenshot as a test artefact.
func (b *tab) shot(name string) {
	ctx, cancel := b.step()
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.e.t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.e.shots++
	file := filepath.Join(b.e.artifacts, fmt.Sprintf("%02d-%s-%s.png", b.e.shots, b.key, unsafeName.ReplaceAllString(strings.ToLower(name), "-")))
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		b.e.t.Logf("screenshot %s: %v", name, err)
	}
}

// opens opens the case page's action whose details element has the id (a
// form in the side column), unless it is open already.
func (b *tab) opens(id string) {
	b.e.t.Helper()
	if eval[bool](b, `document.getElementById(`+strconv.Quote(id)+`).open`) {
		return
	}
	b.do("open "+id, chromedp.Click(chromedp.CSS("#"+id+" > summary")))
}

// signIn signs in through the form.
func (b *tab) signIn() {
	b.e.t.Helper()
	b.password("/login")
	b.sees(b.name, "Sign out")
}

// password sends the tab's user's e-mail address and password from the
// sign-in form at path (/login, with its query); what comes next is the
// caller's to check: home, or a second step.
func (b *tab) password(path string) {
	b.e.t.Helper()
	b.open(path, http.StatusOK)
	b.do("fill in the sign-in form",
		chromedp.SendKeys(chromedp.ID("email"), b.e.users[b.key].Email),
		chromedp.SendKeys(chromedp.ID("password"), password))
	b.submit("sign in with the password", `form[action="/login"] button[type=submit]`, http.StatusOK)
}

// step is one part of a browser scenario.
type step struct {
	name string
	run  func(t *testing.T)
}

// runSteps runs a scenario's steps in order, stopping at the first that
// fails (the later ones stand on it), then logs what axe-core said of every
// page checked so far.
func runSteps(t *testing.T, steps []step) {
	t.Helper()
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			break
		}
	}
	axeLog.Lock()
	defer axeLog.Unlock()
	if len(axeLog.lines) > 0 {
		t.Logf("axe-core, WCAG 2.1 A and AA, on %d pages:\n  %s", len(axeLog.lines), strings.Join(axeLog.lines, "\n  "))
	}
}
