-- Delivery outside the inbox: one row per message per channel (an e-mail to one
-- recipient, one webhook call), with its stable message id and its delivery
-- state, so that a crash or a restart resends the same message and a failing
-- channel holds back nothing else. The payload never holds confidential content.
CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    channel         TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    type            TEXT NOT NULL,
    target_id       TEXT NOT NULL,
    org_id          TEXT NOT NULL DEFAULT '',
    case_id         TEXT NOT NULL DEFAULT '',
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_attempt_at BIGINT,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT
);
CREATE UNIQUE INDEX deliveries_message ON deliveries(channel, message_id);
CREATE INDEX deliveries_due ON deliveries(channel, state, next_attempt_at);
CREATE INDEX deliveries_list ON deliveries(created_at, id);
CREATE INDEX deliveries_target ON deliveries(target_id, state);

-- Webhook endpoints of an organisation; the secret is sealed (AES-GCM, a key
-- derived from the signing secret; base64), events a comma-separated list.
CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    url        TEXT NOT NULL,
    events     TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX webhooks_org ON webhooks(org_id, created_at, id);

-- Lifecycle events for webhooks, written in the transaction of the use case.
CREATE TABLE webhook_events (
    id           TEXT PRIMARY KEY,
    type         TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    case_id      TEXT NOT NULL,
    case_number  TEXT NOT NULL,
    org_id       TEXT NOT NULL,
    lab_visible  BOOLEAN NOT NULL,
    due_at       BIGINT,
    created_at   BIGINT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending'
);
CREATE INDEX webhook_events_pending ON webhook_events(state, created_at);

-- One secret calendar feed per user: the SHA-256 of its token, and the user's
-- token version when it was made.
CREATE TABLE calendar_feeds (
    user_id       TEXT PRIMARY KEY REFERENCES users(id),
    token_hash    TEXT NOT NULL UNIQUE,
    token_version INTEGER NOT NULL,
    created_at    BIGINT NOT NULL
);
