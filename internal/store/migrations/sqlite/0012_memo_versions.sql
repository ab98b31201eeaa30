-- What the store remembers between reads (memo.go) is kept under versions
-- the database moves itself, in the transaction that changes what a memory
-- depends on, so that a write by any process or replica makes exactly the
-- memories it touches useless, and no other: a draft filed or edited leaves
-- the dashboard's counts and order alone. One row, one column per memory.
CREATE TABLE memo_versions (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    accounts      BIGINT NOT NULL DEFAULT 0,
    cases         BIGINT NOT NULL DEFAULT 0,
    attests       BIGINT NOT NULL DEFAULT 0,
    board         BIGINT NOT NULL DEFAULT 0,
    findings      BIGINT NOT NULL DEFAULT 0,
    clearinghouse BIGINT NOT NULL DEFAULT 0
);
INSERT INTO memo_versions (id) VALUES (1);
-- A case filed is no remembered case yet; it is on the board unless a draft.
CREATE TRIGGER memo_cases_insert AFTER INSERT ON cases
    WHEN NEW.status <> 'draft'
    BEGIN UPDATE memo_versions SET board = board + 1; END;
CREATE TRIGGER memo_cases_update AFTER UPDATE ON cases
    BEGIN UPDATE memo_versions SET cases = cases + 1,
        board = board + (CASE WHEN OLD.status <> 'draft' OR NEW.status <> 'draft' THEN 1 ELSE 0 END); END;
CREATE TRIGGER memo_cases_delete AFTER DELETE ON cases
    BEGIN UPDATE memo_versions SET cases = cases + 1,
        board = board + (CASE WHEN OLD.status <> 'draft' THEN 1 ELSE 0 END); END;
CREATE TRIGGER memo_reviewers_insert AFTER INSERT ON case_reviewers
    BEGIN UPDATE memo_versions SET cases = cases + 1, board = board + 1; END;
CREATE TRIGGER memo_reviewers_update AFTER UPDATE ON case_reviewers
    BEGIN UPDATE memo_versions SET cases = cases + 1, board = board + 1; END;
CREATE TRIGGER memo_reviewers_delete AFTER DELETE ON case_reviewers
    BEGIN UPDATE memo_versions SET cases = cases + 1, board = board + 1; END;
-- A new organisation, user or token is in no memory yet.
CREATE TRIGGER memo_orgs_update AFTER UPDATE ON orgs
    BEGIN UPDATE memo_versions SET accounts = accounts + 1, cases = cases + 1, board = board + 1; END;
CREATE TRIGGER memo_orgs_delete AFTER DELETE ON orgs
    BEGIN UPDATE memo_versions SET accounts = accounts + 1, cases = cases + 1, board = board + 1; END;
CREATE TRIGGER memo_users_update AFTER UPDATE ON users
    BEGIN UPDATE memo_versions SET accounts = accounts + 1; END;
CREATE TRIGGER memo_users_delete AFTER DELETE ON users
    BEGIN UPDATE memo_versions SET accounts = accounts + 1; END;
CREATE TRIGGER memo_tokens_update AFTER UPDATE ON tokens
    BEGIN UPDATE memo_versions SET accounts = accounts + 1; END;
CREATE TRIGGER memo_tokens_delete AFTER DELETE ON tokens
    BEGIN UPDATE memo_versions SET accounts = accounts + 1; END;
-- Whether a user attested is remembered as false too: an insert changes it.
CREATE TRIGGER memo_attestations_insert AFTER INSERT ON attestations
    BEGIN UPDATE memo_versions SET attests = attests + 1; END;
CREATE TRIGGER memo_attestations_update AFTER UPDATE ON attestations
    BEGIN UPDATE memo_versions SET attests = attests + 1; END;
CREATE TRIGGER memo_attestations_delete AFTER DELETE ON attestations
    BEGIN UPDATE memo_versions SET attests = attests + 1; END;
CREATE TRIGGER memo_findings_insert AFTER INSERT ON findings
    BEGIN UPDATE memo_versions SET findings = findings + 1; END;
CREATE TRIGGER memo_findings_update AFTER UPDATE ON findings
    BEGIN UPDATE memo_versions SET findings = findings + 1; END;
CREATE TRIGGER memo_findings_delete AFTER DELETE ON findings
    BEGIN UPDATE memo_versions SET findings = findings + 1; END;
CREATE TRIGGER memo_clearinghouse_insert AFTER INSERT ON clearinghouse_entries
    BEGIN UPDATE memo_versions SET clearinghouse = clearinghouse + 1; END;
CREATE TRIGGER memo_clearinghouse_update AFTER UPDATE ON clearinghouse_entries
    BEGIN UPDATE memo_versions SET clearinghouse = clearinghouse + 1; END;
CREATE TRIGGER memo_clearinghouse_delete AFTER DELETE ON clearinghouse_entries
    BEGIN UPDATE memo_versions SET clearinghouse = clearinghouse + 1; END;
