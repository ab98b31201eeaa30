package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/files"
	"github.com/docket/docket/internal/metrics"
	"github.com/docket/docket/internal/notify"
	"github.com/docket/docket/internal/schedule"
	"github.com/docket/docket/internal/store"
	"github.com/docket/docket/internal/web"
)

// env is what run reads from and writes to, so tests can drive it.
type env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) (string, bool)
	// Now is the clock; nil means the real one.
	Now func() time.Time
	// Ready, when set, receives the address the server listens on.
	Ready chan<- string
}

const usage = `Usage: docket <command> [flags]

Commands:
  serve             run the server (applies pending migrations first)
  migrate           apply pending migrations
  user create       create a user (the password is read from standard input)
  audit verify      check the audit chain
  backup --out FILE write a consistent copy of the SQLite database
  copy --to URL     move a SQLite deployment to an empty PostgreSQL database
  keys rotate [--csaf]
                    make a new current key for signing review statements
                    (--csaf: the CSAF provider's OpenPGP key)
  statement verify FILE --jwks FILE_OR_URL
                    check a review statement against a published key set
  eval inspect FILE [--benchmarks FILE]
                    read an Inspect log (.eval or .json) without a database and
                    print what an import would record, or why it would be refused

Every command takes --config FILE and --db PATH_OR_URL.
`

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, e env) int {
	if e.Now == nil {
		e.Now = time.Now
	}
	if len(args) == 0 {
		fmt.Fprint(e.Stderr, usage)
		return 2
	}
	var err error
	switch {
	case args[0] == "serve":
		err = cmdServe(ctx, args[1:], e)
	case args[0] == "migrate":
		err = cmdMigrate(ctx, args[1:], e)
	case args[0] == "user" && len(args) > 1 && args[1] == "create":
		err = cmdUserCreate(ctx, args[2:], e)
	case args[0] == "audit" && len(args) > 1 && args[1] == "verify":
		return cmdAuditVerify(ctx, args[2:], e)
	case args[0] == "backup":
		err = cmdBackup(ctx, args[1:], e)
	case args[0] == "copy":
		err = cmdCopy(ctx, args[1:], e)
	case args[0] == "keys" && len(args) > 1 && args[1] == "rotate":
		err = cmdKeysRotate(ctx, args[2:], e)
	case args[0] == "statement" && len(args) > 1 && args[1] == "verify":
		return cmdStatementVerify(ctx, args[2:], e)
	case args[0] == "eval" && len(args) > 1 && args[1] == "inspect":
		return cmdEvalInspect(ctx, args[2:], e)
	case args[0] == "help" || args[0] == "-h" || args[0] == "--help":
		fmt.Fprint(e.Stdout, usage)
		return 0
	default:
		fmt.Fprintf(e.Stderr, "docket: unknown command %q\n\n%s", strings.Join(args, " "), usage)
		return 2
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(e.Stderr, "docket: %v\n", err)
		return 1
	}
	return 0
}

// common are the flags every command takes.
type common struct {
	config string
	db     string
}

func newFlags(name string, e env, c *common) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.StringVar(&c.config, "config", "", "the configuration file (default configs/docket.yaml, or DOCKET_CONFIG)")
	fs.StringVar(&c.db, "db", "", "a SQLite path or a postgres:// URL (default DOCKET_DB, or the file's db)")
	return fs
}

// load reads the configuration with the flags given as overrides.
func load(c common, e env, overrides map[string]string) (config.Config, error) {
	if overrides == nil {
		overrides = map[string]string{}
	}
	if c.db != "" {
		overrides["db"] = c.db
	}
	return config.Load(c.config, e.Getenv, overrides)
}

// openStore opens the database and applies pending migrations.
func openStore(ctx context.Context, cfg config.Config, migrate bool) (*store.Store, error) {
	st, err := store.Open(cfg.DB)
	if err != nil {
		return nil, err
	}
	if migrate {
		if _, err := st.Migrate(ctx); err != nil {
			st.Close()
			return nil, err
		}
	} else if err := st.CheckSchema(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// secret returns the signing secret: DOCKET_SECRET, or for SQLite one generated
// on first start and kept beside the database, readable by its owner only.
func secret(cfg config.Config) ([]byte, error) {
	if cfg.Secret != "" {
		return []byte(cfg.Secret), nil
	}
	if store.IsPostgres(cfg.DB) {
		return nil, errors.New("secret: set DOCKET_SECRET (at least 32 bytes, the same on every replica)")
	}
	path := cfg.DB + ".secret"
	if b, err := os.ReadFile(path); err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < 32 {
			return nil, fmt.Errorf("secret: %s holds fewer than 32 bytes", path)
		}
		return []byte(s), nil
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	s := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	return []byte(s), nil
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.Log.Level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lvl}))
}

// newService builds the use-case layer over the store.
func newService(st *store.Store, cfg config.Config, e env, log *slog.Logger) (*app.Services, error) {
	svc, _, err := newServiceWith(st, cfg, e, log, nil)
	return svc, err
}

// newServiceWith builds the use-case layer with the agency's benchmarks (nil:
// the example set built into Docket): the service, and the approvals service
// it hands the administrators' changes that take two.
func newServiceWith(st *store.Store, cfg config.Config, e env, log *slog.Logger, bench []docket.Benchmark) (*app.Services, *app.Approvals, error) {
	sec, err := secret(cfg)
	if err != nil {
		return nil, nil, err
	}
	signer, err := auth.NewSigner(sec, cfg.Auth.Issuer, e.Now)
	if err != nil {
		return nil, nil, err
	}
	approvals := app.NewApprovals(st, app.ApprovalOptions{Now: e.Now})
	svc := app.New(st, app.Options{Config: cfg, Now: e.Now, Hasher: auth.NewHasher(auth.DefaultParams),
		Signer: signer, Logger: log, Secret: sec, Benchmarks: bench, Approvals: approvals, Files: files.New(cfg.AttachmentsDir())})
	return svc, approvals, nil
}

func cmdServe(ctx context.Context, args []string, e env) error {
	var c common
	fs := newFlags("serve", e, &c)
	addr := fs.String("addr", "", "the address to listen on (default DOCKET_ADDR, or the file's addr)")
	demo := fs.Bool("demo", false, "seed a demo dataset into an empty database")
	if err := fs.Parse(args); err != nil {
		return err
	}
	over := map[string]string{}
	if *addr != "" {
		over["addr"] = *addr
	}
	cfg, err := load(c, e, over)
	if err != nil {
		return err
	}
	if *demo {
		// The demo's people sign in with a password alone, and it says so.
		cfg.Auth.MFARequiredRoles = config.NoMFARoles
		fmt.Fprintln(e.Stdout, "Demo: second factors are relaxed: no role must use one (auth.mfa_required_roles is none). "+
			"Without --demo, every agency role signs in with a second factor.")
	}
	log := newLogger(cfg, e.Stderr)
	// A bad benchmarks file stops start-up, naming the benchmark and the field.
	bench, benchFrom, err := config.LoadBenchmarks(cfg.Benchmarks)
	if err != nil {
		return err
	}
	log.Info("benchmarks", "from", benchFrom, "count", len(bench))
	if !store.IsPostgres(cfg.DB) {
		release, err := lockSQLite(cfg.DB)
		if err != nil {
			return err
		}
		defer release()
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("addr: %w", err)
	}
	base := cfg.BaseURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	// The statements name base_url as their issuer (its keys are at
	// /.well-known/jwks.json there), derived from the address when unset.
	cfg.BaseURL = base
	svc, approvals, err := newServiceWith(st, cfg, e, log, bench)
	if err != nil {
		ln.Close()
		return err
	}
	if *demo {
		if err := seedDemo(ctx, svc, st, cfg, e, base); err != nil {
			ln.Close()
			return fmt.Errorf("demo: %w", err)
		}
	}
	// Passkeys need base_url at a host name: say so where people will read it.
	if off := svc.Passkeys.Off(); off != "" {
		if *demo {
			fmt.Fprintln(e.Stdout, "Demo: "+off)
		} else {
			log.Info("passkeys are off", "why", off)
		}
	}
	// The statement key pair is made on first start and kept sealed in the
	// database, so that every replica signs with the same key.
	if _, err := svc.Evidence.EnsureSigningKey(ctx); err != nil {
		ln.Close()
		return err
	}
	// The first start's instant: the feeds' dateReleased while nothing is
	// published; and the CSAF provider's OpenPGP key, made on first start
	// and kept sealed in the database like the statement key.
	if err := svc.Clearinghouse.RecordOrigin(ctx); err != nil {
		ln.Close()
		return err
	}
	if _, err := svc.Provider.EnsureCSAFKey(ctx); err != nil {
		ln.Close()
		return err
	}
	// Upload files left by a process stopped mid-upload.
	if n, err := svc.Findings.RemoveStaleUploads(); err != nil {
		log.Warn("attachments: removing stale uploads", "err", err)
	} else if n > 0 {
		log.Info("attachments: removed upload files left by an interrupted upload", "files", n)
	}
	// The delivery channels (e-mail, or the log without SMTP; webhooks), the
	// metrics, and the webhook address guard: the server checks URLs with the
	// guard the webhook channel dials through.
	holder := schedule.Holder()
	m := metrics.New()
	svc.Delivery.Observe(m)
	m.Watch(svc.Delivery, svc.Cases, holder)
	m.WatchPools(st.Pools())
	guard := notify.NewGuard(cfg.Webhooks.AllowPrivateTargets)
	channels, err := notify.Channels(notify.Options{Config: cfg, BaseURL: base, Targets: svc.Delivery, Now: svc.Cases.Now, Logger: log,
		Guard: guard})
	if err != nil {
		ln.Close()
		return err
	}
	srv, err := web.New(svc, web.Options{Config: cfg, Logger: log, Health: st, TLS: strings.HasPrefix(base, "https://"),
		Metrics: m, Guard: guard, BaseURL: base, Approvals: approvals})
	if err != nil {
		ln.Close()
		return err
	}
	sched, err := schedule.New(schedule.Jobs(svc.Delivery, holder, cfg.Notify.Schedule, cfg.Notify.LeaseTTL, channels, log), cfg.Location(), log)
	if err != nil {
		ln.Close()
		return err
	}
	sched.Start()
	defer sched.Stop()
	defer debug.SetMemoryLimit(applyMemoryLimit(cfg.MemoryLimit))
	hs := srv.HTTPServer(cfg.Addr)
	fmt.Fprintf(e.Stdout, "Docket is listening on %s\n", base)
	if e.Ready != nil {
		e.Ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log.Info("shutting down")
	return hs.Shutdown(shut)
}

func cmdMigrate(ctx context.Context, args []string, e env) error {
	var c common
	if err := newFlags("migrate", e, &c).Parse(args); err != nil {
		return err
	}
	cfg, err := load(c, e, nil)
	if err != nil {
		return err
	}
	st, err := store.Open(cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(e.Stdout, "the database is up to date")
	}
	for _, name := range applied {
		fmt.Fprintf(e.Stdout, "applied %s\n", name)
	}
	return nil
}

func cmdUserCreate(ctx context.Context, args []string, e env) error {
	var c common
	fs := newFlags("user create", e, &c)
	email := fs.String("email", "", "the user's e-mail address")
	name := fs.String("name", "", "the user's name")
	role := fs.String("role", "", "lab_member, reviewer, review_lead, compliance_officer or admin")
	org := fs.String("org", "", "the organisation's name (created when missing)")
	orgKind := fs.String("org-kind", "", "lab or agency, for a new organisation (default: from the role)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || *name == "" || *role == "" || *org == "" {
		return errors.New("user create: --email, --name, --role and --org are required")
	}
	cfg, err := load(c, e, nil)
	if err != nil {
		return err
	}
	line, err := bufio.NewReader(e.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	svc, err := newService(st, cfg, e, newLogger(cfg, e.Stderr))
	if err != nil {
		return err
	}
	u, err := svc.Accounts.CreateUserCLI(ctx, *email, *name, *role, *org, *orgKind, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "created %s (%s) in %s, id %s\n", u.Email, u.Role, u.Org.Name, u.ID)
	return nil
}

func cmdAuditVerify(ctx context.Context, args []string, e env) int {
	var c common
	if err := newFlags("audit verify", e, &c).Parse(args); err != nil {
		return 2
	}
	cfg, err := load(c, e, nil)
	if err != nil {
		fmt.Fprintf(e.Stderr, "docket: %v\n", err)
		return 2
	}
	st, err := openStore(ctx, cfg, false)
	if err != nil {
		fmt.Fprintf(e.Stderr, "docket: %v\n", err)
		return 2
	}
	defer st.Close()
	svc, err := newService(st, cfg, e, newLogger(cfg, e.Stderr))
	if err != nil {
		fmt.Fprintf(e.Stderr, "docket: %v\n", err)
		return 2
	}
	r, err := svc.AuditTrail.VerifyAudit(ctx)
	if err != nil {
		fmt.Fprintf(e.Stderr, "docket: %v\n", err)
		return 2
	}
	if r.Reason != "" {
		fmt.Fprintf(e.Stdout, "audit chain broken at event %d (id %s): %s; %d events before it verify\n", r.BadSeq, r.BadEvent, r.Reason, r.Count)
		return 1
	}
	fmt.Fprintf(e.Stdout, "audit chain intact: %d events\n", r.Count)
	return 0
}

func cmdBackup(ctx context.Context, args []string, e env) error {
	var c common
	fs := newFlags("backup", e, &c)
	out := fs.String("out", "", "the file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("backup: --out is required")
	}
	cfg, err := load(c, e, nil)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "wrote %s\n", *out)
	return nil
}

func cmdCopy(ctx context.Context, args []string, e env) error {
	var c common
	fs := newFlags("copy", e, &c)
	to := fs.String("to", "", "the PostgreSQL database to copy into (postgres://…)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !store.IsPostgres(*to) {
		return errors.New("copy: --to must be a postgres:// URL")
	}
	cfg, err := load(c, e, nil)
	if err != nil {
		return err
	}
	src, err := openStore(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(*to)
	if err != nil {
		return err
	}
	defer dst.Close()
	if _, err := dst.Migrate(ctx); err != nil {
		return err
	}
	counts, err := store.Copy(ctx, src, dst)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(counts))
	total := 0
	for t, n := range counts {
		names = append(names, t)
		total += n
	}
	sort.Strings(names)
	for _, t := range names {
		fmt.Fprintf(e.Stdout, "%-22s %d\n", t, counts[t])
	}
	// The target keeps the source's signing secret: tokens and encrypted keys depend on it.
	sec, err := secret(cfg)
	if err != nil {
		return err
	}
	if cfg.Secret == "" {
		fmt.Fprintf(e.Stdout, "this deployment's secret is in %s.secret: run the PostgreSQL replicas with DOCKET_SECRET set to it\n", cfg.DB)
	}
	cfg.DB, cfg.Secret = *to, string(sec)
	svc, err := newService(dst, cfg, e, newLogger(cfg, e.Stderr))
	if err != nil {
		return err
	}
	r, err := svc.AuditTrail.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if r.Reason != "" {
		return fmt.Errorf("copy: the copied audit chain breaks at event %d: %s", r.BadSeq, r.Reason)
	}
	fmt.Fprintf(e.Stdout, "copied %d rows; the audit chain verifies on the target (%d events)\n", total, r.Count)
	return nil
}

// applyMemoryLimit sets the soft limit of the process's Go memory while the
// server runs, unless GOMEMLIMIT in the process's environment already did
// (the runtime reads it itself); it returns the limit to restore.
func applyMemoryLimit(limit int64) int64 {
	if limit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		return debug.SetMemoryLimit(limit)
	}
	return debug.SetMemoryLimit(-1) // -1 reads the limit without changing it
}
