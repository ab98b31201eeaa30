-- Model identity (amendments), benchmarks and the risk tier, the Clearinghouse,
-- and signed review statements. Portable SQL: PostgreSQL runs this file too.

-- Amendments a lab files on a submitted case. new_digest is NULL when the
-- amendment keeps the digest; summary and planned_release_date are NULL when
-- it keeps them ('' clears the release date).
CREATE TABLE amendments (
    id                   TEXT PRIMARY KEY,
    case_id              TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    status               TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'accepted', 'rejected')),
    old_digest           TEXT NOT NULL,
    new_digest           TEXT,
    summary              TEXT,
    planned_release_date TEXT,
    created_by           TEXT NOT NULL REFERENCES users(id),
    created_at           BIGINT NOT NULL,
    restart_clock        BOOLEAN NOT NULL DEFAULT FALSE,
    note                 TEXT NOT NULL DEFAULT '',
    resolved_by          TEXT REFERENCES users(id),
    resolved_at          BIGINT
);
CREATE INDEX amendments_case ON amendments(case_id, created_at, id);
CREATE INDEX amendments_pending ON amendments(case_id, status);

-- Benchmark results; the benchmark's version and the tier are those in force
-- when the result was recorded.
CREATE TABLE benchmark_results (
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    benchmark_id      TEXT NOT NULL,
    benchmark_version TEXT NOT NULL,
    score             DOUBLE PRECISION NOT NULL,
    tier              TEXT NOT NULL CHECK (tier IN ('low', 'elevated', 'high', 'critical')),
    run_by            TEXT NOT NULL CHECK (run_by IN ('lab', 'agency')),
    run_at            TEXT NOT NULL,
    notes             TEXT NOT NULL DEFAULT '',
    recorded_by       TEXT NOT NULL REFERENCES users(id),
    created_at        BIGINT NOT NULL
);
CREATE INDEX benchmark_results_case ON benchmark_results(case_id, run_at, created_at);

-- Since when an open case stands at the critical risk tier: the sweep
-- escalates to leads and compliance officers from then.
ALTER TABLE cases ADD COLUMN risk_critical_at BIGINT;
CREATE INDEX cases_risk_critical ON cases(risk_critical_at);

-- The Clearinghouse: published findings, fixed when published.
ALTER TABLE findings ADD COLUMN clearinghouse_id TEXT;
CREATE TABLE clearinghouse_entries (
    id                 TEXT PRIMARY KEY,
    finding_id         TEXT NOT NULL UNIQUE REFERENCES findings(id),
    case_id            TEXT NOT NULL REFERENCES cases(id),
    subject            TEXT NOT NULL CHECK (subject IN ('ai_system', 'third_party')),
    vendor_project     TEXT NOT NULL,
    product            TEXT NOT NULL,
    cve_id             TEXT NOT NULL DEFAULT '',
    vulnerability_name TEXT NOT NULL,
    short_description  TEXT NOT NULL,
    required_action    TEXT NOT NULL,
    due_date           TEXT NOT NULL,
    notes              TEXT NOT NULL DEFAULT '',
    redact_lab         BOOLEAN NOT NULL,
    category           TEXT NOT NULL,
    severity           TEXT NOT NULL,
    atlas_technique    TEXT NOT NULL DEFAULT '',
    tlp                TEXT NOT NULL,
    date_added         TEXT NOT NULL,
    published_by       TEXT NOT NULL REFERENCES users(id),
    published_at       BIGINT NOT NULL
);
CREATE INDEX clearinghouse_published ON clearinghouse_entries(published_at, id);

-- Gapless Clearinghouse numbers per agency-zone year of publication.
CREATE TABLE clearinghouse_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

-- The agency's Ed25519 statement keys: the newest signs, all stay published.
-- private_key is the seed sealed with AES-GCM under a key derived from the
-- signing secret (base64); public_key is base64url.
CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL UNIQUE,
    public_key  TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT
);

-- Review statements: one per decision, one per lapse (the deadline that passed).
CREATE TABLE statements (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('decision', 'lapse')),
    kid          TEXT NOT NULL REFERENCES signing_keys(kid),
    token        TEXT NOT NULL,
    deadline_key BIGINT NOT NULL,
    issued_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX statements_once ON statements(case_id, kind, deadline_key);
CREATE INDEX statements_case ON statements(case_id, issued_at);
