package store

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"gorm.io/gorm"
)

// What the store remembers between read transactions; what must stay true
// of it is in doc.go.
//
// A read transaction reads, in its snapshot, the versions the database keeps
// of what each memory depends on (memoVersions, moved by triggers in the
// writing transaction); what it reads may be remembered under its kind's
// version, and answers later read transactions whose snapshots show the same
// version — so nothing written since can be missing from it, whichever
// replica wrote it, and a write that touches nothing a memory depends on
// leaves it whole. Write transactions, which see their own changes, never
// use it. On SQLite the versions are read once per write generation
// (Store.gen), since only this process writes.
//
// A command writing the same SQLite file while it is served (docket user
// create, say) is another process: remembered reads see its writes after
// this process's next write, which for a new user is the sign-in itself.
//
// What is remembered: a token with its user (every authenticated request),
// a case with its organisation's name and reviewers (every case view and
// dashboard row), whether a user attested no conflict on a case, the
// dashboard's band counts (bands.go) and its index reads (urgency.go), a
// case's open findings (the dashboard's counts), and the Clearinghouse.

// memo remembers values of one kind read at the current version of what
// they depend on (gen).
type memo[V any] struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]V
	max int
}

func newMemo[V any](max int) *memo[V] { return &memo[V]{max: max, m: map[string]V{}} }

func (c *memo[V]) get(key string, gen uint64) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		var zero V
		return zero, false
	}
	v, ok := c.m[key]
	return v, ok
}

func (c *memo[V]) put(key string, gen uint64, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen < c.gen:
		return // read before a later write
	case gen > c.gen || len(c.m) >= c.max:
		clear(c.m)
		c.gen = gen
	}
	c.m[key] = v
}

// memos are the store's memos.
type memos struct {
	tokens            *memo[tokenUser]
	cases             *memo[*docket.Case]
	attests           *memo[bool]
	streams           *memo[[]urgent]
	findings          *memo[[]openFinding]
	clearinghouse     *memo[[]docket.ClearinghouseEntry]
	clearinghouseHead *memo[catalogHead]
}

// catalogHead is what ClearinghouseHead answers.
type catalogHead struct {
	at *time.Time
	n  int
}

func newMemos() *memos {
	return &memos{
		tokens:   newMemo[tokenUser](4096),
		cases:    newMemo[*docket.Case](20000),
		attests:  newMemo[bool](20000),
		streams:  newMemo[[]urgent](1024),
		findings: newMemo[[]openFinding](20000),
		// The feed and a few searches of it.
		clearinghouse:     newMemo[[]docket.ClearinghouseEntry](64),
		clearinghouseHead: newMemo[catalogHead](1),
	}
}

// memoVersions are the versions the database keeps of what each memory
// depends on (migration 0012): a trigger moves a column in the transaction
// that changes one of its tables.
type memoVersions struct {
	Accounts      uint64 // tokens, users, organisations: the tokens memory
	Cases         uint64 // cases, their reviewers and organisations: the cases memory
	Attests       uint64 // attestations
	Board         uint64 // cases but drafts, reviewers, organisations: band counts and index reads
	Findings      uint64 // findings: each case's open findings
	Clearinghouse uint64 // the Clearinghouse's entries
}

// versionMemory is what the store last read of memo_versions on SQLite,
// with the write generation it was read at.
type versionMemory struct {
	mu  sync.Mutex
	gen uint64
	v   *memoVersions
}

// memo returns the store's memos when this read transaction may use them,
// with the versions of its snapshot in t.ver; nil for a write transaction,
// which sees its own changes, and for a read run outside a transaction.
func (t *tx) memo() *memos {
	if t.store == nil || !t.readOnly || t.noMemo {
		return nil
	}
	if t.ver == nil {
		v, err := t.memoVersions()
		if err != nil {
			return nil // read it all instead
		}
		t.ver = v
	}
	return t.store.memos
}

// memoVersions reads the versions in this transaction's snapshot. On
// SQLite, whose only writer is this process, they cannot have moved while
// the write generation stands still: they are read once per generation.
func (t *tx) memoVersions() (*memoVersions, error) {
	vm := &t.store.versions
	if !t.postgres {
		vm.mu.Lock()
		v := vm.v
		ok := v != nil && vm.gen == t.gen
		vm.mu.Unlock()
		if ok {
			return v, nil
		}
	}
	var v memoVersions
	if err := t.db.Raw(`SELECT accounts, cases, attests, board, findings, clearinghouse FROM memo_versions WHERE id = 1`).
		Row().Scan(&v.Accounts, &v.Cases, &v.Attests, &v.Board, &v.Findings, &v.Clearinghouse); err != nil {
		return nil, err
	}
	if !t.postgres {
		vm.mu.Lock()
		if vm.v == nil || t.gen >= vm.gen {
			vm.gen, vm.v = t.gen, &v
		}
		vm.mu.Unlock()
	}
	return &v, nil
}

// bumpMemoVersions moves every version on, for writes the triggers may not
// have seen (a bulk load with them off, a raw statement).
func bumpMemoVersions(db *gorm.DB) error {
	return db.Exec(`UPDATE memo_versions SET accounts = accounts + 1, cases = cases + 1, attests = attests + 1,
board = board + 1, findings = findings + 1, clearinghouse = clearinghouse + 1`).Error
}

type tokenUser struct {
	token app.Token
	user  docket.User
}

// copyCase returns a copy of c that shares nothing a caller could change in place.
func copyCase(c *docket.Case) *docket.Case {
	d := *c
	d.ReviewerIDs = slices.Clone(c.ReviewerIDs)
	if d.ReviewerIDs == nil {
		d.ReviewerIDs = []string{}
	}
	return &d
}

// openFinding is what the dashboard counts of an open finding.
type openFinding struct {
	severity string
	due      int64 // the response deadline of a shared finding; 0 when none
}

// countFindingsMemo is CountFindings for the agency, from the remembered open
// findings of each case, reading those of the cases not remembered.
func (t *tx) countFindingsMemo(m *memos, f app.FindingCountFilter) (map[string]app.FindingCounts, error) {
	open := make(map[string][]openFinding, len(f.CaseIDs))
	var missing []any
	for _, id := range f.CaseIDs {
		if fs, ok := m.findings.get(id, t.ver.Findings); ok {
			open[id] = fs
		} else if _, dup := open[id]; !dup {
			open[id] = nil
			missing = append(missing, id)
		}
	}
	for len(missing) > 0 {
		chunk := missing[:min(len(missing), 500)]
		missing = missing[len(chunk):]
		// By case id alone, so that findings_case serves it (see CountFindings).
		rows, err := scanRows[struct {
			CaseID        string
			Severity      string
			Status        string
			ResponseDueAt *int64
		}](t.query(`SELECT case_id, severity, status, response_due_at FROM findings WHERE case_id IN (?`+
			strings.Repeat(", ?", len(chunk)-1)+`)`, chunk...))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if !docket.FindingStatus(r.Status).Open() {
				continue
			}
			o := openFinding{severity: r.Severity}
			if r.Status == string(docket.FindingShared) && r.ResponseDueAt != nil {
				o.due = *r.ResponseDueAt
			}
			open[r.CaseID] = append(open[r.CaseID], o)
		}
		for _, id := range chunk {
			m.findings.put(id.(string), t.ver.Findings, open[id.(string)])
		}
	}
	now := ms(f.Now)
	out := map[string]app.FindingCounts{}
	for id, fs := range open {
		if len(fs) == 0 {
			continue
		}
		c := app.FindingCounts{Open: map[string]int{}}
		for _, o := range fs {
			c.Open[o.severity]++
			if o.due != 0 && o.due < now {
				c.Overdue++
			}
		}
		out[id] = c
	}
	return out, nil
}
