-- Findings, comments and attachments: what reviewers record on a case.
CREATE TABLE findings (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'shared', 'lab_responded', 'resolved', 'risk_accepted')),
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    category        TEXT NOT NULL,
    severity        TEXT NOT NULL,
    tlp             TEXT NOT NULL,
    atlas_technique TEXT NOT NULL DEFAULT '',
    component       TEXT NOT NULL DEFAULT '',
    evidence        TEXT NOT NULL DEFAULT '',
    embargo_until   TEXT NOT NULL DEFAULT '',
    author_id       TEXT NOT NULL REFERENCES users(id),
    shared_by       TEXT REFERENCES users(id),
    shared_at       BIGINT,
    -- The response time for the severity when it was shared, and the deadline
    -- it gave (the end of a local day in the case's zone); NULL: none.
    response_days   INTEGER NOT NULL DEFAULT 0,
    response_due_at BIGINT,
    response        TEXT NOT NULL DEFAULT '',
    responded_by    TEXT REFERENCES users(id),
    responded_at    BIGINT,
    resolution_note TEXT NOT NULL DEFAULT '',
    resolved_by     TEXT REFERENCES users(id),
    resolved_at     BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX findings_case ON findings(case_id, created_at, id);
-- The dashboard's counts and the sweep's response reminders.
CREATE INDEX findings_open ON findings(status, response_due_at);

-- The lab users a TLP:RED finding is shared with.
CREATE TABLE finding_recipients (
    finding_id TEXT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (finding_id, user_id)
);
CREATE INDEX finding_recipients_user ON finding_recipients(user_id);

CREATE TABLE comments (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    author_id   TEXT NOT NULL REFERENCES users(id),
    author_role TEXT NOT NULL,
    body        TEXT NOT NULL,
    visibility  TEXT NOT NULL CHECK (visibility IN ('internal', 'shared')),
    created_at  BIGINT NOT NULL
);
CREATE INDEX comments_case ON comments(case_id, created_at, id);

-- Attachment metadata; the bytes are the file <data_dir>/attachments/<id>.
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    finding_id   TEXT REFERENCES findings(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX attachments_case ON attachments(case_id, created_at, id);
CREATE INDEX attachments_finding ON attachments(finding_id, created_at, id);
