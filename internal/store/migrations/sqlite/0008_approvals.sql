-- Administration takes two: a change that would let an account read case
-- content waits here until a review lead other than its requester approves
-- it. user_id is the user it changes (for a create, the id the user will get,
-- so no reference); a password is kept only as its hash, and only while the
-- change is pending.
CREATE TABLE approvals (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('user.create', 'user.role', 'user.password')),
    user_id       TEXT NOT NULL,
    requested_by  TEXT NOT NULL REFERENCES users(id),
    requested_at  BIGINT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by    TEXT REFERENCES users(id),
    decided_at    BIGINT,
    email         TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL DEFAULT '',
    org_id        TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL DEFAULT '',
    from_role     TEXT NOT NULL DEFAULT '',
    sets_password BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT NOT NULL DEFAULT '',
    user_version  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX approvals_list ON approvals(requested_at, id);
CREATE INDEX approvals_status ON approvals(status, requested_at, id);
CREATE INDEX approvals_requester ON approvals(requested_by, requested_at, id);
CREATE INDEX approvals_user ON approvals(user_id, status);
CREATE INDEX approvals_email ON approvals(email, status);
