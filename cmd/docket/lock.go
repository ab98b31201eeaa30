package main

import (
	"fmt"
	"os"
	"syscall"
)

// lockSQLite keeps a second server off one SQLite database. A server
// remembers reads between its own writes (internal/store/memo.go), which is
// right only while it is the database's one server; the commands that write
// beside it (user create, keys rotate) touch nothing it remembers. The lock
// is the operating system's (flock on <db>.lock): it goes with the process,
// however the process ends. It returns the release.
func lockSQLite(db string) (func(), error) {
	path := db + ".lock"
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("db: %s is served already by another docket serve (it holds %s); one process serves a SQLite database, several need PostgreSQL", db, path)
	}
	return func() { f.Close() }, nil
}
