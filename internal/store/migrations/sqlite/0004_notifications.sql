-- The outbox: exactly one row per notification key; the in-app inbox reads it.
CREATE TABLE notifications (
    id           TEXT PRIMARY KEY,
    inbox_id     TEXT NOT NULL UNIQUE,
    key          TEXT NOT NULL UNIQUE,
    group_key    TEXT NOT NULL,
    rule         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    case_id      TEXT NOT NULL,
    case_number  TEXT NOT NULL,
    recipient_id TEXT NOT NULL REFERENCES users(id),
    deadline_at  BIGINT NOT NULL,
    due_at       BIGINT NOT NULL,
    threshold    TEXT NOT NULL,
    repeat       INTEGER NOT NULL,
    created_at   BIGINT NOT NULL,
    read_at      BIGINT,
    state        TEXT NOT NULL DEFAULT 'pending',
    delivered_at BIGINT
);
CREATE INDEX notifications_inbox ON notifications(recipient_id, created_at, id);
CREATE INDEX notifications_pending ON notifications(state, created_at);
CREATE INDEX notifications_group ON notifications(group_key);

-- An acknowledged escalation stops repeating for every recipient.
CREATE TABLE notification_acks (
    group_key       TEXT PRIMARY KEY,
    notification_id TEXT NOT NULL,
    acked_by        TEXT NOT NULL REFERENCES users(id),
    acked_at        BIGINT NOT NULL
);

-- Only the holder of a lease sweeps and delivers.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Since when the release conflict stands (as of the case's last change), so that the sweep finds
-- conflicted cases by index; paused cases are rechecked every sweep.
ALTER TABLE cases ADD COLUMN release_conflict_at BIGINT;
CREATE INDEX cases_release_conflict ON cases(release_conflict_at);
CREATE INDEX cases_open_stop ON cases(open_stop_at);
CREATE INDEX cases_received ON cases(status, received_at);
