-- Second factors of password accounts: TOTP secrets (sealed, bound to the
-- row) with the last time step accepted, so that a code works once; passkeys
-- (their WebAuthn credential). An enrolment is unconfirmed until a code (or
-- a ceremony) proves it.
CREATE TABLE mfa_factors (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id),
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    secret        TEXT NOT NULL DEFAULT '',
    credential    TEXT NOT NULL DEFAULT '',
    credential_id TEXT UNIQUE,
    last_step     BIGINT NOT NULL DEFAULT 0,
    confirmed_at  BIGINT,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX mfa_factors_user ON mfa_factors(user_id, kind);
-- Recovery codes: their hashes, each usable once.
CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users(id),
    hash       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (user_id, hash)
);
-- Whether the user has a confirmed factor (kept by the factors' use cases in
-- their transaction), and whether the account signs in by single sign-on only.
ALTER TABLE users ADD COLUMN mfa_enrolled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN sso_only BOOLEAN NOT NULL DEFAULT FALSE;
-- How each session was made: amr (pwd, otp, hwk, sso; comma-separated), the
-- identity provider's acr, and when the person authenticated.
ALTER TABLE tokens ADD COLUMN amr TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN acr TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN authenticated_at BIGINT NOT NULL DEFAULT 0;
-- Administration takes two for removing a reviewer's or review lead's second
-- factors too: the approvals' kinds gain user.factors (the table is rebuilt,
-- the one way SQLite changes a CHECK; PostgreSQL runs the same statements).
CREATE TABLE approvals_next (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('user.create', 'user.role', 'user.password', 'user.factors')),
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
INSERT INTO approvals_next (id, kind, user_id, requested_by, requested_at, status, decided_by, decided_at, email, name,
    org_id, role, from_role, sets_password, password_hash, user_version)
SELECT id, kind, user_id, requested_by, requested_at, status, decided_by, decided_at, email, name,
    org_id, role, from_role, sets_password, password_hash, user_version FROM approvals;
DROP TABLE approvals;
ALTER TABLE approvals_next RENAME TO approvals;
CREATE INDEX approvals_list ON approvals(requested_at, id);
CREATE INDEX approvals_status ON approvals(status, requested_at, id);
CREATE INDEX approvals_requester ON approvals(requested_by, requested_at, id);
CREATE INDEX approvals_user ON approvals(user_id, status);
CREATE INDEX approvals_email ON approvals(email, status);
