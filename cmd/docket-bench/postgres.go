package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver for the schemas and the read-back
)

// schemas makes a fresh PostgreSQL schema for each dataset in the database
// at base (--db) and drops them all at the end, as the store's tests do.
type schemas struct {
	base string
	db   *sql.DB
	made []string
}

func openSchemas(ctx context.Context, base string) (*schemas, error) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("--db: %w", err)
	}
	return &schemas{base: base, db: db}, nil
}

// create makes a schema for the dataset name and returns the database URL
// that works in it (search_path).
func (s *schemas) create(ctx context.Context, name string) (string, error) {
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	schema := "bench_" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(name)) + "_" + hex.EncodeToString(buf)
	// The schema's name is made above from letters, digits and underscores only.
	if _, err := s.db.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		return "", fmt.Errorf("create schema: %w", err)
	}
	s.made = append(s.made, schema)
	u, err := url.Parse(s.base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// close drops the schemas made (unless keep) and closes the connection.
func (s *schemas) close(keep bool) {
	defer s.db.Close()
	for _, schema := range s.made {
		if keep {
			logf("keeping PostgreSQL schema %s", schema)
			continue
		}
		if _, err := s.db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			logf("drop schema %s: %v", schema, err)
		}
	}
}
