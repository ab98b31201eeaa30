-- A passkey ceremony begun and not yet finished: the challenge Docket sent
-- (the relying party's session data, as JSON), what it is for (enrol,
-- second_step, sign_in), the user it is for ('' for a sign-in that lets the
-- browser name the account), and the session or pending sign-in it was begun
-- from. A ceremony is finished once: its row is taken away then.
CREATE TABLE passkey_ceremonies (
    id         TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL CHECK (purpose IN ('enrol', 'second_step', 'sign_in')),
    user_id    TEXT NOT NULL DEFAULT '',
    bound_to   TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX passkey_ceremonies_expiry ON passkey_ceremonies(expires_at);
