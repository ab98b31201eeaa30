-- Cases on the review clock.
CREATE TABLE cases (
    id                     TEXT PRIMARY KEY,
    org_id                 TEXT NOT NULL REFERENCES orgs(id),
    number                 TEXT UNIQUE,
    status                 TEXT NOT NULL,
    model_name             TEXT NOT NULL,
    model_version          TEXT NOT NULL,
    summary                TEXT NOT NULL DEFAULT '',
    weights_digest         TEXT NOT NULL DEFAULT '',
    planned_release_date   TEXT NOT NULL DEFAULT '',
    training_compute_flops DOUBLE PRECISION,
    modality               TEXT NOT NULL DEFAULT '',
    deployment             TEXT NOT NULL DEFAULT '',
    lead_id                TEXT REFERENCES users(id),
    risk_tier              TEXT NOT NULL DEFAULT 'low',
    created_by             TEXT NOT NULL REFERENCES users(id),
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    closed_at              BIGINT,
    received_at            BIGINT,
    clock_started_at       BIGINT,
    window_days            INTEGER NOT NULL DEFAULT 0,
    timezone               TEXT NOT NULL DEFAULT '',
    pause_on_info_request  BOOLEAN NOT NULL DEFAULT TRUE,
    base_due_at            BIGINT,
    stopped_ms             BIGINT NOT NULL DEFAULT 0,
    open_stop_at           BIGINT,
    -- base_due_at + stopped_ms: the deadline while no stop is open; the dashboard sorts on it.
    deadline_key           BIGINT,
    clock_seq              INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cases_org ON cases(org_id, created_at);
CREATE INDEX cases_status_deadline ON cases(status, deadline_key, id);
CREATE INDEX cases_deadline ON cases(deadline_key, id);

CREATE TABLE case_reviewers (
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (case_id, user_id)
);
CREATE INDEX case_reviewers_user ON case_reviewers(user_id);

CREATE TABLE attestations (
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id),
    at      BIGINT NOT NULL,
    PRIMARY KEY (case_id, user_id)
);

CREATE TABLE info_requests (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    question   TEXT NOT NULL,
    answer     TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL,
    opened_by  TEXT NOT NULL REFERENCES users(id),
    opened_at  BIGINT NOT NULL,
    closed_by  TEXT,
    closed_at  BIGINT
);
CREATE INDEX info_requests_case ON info_requests(case_id, opened_at);
CREATE INDEX info_requests_open ON info_requests(status, opened_at);

-- Every clock a case has had: the current one and those a restart replaced.
CREATE TABLE case_clocks (
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    started_at  BIGINT NOT NULL,
    window_days INTEGER NOT NULL,
    timezone    TEXT NOT NULL,
    base_due_at BIGINT NOT NULL,
    ended_at    BIGINT,
    end_reason  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE clock_stops (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    clock_seq       INTEGER NOT NULL,
    started_at      BIGINT NOT NULL,
    ended_at        BIGINT,
    reason          TEXT NOT NULL,
    info_request_id TEXT NOT NULL
);
CREATE INDEX clock_stops_case ON clock_stops(case_id, clock_seq, started_at);

-- Gapless case numbers per agency-zone year.
CREATE TABLE case_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE decisions (
    case_id        TEXT PRIMARY KEY REFERENCES cases(id),
    outcome        TEXT NOT NULL,
    rationale      TEXT NOT NULL,
    conditions     TEXT NOT NULL DEFAULT '',
    weights_digest TEXT NOT NULL,
    decided_by     TEXT NOT NULL REFERENCES users(id),
    decided_at     BIGINT NOT NULL
);
