package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver for database/sql

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/benchdata"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/files"
	"github.com/docket/docket/internal/store"
)

// password is every seeded user's password.
const password = "docket-bench-password"

// dataset is a seeded database and the sessions the workloads use.
type dataset struct {
	// db is the database: a SQLite file, or a PostgreSQL URL whose
	// search_path is the dataset's own schema.
	db     string
	engine string
	secret string
	cfg    config.Config
	seeded *benchdata.Seeded
	// tokens are API sessions by user id; page is the compliance officer's page session.
	tokens map[string]string
	page   string
	took   time.Duration
}

// loadConfig reads the configuration the server will run with, for the database db.
func loadConfig(o options, db, secret string) (config.Config, error) {
	cfg, err := config.Load(o.config, os.LookupEnv, map[string]string{"db": db})
	if err != nil {
		return cfg, err
	}
	cfg.Secret = secret
	cfg.Auth.MFARequiredRoles = config.NoMFARoles // as the server it starts (server.go)
	cfg.Auth.TLPRedRequiresPhishingResistant = false
	return cfg, nil
}

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// service builds the use cases over st, standing at now (nil: the real clock).
func service(st *store.Store, cfg config.Config, now func() time.Time) (*app.Services, error) {
	if now == nil {
		now = time.Now
	}
	signer, err := auth.NewSigner([]byte(cfg.Secret), cfg.Auth.Issuer, now)
	if err != nil {
		return nil, err
	}
	return app.New(st, app.Options{Config: cfg, Now: now, Signer: signer, Hasher: auth.NewHasher(auth.DefaultParams),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Files: files.New(cfg.AttachmentsDir())}), nil
}

// seedDataset writes a fresh database of n cases (every state unless
// openOnly): the SQLite file name.db, or with --db a new PostgreSQL schema;
// when signIn, it opens the sessions the workloads use.
func seedDataset(ctx context.Context, o options, name string, n int, opts benchdata.SeedOptions, signIn bool) (*dataset, error) {
	d := &dataset{db: filepath.Join(o.dir, name+".db"), engine: o.engine(), secret: newSecret(), tokens: map[string]string{}}
	if o.pg != nil {
		var err error
		if d.db, err = o.pg.create(ctx, name); err != nil {
			return nil, err
		}
	}
	cfg, err := loadConfig(o, d.db, d.secret)
	if err != nil {
		return nil, err
	}
	d.cfg = cfg
	begin := time.Now()
	st, err := store.Open(d.db)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	hash, err := auth.NewHasher(auth.DefaultParams).Hash(password)
	if err != nil {
		return nil, err
	}
	opts.Cases, opts.PasswordHash = n, hash
	opts.Timezone, opts.WindowDays = cfg.Review.Timezone, cfg.Review.WindowDays
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if d.seeded, err = benchdata.Seed(ctx, st, opts); err != nil {
		return nil, err
	}
	d.took = time.Since(begin)
	if st.Postgres() {
		// A database loaded by COPY has neither statistics nor a visibility
		// map yet; autovacuum would give it both within minutes, and a
		// deployment runs on what autovacuum leaves. The workloads measure that.
		vacuum := time.Now()
		if err := vacuumSchema(ctx, d.db); err != nil {
			return nil, fmt.Errorf("vacuum: %w", err)
		}
		logf("%s: VACUUM ANALYZE after the seed took %s", name, time.Since(vacuum).Round(time.Millisecond))
	}
	logf("seeded %s on %s: %d cases, %d findings, %d Clearinghouse entries, %d audit events in %s", name, d.engine, len(d.seeded.CaseIDs),
		d.seeded.Findings, d.seeded.Entries, d.seeded.AuditEvents, d.took.Round(time.Millisecond))
	if !signIn {
		return d, nil
	}
	svc, err := service(st, cfg, nil)
	if err != nil {
		return nil, err
	}
	who := docket.Actor{ClientIP: "127.0.0.1", RequestID: "bench"}
	users := append([]*docket.User{d.seeded.Compliance}, d.seeded.Leads...)
	users = append(users, d.seeded.LabMembers[:min(8, len(d.seeded.LabMembers))]...)
	for _, u := range users {
		s, err := svc.Accounts.SignIn(ctx, u.Email, password, who)
		if err != nil {
			return nil, fmt.Errorf("sign in %s: %w", u.Email, err)
		}
		d.tokens[u.ID] = s.Token
	}
	// The pages' session, through the same use case the sign-in form calls.
	s, err := svc.Accounts.SignInPage(ctx, d.seeded.Compliance.Email, password, who)
	if err != nil {
		return nil, err
	}
	d.page = s.Token
	return d, nil
}

// vacuumSchema runs VACUUM ANALYZE on each table of the schema the
// PostgreSQL URL dsn reads (its search_path), and on no other.
func vacuumSchema(ctx context.Context, dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := db.ExecContext(ctx, `VACUUM ANALYZE `+pgx.Identifier{t}.Sanitize()); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	return nil
}
