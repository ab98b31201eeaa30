// Package store keeps Docket's data with GORM, on SQLite (the embedded default)
// or PostgreSQL, behind the interfaces the app package declares. GORM's errors
// are translated here into the domain's. Migrations are embedded, applied once
// each in a transaction of their own and recorded by version; they are written
// once for both engines, with PostgreSQL's differences beside them
// (migrate.go).
//
// Read transactions take one snapshot for all their statements: SQLite's
// deferred transactions do, and PostgreSQL's reads run at REPEATABLE READ,
// read only. The dashboard's counts and order never read every case: the
// open cases are read from partial indexes that hold them alone (migration
// 0007), and the closed ones are counted by the database itself, in
// closed_counts, kept by triggers on cases in the transaction that closes,
// reopens, moves or deletes a case (migration 0011), so that no write path,
// the benchmark seeder's included, can forget them.
//
// The sweep plans only the cases whose kept instant has come (sweep_due,
// migration 0013; the rule is in app/sweep.go): triggers set a case back to
// "now", and count the change, in the transaction that changes anything its
// rules read, and the sweep writes each instant only where the count is the
// one it planned from, so a concurrent change is never written over.
//
// Most of the package is plain queries. Three speed-ups for SQLite sit in a
// corner of their own; each is invisible to the use cases, and each rests on
// what is written below. A change that breaks one of these rules breaks
// correctness, not speed: read the rule before touching the file.
//
// # Group commit (commit.go)
//
// SQLite has one writer connection (transactions BEGIN IMMEDIATE,
// synchronous=FULL). Store.Write hands the use case to one committer
// goroutine; the use cases that queued while one committed (up to 64) run in
// the order they came inside one database transaction, each in a savepoint
// of its own, and are committed together: one fsync for the lot.
//
//   - What is acknowledged when: Store.Write returns only after the
//     transaction holding the use case's writes has committed (with
//     synchronous=FULL, is on disk), or after it is known to have failed. A
//     caller never hears of success for a write that may still be lost.
//   - What a grouped use case may assume: it sees the committed database plus
//     the writes of the use cases before it in the batch, as it would had
//     they committed one by one; nothing of those after it. Its failure
//     (error or panic) rolls back its own savepoint only; the others still
//     commit. A panic is raised again in the caller's goroutine.
//   - What a use case must allow: it may run more than once. When the batch
//     fails as a whole (the disk is full, say), nothing in it was
//     acknowledged, and each use case is run again alone, exactly as it would
//     have run without the others. PostgreSQL likewise runs a use case again
//     on a serialization failure or a deadlock. So a use case does nothing
//     outside its transaction: notifications leave after commit, through the
//     outbox.
//   - Contexts: a use case whose context is done before it starts is not
//     run and gets the context's error. Once handed over, the caller waits
//     for the outcome whatever its context says: the write may commit, and
//     the caller must learn whether it did.
//   - A use case does not name a savepoint usecase (the committer's own) and
//     does not end the transaction itself; one that does ends the batch, which
//     is then run again use case by use case.
//   - After Close, the running batch finishes; later and still-queued writes
//     get an error and are not run.
//
// # The statement pool (pool.go)
//
// GORM runs on SQLite through stmtPool, which keeps each statement prepared
// once per connection (by database/sql) and lends it to every transaction.
//
//   - The statement's text is its key. Only queries and row changes (SELECT,
//     INSERT, UPDATE, DELETE, WITH) with at most 64 parameters are kept, at
//     most 400 of them; the rest run unprepared, and nothing kept is evicted.
//     A schema change, a pragma or a savepoint is never kept.
//   - A statement first seen inside a transaction runs unprepared there and
//     is prepared in the background on a free connection: preparing it in
//     place could wait for the very connection the transaction holds (the
//     writer has one). Nothing is prepared before the store is open.
//   - Cancellation is taken off a statement's context (quiet): a context
//     already done fails the statement before it starts; one that ends while
//     it runs does not interrupt it (an interrupt would roll back the whole
//     transaction). Statements must therefore stay short.
//   - On the readers, a transaction's database transaction begins with its
//     first statement, so a read answered wholly from memory (below) takes no
//     connection. SQLite takes a deferred transaction's snapshot at its first
//     read anyway, so this changes nothing a reader can see.
//   - Each transaction notes whether it may have changed rows other than the
//     sweep lease's: any statement but SELECT, SAVEPOINT, RELEASE, ROLLBACK,
//     BEGIN, COMMIT, PRAGMA and a write to leases counts, and so does any
//     statement run out of the pool's sight. When in doubt it counts as a
//     change. Nothing remembered (below) may depend on the leases table.
//
// # The read memory (memo.go, bands.go)
//
// The store remembers some reads between read transactions (a token with its
// user, a case with its organisation and reviewers, attestations, the
// dashboard's band counts and index reads, a case's open findings, the
// Clearinghouse), on both engines. The rules:
//
//   - Each memory is kept under a version the database keeps of what it
//     depends on (memo_versions, migration 0012): triggers move a version in
//     the transaction that changes one of its tables, so the new version
//     commits with the change, whichever process or replica wrote it. A
//     write that cannot change a memory moves nothing: a draft filed or
//     edited leaves the dashboard's counts and order alone; a new token,
//     user or organisation is in no memory yet. On PostgreSQL the triggers
//     are deferred to commit, once per transaction and version, so that
//     writers take the version row last and in one order.
//   - Only read transactions use it: write transactions must see their own
//     changes, and a read outside a transaction (Store.ReadOne) has no
//     snapshot to read the versions in.
//   - A read transaction reads the versions in its own snapshot. What it
//     reads is remembered under the version of its kind and answers only
//     reads whose snapshot shows the same version; a newer version makes all
//     of that kind useless at once, and a value read at an older version is
//     never stored over a newer one. So a read never sees what was true
//     before a write its snapshot holds.
//   - On SQLite, whose only writer is this process, the versions cannot move
//     while the write generation (Store.gen) stands still: they are read
//     once per generation. The generation moves on after every write
//     transaction that may have changed anything but the lease, committed or
//     not, before its caller hears the outcome; Store.Exec and
//     Store.BulkWrite move it and every version too (a bulk load may run with
//     the triggers off).
//   - What is remembered is a function of the database at the snapshot and
//     of its key alone: whatever else the answer depends on (the user asking,
//     the instant, a filter) is in the key, or the memory is not used (a
//     lab's view of findings is always read). Band counts hold, besides, only
//     from the instant they were counted up to the next threshold a running
//     clock crosses.
//   - Values are copied in and out (copyCase, slices.Clone): a caller may
//     change what it is given. Each memory is bounded; when full, it is
//     emptied.
//   - Another process writing the same SQLite file (docket user create, say)
//     is seen after this process's next write.
package store
